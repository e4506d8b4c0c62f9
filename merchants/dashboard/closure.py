"""MER-5, MER-8 (issue 21): the owner asks to close the shop and have the deposit returned (the form
sits on the money page, ``orders.dashboard.money``, which shows the request's status)."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from merchants.dashboard.base import OWNER_ONLY, SERVICE_ERRORS, merchant_required, show_error
from merchants.permissions import merchant_for_request
from merchants.services.closure import merchant_closure_request
from platform_core.accounts.acting import request_user


class ClosureRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the shop closes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "Finance returns the deposit and closes the shop once every order, after-sales request and "
            "dispute is finished and the money is settled."
        ),
    )


@merchant_required(OWNER_ONLY)
@require_POST
def closure_request(request: HttpRequest) -> HttpResponse:
    """MER-5, MER-8: the owner's request to close and get the deposit back; finance decides it."""
    form = ClosureRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell us why the shop closes."))
        return redirect("merchant:money")
    try:
        merchant_closure_request(
            merchant=merchant_for_request(request),
            reason=form.cleaned_data["reason"],
            actor=request_user(request),
        )
    except SERVICE_ERRORS as exc:
        show_error(None, exc, request)
    else:
        messages.success(
            request, _("Closure requested. Finance will check what is pending and return the deposit.")
        )
    return redirect("merchant:money")
