"""Payments, provider callbacks, payout statements, payouts and reconciliation differences in the admin
(PAY-3, PAY-4, PAY-8): read-only records; a difference is settled through its service."""

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from orders.admin._common import PayerAccountMasked, ReadOnlyAdmin
from orders.models import (
    Payment,
    PaymentCallbackLog,
    Payout,
    PayoutStatement,
    ProviderStatement,
    ReconciliationDifference,
)
from orders.services.reconciliation import reconciliation_difference_settle
from platform_core.accounts.models import User
from platform_core.admin_site import PersonalDataAdmin
from platform_core.reports.masks import mask_personal_callback


@admin.register(Payment)
class PaymentAdmin(PayerAccountMasked, ReadOnlyAdmin):
    """PAY-3, MER-5: every payment attempt, for an order or a merchant's deposit."""

    list_display = [
        "out_trade_no",
        "purpose",
        "provider",
        "amount",
        "status",
        "order",
        "merchant",
        "payer_account_masked",
        "created_at",
    ]
    list_filter = ["purpose", "provider", "status"]
    # an exact payer account finds its payments without the list ever showing it unmasked
    search_fields = ["out_trade_no", "provider_trade_no", "order__number", "merchant__name", "=payer_account"]
    exclude = ["payer_account"]
    readonly_fields = ["payer_account_masked"]
    list_select_related = ["order", "merchant"]


@admin.register(PaymentCallbackLog)
class PaymentCallbackLogAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    """PAY-3: the callbacks as received. SEC-2: the raw notification names the payer (``payer_account``,
    Alipay's ``buyer_id`` …): shown masked without ``staff.view_personal_data``, audited when unmasked."""

    list_display = ["received_at", "provider", "outcome", "error", "payment"]
    list_filter = ["provider", "outcome"]
    personal_data_fields = ("body",)
    exclude = ["body"]
    readonly_fields = ["body_shown"]

    @admin.display(description=_("notification"))
    def body_shown(self, log: PaymentCallbackLog) -> str:
        return self.personal(log.body, mask_personal_callback)


@admin.register(PayoutStatement)
class PayoutStatementAdmin(ReadOnlyAdmin):
    list_display = ["merchant", "period", "gross", "commission", "refunds", "net"]
    list_filter = ["period"]
    search_fields = ["merchant__name"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["merchant", "amount", "status", "provider", "provider_reference", "created_at"]
    list_filter = ["status", "provider"]
    search_fields = ["merchant__name", "provider_reference"]
    date_hierarchy = "created_at"


@admin.register(ProviderStatement)
class ProviderStatementAdmin(ReadOnlyAdmin):
    """PAY-8 (decision 038): the providers' daily statements as imported, with their totals."""

    list_display = [
        "day",
        "provider",
        "status",
        "lines",
        "paid",
        "refunded",
        "fees",
        "imported_at",
        "attempts",
    ]
    list_filter = ["provider", "status"]
    date_hierarchy = "day"


@admin.register(ReconciliationDifference)
class ReconciliationDifferenceAdmin(admin.ModelAdmin):
    """PAY-8: the finance queue of reconciliation differences."""

    list_display = [
        "day",
        "provider",
        "kind",
        "reference",
        "reason",
        "ledger_amount",
        "provider_amount",
        "expected_fee",
        "provider_fee",
        "status",
    ]
    list_filter = ["status", "reason", "provider", "kind"]
    search_fields = ["reference", "note"]
    date_hierarchy = "day"
    readonly_fields = [
        "day",
        "provider",
        "kind",
        "reference",
        "reason",
        "ledger_amount",
        "provider_amount",
        "expected_fee",
        "provider_fee",
        "created_at",
    ]
    fields = [*readonly_fields, "status", "note"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ReconciliationDifference, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data  # issue 21: through the service and its audit row, never a bare save
        reconciliation_difference_settle(
            difference=obj, status=data["status"], note=data["note"], actor=cast(User, request.user)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
