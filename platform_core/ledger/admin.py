"""Read-only views of the ledger: money moves only through the services (PAY-1), never through a form."""

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_core.ledger.models import LedgerAccount, LedgerEntry, LedgerHold, LedgerTransaction
from platform_core.ledger.selectors import ledger_balance


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
class LedgerAccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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


class LedgerEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LedgerEntry
    fields = ["account", "amount"]
    readonly_fields = ["account", "amount"]
    extra = 0
    can_delete = False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
class LedgerHoldAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "account", "reason", "subject_type", "subject_id", "opened_at", "released_at"]
    list_filter = [HoldStateFilter, "subject_type"]
    search_fields = ["=id", "reason", "=account__id", "=subject_id"]
    list_select_related = ["account__owner_type", "subject_type"]
    ordering = ["-opened_at"]
