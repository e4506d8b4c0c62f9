"""SEC-3, issue 21: the page where a staff member enrols their own authenticator on first sign-in.

The admin's sign-in (``platform_core.admin_site``) lets a staff account that has no second factor yet in
with its password only and sends it here; such a session opens nothing else (the admin and the API ask
for a verified second factor). The page shows a new authenticator as a QR code and its ``otpauth://`` URI;
the current code confirms it, verifies the session and shows ten single-use backup codes, once.
"""

import io
from base64 import b32encode, b64encode
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from platform_core.accounts.acting import request_user
from platform_core.accounts.selectors import second_factor_enrolment_needed
from platform_core.accounts.services import second_factor_enrolment_confirm, second_factor_enrolment_start
from platform_core.errors import DomainError


class EnrolmentCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code shown by the app"),
        regex=r"^\s*\d{6,8}\s*$",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def qr_data_uri(data: str) -> str:
    """``data`` as an SVG QR code in a ``data:`` URI (the CSP allows ``data:`` images, not inline code)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + b64encode(out.getvalue()).decode()


@never_cache
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    site = admin.site
    if not request.user.is_authenticated:
        return redirect("admin:login")
    if not second_factor_enrolment_needed(request.user):
        return redirect("admin:index")
    user = request_user(request)
    device = second_factor_enrolment_start(user=user)
    form = EnrolmentCodeForm(request.POST or None)
    context: dict[str, Any] = {**site.each_context(request), "title": _("Set up your second factor")}
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor_enrolment_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", str(exc.message))
        else:
            otp_login(request, device)
            return TemplateResponse(
                request, "admin/second_factor_enrol.html", {**context, "backup_codes": codes, "done": True}
            )
    uri = device.config_url
    context.update(
        form=form,
        otpauth_uri=uri,
        secret=b32encode(device.bin_key).decode(),
        qr=qr_data_uri(uri),
    )
    return TemplateResponse(request, "admin/second_factor_enrol.html", context)
