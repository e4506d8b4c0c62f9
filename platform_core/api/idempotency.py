"""``@idempotent`` for unsafe API handlers (PAY-7).

Same ``Idempotency-Key`` + same body → the first response again, byte for byte, with the header
``Idempotent-Replayed: true``. Same key + different body → 422. A 5xx is not kept, so the client may retry.
Keys are per caller and kept at least ``IDEMPOTENCY_KEY_TTL``.
"""

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.views import APIView

from platform_core.api.models import IdempotencyKey
from platform_core.api.services import idempotency_key_claim, idempotency_key_complete
from platform_core.errors import InvalidInput, Unprocessable
from platform_core.upsert import all_or_nothing

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

Handler = Callable[..., Any]


class _ServerError(Exception):
    """Carries a 5xx response out of the atomic block so that the key (and all else) rolls back."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body or b""),
        status=record.response_status or 200,
        content_type=record.response_content_type or "application/json",
    )
    response["Idempotent-Replayed"] = "true"
    return response


class _Refused(Exception):
    """Carries the handler's exception out of the key's transaction, so that all it wrote rolls back."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc


def _replay_same(record: IdempotencyKey, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        raise Unprocessable(
            _("This Idempotency-Key was used with a different request."), code="idempotency_key_reused"
        )
    return _replay(record)


def _complete(record: IdempotencyKey, response: HttpResponse) -> None:
    idempotency_key_complete(
        record=record,
        status=response.status_code,
        content_type=response.get("Content-Type", "application/json"),
        body=response.content,
    )


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """What identifies a request under its key: an HMAC keyed with ``SECRET_KEY``, never a bare hash.

    A bare SHA-256 of ``/auth/register/``'s body would be a fast, unsalted hash of the password sitting
    in the database; keyed, the stored value says nothing without the key.
    """
    message = b"\n".join([method.encode(), path.encode(), body])
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def idempotent(*, required: bool = False) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        @wraps(handler)
        def wrapper(view: APIView, request: Request, *args: Any, **kwargs: Any) -> Any:
            key = request.headers.get(HEADER, "").strip()
            if not key:
                if required:
                    raise InvalidInput(
                        _("This operation moves money: send an Idempotency-Key header."),
                        code="idempotency_key_required",
                        errors={HEADER: [_("This header is required.")]},
                    )
                return handler(view, request, *args, **kwargs)
            if len(key) > MAX_KEY_LENGTH:
                raise InvalidInput(
                    _("Idempotency-Key is too long."),
                    errors={HEADER: [_("At most %(n)d characters.") % {"n": MAX_KEY_LENGTH}]},
                )
            method = request.method or "POST"
            body = request.body  # read before DRF parses it; Django keeps a copy for the parser
            fingerprint = request_fingerprint(method=method, path=request.path, body=body)
            user = request.user
            scope = f"user:{user.pk}" if user and user.is_authenticated else "anon"
            claim = {
                "scope": scope,
                "key": key,
                "method": method,
                "path": request.path,
                "fingerprint": fingerprint,
            }
            try:
                # The handler runs in the key's transaction with no savepoint of its own (issue 26): a
                # refusal rolls back everything, key included, and is then kept in a second transaction.
                with all_or_nothing():
                    record = idempotency_key_claim(**claim)
                    if record.state == IdempotencyKey.State.COMPLETED:
                        return _replay_same(record, fingerprint)
                    try:
                        response = handler(view, request, *args, **kwargs)
                    except Exception as exc:
                        raise _Refused(exc) from exc
                    response = view.finalize_response(request, response, *args, **kwargs)
                    response.render()
                    if response.status_code >= 500:
                        raise _ServerError(response)
                    _complete(record, response)
                    return response
            except _ServerError as err:
                return err.response
            except _Refused as refused:
                # the response a client would have seen (an error nobody handles propagates: a 500)
                response = view.finalize_response(
                    request, view.handle_exception(refused.exc), *args, **kwargs
                )
                response.render()
                if response.status_code >= 500:
                    return response
                with transaction.atomic():
                    # A duplicate that claimed the key meanwhile (between the rollback and here) has
                    # finished when this INSERT returns: both answer with what it kept.
                    record = idempotency_key_claim(**claim)
                    if record.state == IdempotencyKey.State.COMPLETED:
                        return _replay_same(record, fingerprint)
                    _complete(record, response)
                    return response

        # read by the schema (platform_core.api.schema): the header is declared as this enforces it
        wrapper.idempotency_key = "required" if required else "optional"  # type: ignore[attr-defined]
        return wrapper

    return decorator
