"""Domain errors that services raise; ``platform_core.api.exceptions`` maps them to HTTP.

Services never import DRF. They raise one of these (or Django's ``ValidationError``, or django-fsm's
``TransitionNotAllowed``) and every interface — API, dashboard, admin, tasks — decides how to show it.
"""

from typing import Any


class DomainError(Exception):
    """Base of the errors a service raises on purpose. ``code`` is stable for clients; ``message`` is for people."""

    status = 400
    default_code = "domain_error"

    def __init__(
        self, message: str, *, code: str | None = None, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.errors = errors or {}


class InvalidInput(DomainError):
    """400: the request is malformed or breaks a rule about its content. ``errors`` maps fields to messages."""

    status = 400
    default_code = "invalid"


class NotFound(DomainError):
    """404: the object does not exist *or the actor may not see it* (SEC-1: never confirm it exists)."""

    status = 404
    default_code = "not_found"


class Forbidden(DomainError):
    """403: the actor is known and may see the object, but lacks the permission for this action."""

    status = 403
    default_code = "forbidden"


class Conflict(DomainError):
    """409: not allowed in the object's current state (a deadline passed, a hold is open, …)."""

    status = 409
    default_code = "conflict"


class Unprocessable(DomainError):
    """422: well-formed but contradictory, e.g. an idempotency key reused with another body (PAY-7)."""

    status = 422
    default_code = "unprocessable"
