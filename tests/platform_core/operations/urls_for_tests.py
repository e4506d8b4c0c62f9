"""The site's routes plus a test-only log probe."""

import logging

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

logger = logging.getLogger("tests.operations.probe")


def log_probe(request: HttpRequest) -> JsonResponse:
    """Logs personal data the way careless code would; the masking filter must catch it."""
    who = request.user.pk if request.user.is_authenticated else None
    logger.warning(
        "customer %s called from %s about ID %s, mail %s",
        who,
        "13812341234",
        "11010119900307123X",
        "zhang.san@example.com",
        extra={"order_no": "ORD-2026-000042", "contact": "+86 13912345678"},
    )
    return JsonResponse({"ok": True})


urlpatterns = [
    path("ops-test/log-probe", log_probe),
    path("", include("platform_core.urls")),
]
