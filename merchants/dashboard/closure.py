"""MER-5, MER-8 (issue 21): the owner asks to close the shop and have the deposit returned; the page shows
the deposit, the requests and their status (a banner on every page while one waits for finance)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from merchants.dashboard.base import MONEY_ROLES, SERVICE_ERRORS, Banner, merchant_required, page, show_error
from merchants.models import Merchant, MerchantClosureRequest, MerchantMember
from merchants.permissions import merchant_for_request, merchant_role_for_request
from merchants.selectors.standing import (
    closure_banner_annotations,
    merchant_closure_request_list,
    merchant_deposit_balance,
)
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


@merchant_required(MONEY_ROLES)
@require_http_methods(["GET", "POST"])
def closure(request: HttpRequest) -> HttpResponse:
    """MER-5, MER-8: the deposit, the shop's closure requests with their status, and (the owner) the
    request to close and get the deposit back; finance decides it in the admin."""
    merchant = merchant_for_request(request)
    requests = list(merchant_closure_request_list(merchant=merchant))
    may_request = (
        merchant_role_for_request(request) == MerchantMember.Role.OWNER
        and merchant.status not in (Merchant.Status.CLOSED, Merchant.Status.BANNED)
        and not any(r.is_open for r in requests)
    )
    form = ClosureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merchant_closure_request(
                merchant=merchant, reason=form.cleaned_data["reason"], actor=request_user(request)
            )
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.success(
                request, _("Closure requested. Finance will check what is pending and return the deposit.")
            )
            return redirect("merchant:closure")
    context = {
        "deposit": merchant_deposit_balance(merchant=merchant),
        "requests": requests,
        "form": form,
        "may_request": may_request,
    }
    return page(request, "merchant/closure.html", context)


def closure_banner_query(request: HttpRequest) -> dict[str, Any]:
    """MER-8: the shop's latest closure request's status, found with the member's shop."""
    return closure_banner_annotations()


def closure_banner(request: HttpRequest, values: dict[str, Any]) -> list[Banner]:
    """MER-8: while a closure request waits for finance, every page says so (``dashboard_banners``)."""
    if values.get("mer8_closure_status") != MerchantClosureRequest.Status.REQUESTED:
        return []
    return [
        {
            "kind": "closure",
            "text": str(_("Your request to close the shop and get the deposit back is waiting for finance.")),
            "url": reverse("merchant:closure"),
            "link": str(_("See the request")),
        }
    ]
