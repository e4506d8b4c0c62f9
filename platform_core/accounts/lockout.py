"""SEC-3, issue 20 item 6: who is locked out after repeated failed sign-ins, and what they are told.

django-axes counts the failures. Its key is the *account*, never the spelling typed: ``Alice@x.cn``,
``alice@x.cn`` and Alice's mobile number are one counter, ``account:<id>``; a login that names no account
is counted under its normalised form (so unknown accounts lock the same way and reveal nothing). The
client address it logs is the one our own proxies saw (``client_ip``: DRF's ``NUM_PROXIES``), never a
client-written ``X-Forwarded-For``. The locked answer is the platform's JSON error under ``/api/`` and a
translated page elsewhere (decision 020).
"""

from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from platform_core.accounts.models import User
from platform_core.accounts.validators import looks_like_mobile, normalise_mobile


def account_lock_key(login: str) -> str:
    """The one failure counter behind every spelling of a login (``account:<id>`` when it names one)."""
    login = (login or "").strip()
    try:
        user = User.objects.get_by_login(login)
    except (User.DoesNotExist, User.MultipleObjectsReturned):
        if looks_like_mobile(login):
            return f"login:{normalise_mobile(login)}"
        return f"login:{login.lower()}"
    return f"account:{user.pk}"


def account_lock_key_for_request(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the login axes saw (the API and the admin pass it as ``username``)."""
    login = (credentials or {}).get("username") or request.POST.get("username") or ""
    return account_lock_key(str(login))


def client_ip(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the client address as the throttles compute it (DRF's ``NUM_PROXIES``:
    only the hops our load balancers appended to ``X-Forwarded-For`` are trusted)."""
    return str(BaseThrottle().get_ident(request))  # type: ignore[arg-type]  # reads request.META only


def locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429, the platform's JSON error under ``/api/``, translated."""
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else 0
    if minutes:
        detail = _("Too many failed sign-in attempts for this account. Try again in %(minutes)d minutes.") % {
            "minutes": minutes
        }
    else:
        detail = _(
            "Too many failed sign-in attempts for this account. Contact customer service to unlock it."
        )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"code": "locked_out", "detail": detail}, status=429)
    else:
        response = HttpResponse(f"<!doctype html><title>429</title><p>{escape(detail)}</p>", status=429)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response
