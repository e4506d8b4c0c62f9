"""Staff admin: credit snapshots (REP-3) and KPIs (VIO-6)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from merchants.admin.base import ReadOnlyAdmin
from merchants.models import (
    CreditGradePolicy,
    MerchantCreditSnapshot,
    MerchantKpi,
)
from merchants.services.credit import grade_policy_set
from platform_core.accounts.acting import request_user


@admin.register(CreditGradePolicy)
class CreditGradePolicyAdmin(admin.ModelAdmin):
    """REP-3: per credit grade, the deposit multiplier and surcharge and the payout delay; saved through
    ``grade_policy_set`` (audited). Rows are never deleted: a grade without one is neutral."""

    list_display = [
        "grade",
        "deposit_multiplier",
        "deposit_surcharge",
        "payout_delay_days",
        "updated_at",
        "updated_by",
    ]
    fields = [
        "grade",
        "deposit_multiplier",
        "deposit_surcharge",
        "payout_delay_days",
        "updated_at",
        "updated_by",
    ]
    readonly_fields = ["updated_at", "updated_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.readonly_fields, "grade"] if obj is not None else list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: CreditGradePolicy, form: Any, change: bool) -> None:
        saved = grade_policy_set(
            grade=obj.grade,
            deposit_multiplier=obj.deposit_multiplier,
            deposit_surcharge=obj.deposit_surcharge,
            payout_delay_days=obj.payout_delay_days,
            actor=request_user(request),
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MerchantCreditSnapshot)
class MerchantCreditSnapshotAdmin(ReadOnlyAdmin):
    """REP-3: the credit history (12 months), with the components of each computation."""

    list_display = ["merchant", "computed_at", "score", "grade", "trigger"]
    list_filter = ["grade", "trigger", "computed_at"]
    search_fields = ["merchant__name", "merchant__credit_code"]
    list_select_related = ["merchant"]


@admin.register(MerchantKpi)
class MerchantKpiAdmin(ReadOnlyAdmin):
    """VIO-6: daily rolling-30-day KPIs; those past warning or limit first by filter."""

    list_display = ["merchant", "date", "kpi", "value", "sample", "level", "violation"]
    list_filter = ["level", "kpi", "date"]
    search_fields = ["merchant__name", "merchant__credit_code"]
    list_select_related = ["merchant"]
