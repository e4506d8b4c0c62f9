"""Who and what a log line is about: the request id, the acting user and the Celery task (contextvars).

Set by ``RequestIdMiddleware`` in web processes and by the Celery signals in ``signals.py`` in workers;
read by ``logs.ContextFilter``. Contextvars follow the code across threads started with ``copy_context``
and never leak between concurrent requests.
"""

import re
import uuid
from contextvars import ContextVar
from typing import Any

from django.utils.functional import SimpleLazyObject, empty

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("task_id", default=None)
# The current HttpRequest: its user is read at log time, once authentication has run (DRF sets it late).
request_var: ContextVar[Any] = ContextVar("request", default=None)
user_id_var: ContextVar[Any] = ContextVar("user_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str:
    """A caller's (load balancer's) id if it is short and plain, else a fresh one: never log raw input."""
    if value and _VALID_REQUEST_ID.match(value):
        return value
    return new_request_id()


def current_user_id() -> Any:
    """The authenticated user's id, without touching the database (``None`` if not known yet)."""
    explicit = user_id_var.get()
    if explicit is not None:
        return explicit
    request = request_var.get()
    if request is None:
        return None
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        wrapped = user._wrapped  # type: ignore[attr-defined]
        # Not evaluated yet: use what Django auth cached, if anything (never query from a log call).
        user = getattr(request, "_cached_user", None) if wrapped is empty else wrapped
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None
