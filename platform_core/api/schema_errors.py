"""Issue 24: the one error shape of the API, documented on every operation for every status it can answer.

Every error body is ``{"code", "detail", "errors"?, "request_id"}`` (``platform_core.api.exceptions``).
Which statuses an operation can answer follows from how the view is built (its authentication,
permissions, throttles, parsers, path parameters and method), never from a hand-kept list, so a new
route is documented the same way. The ``code`` values per status are read from the code base: the
codes the exception handler and DRF give, plus every ``code="..."`` a service passes to a domain error
(``platform_core.errors``) — a new code appears in the schema without anyone listing it.
"""

import ast
import functools
from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext_lazy
from rest_framework import serializers

# The domain errors of platform_core.errors and the status each maps to.
DOMAIN_ERROR_STATUS = {
    "DomainError": 400,
    "InvalidInput": 400,
    "NotFound": 404,
    "Forbidden": 403,
    "Conflict": 409,
    "Unprocessable": 422,
}

# Codes given by the exception handler, the error views, the middleware and DRF itself.
BASE_CODES: dict[int, set[str]] = {
    400: {"invalid", "parse_error", "bad_request", "domain_error"},
    401: {"not_authenticated", "authentication_failed"},
    403: {"permission_denied", "forbidden"},
    404: {"not_found"},
    409: {"conflict", "transition_not_allowed"},
    413: {"request_too_large"},
    415: {"unsupported_media_type"},
    422: {"unprocessable"},
    429: {"throttled"},
}

STATUS_DESCRIPTIONS = {
    400: gettext_lazy(
        "The request is malformed or a field is invalid; `errors` maps each field to its messages."
    ),
    401: gettext_lazy("No valid credentials: sign in and send `Authorization: Token <token>`."),
    403: gettext_lazy(
        "Signed in, but not allowed to do this (role, missing permission, second factor or CSRF token)."
    ),
    404: gettext_lazy("The object does not exist, or the caller may not see it."),
    409: gettext_lazy("The action is not allowed in the object's current state; retrying will not help."),
    413: gettext_lazy("The request body is too large."),
    415: gettext_lazy("The request body's content type is not accepted here."),
    422: gettext_lazy("Well-formed but contradictory, e.g. an Idempotency-Key reused with another body."),
    429: gettext_lazy("Too many requests; wait for the number of seconds in the Retry-After header."),
}


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer of the API."""

    code = serializers.CharField(
        help_text=gettext_lazy("Stable, machine-readable reason; the values of each status are listed there.")
    )
    detail = serializers.CharField(help_text=gettext_lazy("For people, in the language of the request."))
    errors = serializers.DictField(  # type: ignore[assignment]  # a body field, not Serializer.errors
        child=serializers.JSONField(),
        required=False,
        help_text=gettext_lazy(
            "Field name → its messages (400 only); a nested field's value is an object of the same shape."
        ),
    )
    request_id = serializers.CharField(
        required=False,
        help_text=gettext_lazy("The request's id (also the X-Request-ID header): quote it to support."),
    )
    allowed_transitions = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=gettext_lazy("409 from a state machine: the actions allowed now."),
    )
    action = serializers.CharField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("409 from a state machine: the action refused."),
    )


def _domain_codes_in(tree: ast.AST) -> Iterable[tuple[int, str]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in DOMAIN_ERROR_STATUS:
            continue
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg == "code" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                yield DOMAIN_ERROR_STATUS[name], value.value


@functools.cache
def error_codes() -> dict[int, list[str]]:
    """Status → the sorted ``code`` values it can carry (the project's own apps' sources, read once)."""
    codes = {status: set(values) for status, values in BASE_CODES.items()}
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base not in path.parents and path != base:
            continue
        for source in path.rglob("*.py"):
            if "migrations" in source.parts:
                continue
            tree = ast.parse(source.read_text(encoding="utf-8"))
            for status, code in _domain_codes_in(tree):
                codes.setdefault(status, set()).add(code)
    return {status: sorted(values) for status, values in sorted(codes.items())}
