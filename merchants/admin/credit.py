"""Staff admin: credit snapshots (REP-3) and KPIs (VIO-6)."""

from django.contrib import admin

from merchants.admin.base import ReadOnlyAdmin
from merchants.models import (
    MerchantCreditSnapshot,
    MerchantKpi,
)


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
