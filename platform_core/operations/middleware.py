"""Request id for every request: taken from ``X-Request-ID`` (the load balancer's) or made, echoed back."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from platform_core.operations.context import REQUEST_ID_HEADER, clean_request_id, request_id_var, request_var


class RequestIdMiddleware:
    """Put it first in ``MIDDLEWARE``: every later log line of the request carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = clean_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token = request_id_var.set(request_id)
        request_token = request_var.set(request)
        try:
            response = self.get_response(request)
        finally:
            request_var.reset(request_token)
            request_id_var.reset(id_token)
        response[REQUEST_ID_HEADER] = request_id
        return response
