"""SEC-3, PAY-4 (decision 037): a shop's member sets up their own authenticator in the seller centre.

The payout account is changed only with a code of the owner's authenticator; this page is where a member
gets one: a new authenticator as a QR code (and its ``otpauth://`` URI and secret), confirmed with its
current code, then ten single-use backup codes shown once. The same services as the staff's enrolment
page (``platform_core.accounts.views``): audited, django-otp's throttling and replay guard.
"""

from base64 import b32encode
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from merchants.dashboard.base import ALL_ROLES, merchant_required, page
from platform_core.accounts.acting import request_user
from platform_core.accounts.services import second_factor_enrolment_confirm, second_factor_enrolment_start
from platform_core.accounts.views import EnrolmentCodeForm, qr_data_uri
from platform_core.errors import Conflict, DomainError


@merchant_required(ALL_ROLES)
@never_cache
@require_http_methods(["GET", "POST"])
def authenticator(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    try:
        device = second_factor_enrolment_start(user=user)
    except Conflict:  # one is confirmed already
        return page(request, "merchant/authenticator.html", {"enrolled": True})
    device.user = user  # its otpauth URI names the account (no second read of the user)
    context: dict[str, Any] = {"enrolled": False}
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor_enrolment_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", str(exc.message))
        else:
            return page(request, "merchant/authenticator.html", {"enrolled": True, "backup_codes": codes})
    uri = device.config_url
    context.update(form=form, otpauth_uri=uri, secret=b32encode(device.bin_key).decode(), qr=qr_data_uri(uri))
    return page(request, "merchant/authenticator.html", context, status=400 if form.errors else 200)
