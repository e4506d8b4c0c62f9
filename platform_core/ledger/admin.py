"""Read-only views of the ledger: money moves only through the services (PAY-1), never through a form."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.acting import request_user
from platform_core.admin_site import ViewOnlyMixin, action_permission
from platform_core.errors import DomainError
from platform_core.ledger.models import (
    LedgerAccount,
    LedgerCorrection,
    LedgerEntry,
    LedgerHold,
    LedgerTransaction,
)
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import (
    CORRECTION_DECIDE_PERMISSION,
    ledger_correction_approve,
    ledger_correction_propose,
    ledger_correction_reject,
)


class HoldStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("open", _("Open")), ("released", _("Released"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "open":
            return queryset.filter(released_at__isnull=True)
        if self.value() == "released":
            return queryset.filter(released_at__isnull=False)
        return queryset


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "owner_type",
        "owner_id",
        "current_balance",
        "allow_negative",
        "currency",
        "created_at",
    ]
    list_filter = ["kind", "allow_negative", "owner_type"]
    search_fields = ["=id", "=owner_id"]
    list_select_related = ["owner_type"]
    ordering = ["-id"]

    @admin.display(description=_("balance"))
    def current_balance(self, account: LedgerAccount) -> Decimal:
        """The cached balance, or for a platform-wide (aggregated) account the sum of its entries."""
        return ledger_balance(account) if account.aggregated else account.balance


class LedgerEntryInline(ViewOnlyMixin, admin.TabularInline):
    model = LedgerEntry
    fields = ["account", "amount"]
    readonly_fields = ["account", "amount"]
    extra = 0
    can_delete = False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "idempotency_key",
        "subject_type",
        "subject_id",
        "memo",
        "created_at",
        "created_by",
    ]
    list_filter = ["kind", "subject_type"]
    search_fields = ["=id", "idempotency_key", "memo", "=subject_id"]
    list_select_related = ["subject_type", "created_by"]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    inlines = [LedgerEntryInline]


@admin.register(LedgerHold)
class LedgerHoldAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "account", "reason", "subject_type", "subject_id", "opened_at", "released_at"]
    list_filter = [HoldStateFilter, "subject_type"]
    search_fields = ["=id", "reason", "=account__id", "=subject_id"]
    list_select_related = ["account__owner_type", "subject_type"]
    ordering = ["-opened_at"]


class CorrectionDecisionForm(ActionForm):
    """The action bar of the corrections list: approving or rejecting carries a reason."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        help_text=_("Required to reject; recorded in the audit log."),
    )


class CorrectionProposeForm(forms.ModelForm):
    class Meta:
        model = LedgerCorrection
        fields = ["transaction", "reason", "evidence"]
        help_texts = {
            "transaction": _("The transaction to reverse in full (its ID in the ledger transactions list)."),
            "reason": _("Why the transaction is wrong; the approver and the auditors read this."),
            "evidence": _("What proves it: a bank statement line, a ticket number, a reconciliation row."),
        }


@admin.register(LedgerCorrection)
class LedgerCorrectionAdmin(admin.ModelAdmin):
    """PAY-1, PAY-6 (issue 21): one finance person proposes a reversal, another approves or rejects it.

    Proposing is this admin's add form; the decision is an action on the list. Nothing here edits an
    entry: approval posts a new reversing transaction through ``ledger_correction_approve``.
    """

    form = CorrectionProposeForm
    list_display = ["id", "transaction", "status", "proposed_by", "proposed_at", "decided_by", "reversal"]
    list_filter = ["status"]
    search_fields = ["=id", "=transaction__id", "reason"]
    list_select_related = ["transaction", "proposed_by", "decided_by", "reversal"]
    raw_id_fields = ["transaction"]
    ordering = ["-proposed_at"]
    action_form = CorrectionDecisionForm
    actions = ["approve", "reject"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [f.name for f in LedgerCorrection._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decided through the actions, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    has_decide_permission = action_permission(CORRECTION_DECIDE_PERMISSION)

    def save_model(self, request: HttpRequest, obj: LedgerCorrection, form: Any, change: bool) -> None:
        try:
            proposed = ledger_correction_propose(
                transaction=obj.transaction,
                reason=obj.reason,
                evidence=obj.evidence,
                actor=request_user(request),
            )
        except DomainError as exc:
            # the add view has validated the form: a refusal here is shown and nothing is saved
            self.message_user(request, exc.message, level=messages.ERROR)
            raise _Refused from exc
        obj.pk, obj.status, obj.proposed_by, obj.proposed_at = (
            proposed.pk,
            proposed.status,
            proposed.proposed_by,
            proposed.proposed_at,
        )

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> Any:
        try:
            return super().add_view(request, form_url, extra_context)
        except _Refused:
            return self.response_post_save_add(request, None)

    def _decide(self, request: HttpRequest, queryset: QuerySet[LedgerCorrection], service: Any) -> None:
        reason = request.POST.get("reason", "").strip()
        for correction in queryset.order_by("pk"):
            try:
                service(correction=correction, reason=reason, actor=request_user(request))
            except DomainError as exc:
                self.message_user(request, f"#{correction.pk}: {exc.message}", level=messages.ERROR)
            else:
                self.message_user(request, _("Correction #%(id)s decided.") % {"id": correction.pk})

    @admin.action(description=_("Approve: post the reversing transaction"), permissions=["decide"])
    def approve(self, request: HttpRequest, queryset: QuerySet[LedgerCorrection]) -> None:
        self._decide(request, queryset, ledger_correction_approve)

    @admin.action(description=_("Reject (reason required)"), permissions=["decide"])
    def reject(self, request: HttpRequest, queryset: QuerySet[LedgerCorrection]) -> None:
        self._decide(request, queryset, ledger_correction_reject)


class _Refused(Exception):
    """The service refused the proposal after the form validated (e.g. already reversed)."""
