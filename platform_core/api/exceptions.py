"""One exception handler for the whole API: domain errors become clear HTTP answers.

Body shape, always: ``{"code": "...", "detail": "...", "errors": {field: [messages]}, "request_id": "..."}``
(``errors`` only for field-level problems; ``allowed_transitions`` for 409s from a state machine). The
schema documents it as the ``Error`` component (``platform_core.api.schema_errors``).
"""

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from platform_core.errors import DomainError

logger = logging.getLogger(__name__)


def _allowed_transitions(exc: TransitionNotAllowed) -> list[str]:
    obj = getattr(exc, "object", None)
    if obj is None:
        return []
    names: list[str] = []
    for attr in dir(type(obj)):
        if attr.startswith("get_available_") and attr.endswith("_transitions") and "_user_" not in attr:
            names.extend(t.name for t in getattr(obj, attr)())
    return sorted(set(names))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The error answer in the one shape, with the request id (issue 24) to quote to support."""
    response = _error_response(exc, context)
    request_id = getattr(context.get("request"), "request_id", None)
    if response is not None and isinstance(response.data, dict) and request_id:
        response.data["request_id"] = request_id
    return response


def _error_response(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.message}
        if exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status)
    if isinstance(exc, TransitionNotAllowed):
        obj = getattr(exc, "object", None)
        state = getattr(obj, "status", None) if obj is not None else None
        return Response(
            {
                "code": "transition_not_allowed",
                "detail": _("This action is not allowed now (current state: %(state)s).") % {"state": state},
                "action": getattr(exc, "method", None) and exc.method.__name__,
                "allowed_transitions": _allowed_transitions(exc),
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(
            {"code": "invalid", "detail": _("The request has invalid fields."), "errors": errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DataError):
        # SEC (decision 022): the last line behind the field bounds — a value the database cannot hold
        # (a number out of range, a string too long, a NUL) is the caller's bad input, not a 500.
        logger.warning("api.data_error", extra={"error": str(exc)[:200]})
        return Response(
            {"code": "invalid", "detail": _("A value is out of range or not allowed here.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"code": "request_too_large", "detail": _("The request body is too large.")},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, ObjectDoesNotExist | Http404):
        return Response({"code": "not_found", "detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        data = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"code": "invalid", "detail": _("The request has invalid fields."), "errors": data}
    elif isinstance(exc, drf_exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "code": codes if isinstance(codes, str) else "error",
            "detail": str(exc.detail) if not isinstance(exc.detail, dict | list) else exc.detail,
        }
    return response
