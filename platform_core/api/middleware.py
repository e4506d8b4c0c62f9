"""SEC (issue 20, item 11): a JSON request body over ``API_JSON_MAX_BYTES`` is answered 413 before it is
read, in the API's JSON error shape (decision 022). Forms and uploads keep Django's caps
(``DATA_UPLOAD_MAX_MEMORY_SIZE``) and the per-kind file limits (SEC-4)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        content_type = (request.content_type or "").lower()
        if "json" in content_type and _declared_length(request) > settings.API_JSON_MAX_BYTES:
            return JsonResponse(
                {
                    "code": "request_too_large",
                    "detail": _("The request body is larger than %(n)d bytes.")
                    % {"n": settings.API_JSON_MAX_BYTES},
                },
                status=413,
            )
        return self.get_response(request)
