"""SEC (issue 20, item 11): Django's 404 and 500 handlers (``handler404``/``handler500`` in the root
URLconf). Under ``/api/`` they answer the API's JSON error shape (``{"code", "detail"}``), never
Django's HTML page, with DEBUG on or off; elsewhere Django's own pages as before."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _error(request: HttpRequest, body: dict[str, Any], status: int) -> JsonResponse:
    request_id = getattr(request, "request_id", None)
    return JsonResponse({**body, "request_id": request_id} if request_id else body, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return _error(request, {"code": "not_found", "detail": _("Not found.")}, 404)
    return defaults.page_not_found(request, exception, **kwargs)


def server_error(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return _error(
            request,
            {
                "code": "server_error",
                "detail": _("Something went wrong on our side; please try again later."),
            },
            500,
        )
    return defaults.server_error(request, **kwargs)


def bad_request(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    """A ``SuspiciousOperation`` (e.g. a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``): 400, JSON under /api/."""
    if _is_api(request):
        return _error(request, {"code": "bad_request", "detail": _("The request could not be read.")}, 400)
    return defaults.bad_request(request, exception, **kwargs)
