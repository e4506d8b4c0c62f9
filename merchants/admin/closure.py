"""MER-5, MER-8 (issue 21): finance decides the merchants' closure requests: the deposit goes back through
the ledger and the shop closes once nothing is pending, or the request is rejected with a reason."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from merchants.admin.base import ReadOnlyAdmin, ReasonForm
from merchants.models import MerchantClosureRequest
from merchants.selectors.standing import merchant_deposit_balance
from merchants.services.closure import (
    CLOSURE_DECIDE_PERMISSION,
    merchant_closure_approve,
    merchant_closure_reject,
)
from merchants.services.lifecycle import merchant_closure_pending
from platform_core.accounts.acting import request_user
from platform_core.admin_site import admin_form_page
from platform_core.errors import DomainError

FIELDS = [
    "merchant",
    "status",
    "reason",
    "requested_by",
    "requested_at",
    "decided_by",
    "decided_at",
    "decision_reason",
    "deposit_refunded",
    "refund_transaction",
]


@admin.register(MerchantClosureRequest)
class MerchantClosureRequestAdmin(ReadOnlyAdmin):
    """MER-5, MER-8: the queue of closure requests; approve (deposit returned, shop closed) or reject."""

    list_display = ["merchant", "status", "requested_at", "deposit", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["merchant__name", "merchant__credit_code"]
    list_select_related = ["merchant", "decided_by"]
    date_hierarchy = "requested_at"
    fields = [*FIELDS, "conditions", "decision"]
    readonly_fields = [*FIELDS, "conditions", "decision"]

    @admin.display(description=_("deposit held (CNY)"))
    def deposit(self, closure: MerchantClosureRequest) -> str:
        return f"{merchant_deposit_balance(merchant=closure.merchant):.2f}"

    @admin.display(description=_("MER-8 conditions"))
    def conditions(self, closure: MerchantClosureRequest) -> str:
        if not closure.is_open:
            return "-"
        pending = merchant_closure_pending(merchant=closure.merchant)
        held = _("Deposit held: %(amount)s CNY (returned on approval).") % {
            "amount": f"{merchant_deposit_balance(merchant=closure.merchant):.2f}"
        }
        if not pending:
            return format_html("{}<br>{}", _("Nothing else is pending."), held)
        return format_html(
            "{}<ul>{}</ul>", held, format_html_join("", "<li>{}</li>", ((line,) for line in pending))
        )

    @admin.display(description=_("decision"))
    def decision(self, closure: MerchantClosureRequest) -> str:
        if not closure.is_open:
            return "-"
        return format_html(
            '<a class="button" href="{}">{}</a> <a class="button" href="{}">{}</a>',
            reverse("admin:merchants_merchantclosurerequest_approve", args=[closure.pk]),
            _("Approve: return the deposit and close"),
            reverse("admin:merchants_merchantclosurerequest_reject", args=[closure.pk]),
            _("Reject"),
        )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:closure_id>/approve/",
                view(self.approve_view),
                name="merchants_merchantclosurerequest_approve",
            ),
            path(
                "<int:closure_id>/reject/",
                view(self.reject_view),
                name="merchants_merchantclosurerequest_reject",
            ),
            *super().get_urls(),
        ]

    def _decide(
        self, request: HttpRequest, closure_id: int, service: Any, label: Any, done: Any
    ) -> HttpResponse:
        if not request.user.has_perm(CLOSURE_DECIDE_PERMISSION):
            raise PermissionDenied
        closure = MerchantClosureRequest.objects.select_related("merchant").filter(pk=closure_id).first()
        if closure is None:
            raise PermissionDenied
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                service(closure=closure, reason=form.cleaned_data["reason"], actor=request_user(request))
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, done, level=messages.SUCCESS)
                return redirect("admin:merchants_merchantclosurerequest_change", object_id=closure.pk)
        return admin_form_page(self, request, obj=closure, label=label, form=form)

    def approve_view(self, request: HttpRequest, closure_id: int) -> HttpResponse:
        return self._decide(
            request,
            closure_id,
            merchant_closure_approve,
            _("Approve the closure: return the deposit and close the shop"),
            _("The deposit was returned and the shop is closed."),
        )

    def reject_view(self, request: HttpRequest, closure_id: int) -> HttpResponse:
        return self._decide(
            request,
            closure_id,
            merchant_closure_reject,
            _("Reject the closure request"),
            _("The closure request was rejected."),
        )
