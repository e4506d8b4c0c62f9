"""``/healthz``, ``/readyz`` and ``/metrics`` (OPS-5). Plain Django views: no session, no DRF, no login.

They answer load balancers, orchestrators and Prometheus, not people; ``/metrics`` requires a bearer
token (``OPS_METRICS_TOKEN``, always in production) because it shows business figures.
"""

import hmac
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from platform_core.operations.checks import readiness
from platform_core.operations.metrics import exposition

_STARTED = time.time()


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches neither the database nor the broker."""
    return JsonResponse({"status": "ok", "uptime_s": round(time.time() - _STARTED, 1)})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: every check passes (200) or not (503); the body lists each with its detail and timing."""
    started = time.perf_counter()
    results = readiness()
    ok = all(r.ok for r in results)
    body = {
        "status": "ok" if ok else "fail",
        "checks": {r.name: {"ok": r.ok, "detail": r.detail, "ms": r.ms} for r in results},
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if ok else 503)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus's scrape. In production it always requires the bearer token (issue 20, low items): the
    deploy check refuses to start without ``OPS_METRICS_TOKEN`` (platform.E102), and should one serve
    anyway the page does not exist (404)."""
    token = settings.OPS_METRICS_TOKEN
    if not token and settings.DJANGO_ENV == "production":
        return HttpResponse(status=404)
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
