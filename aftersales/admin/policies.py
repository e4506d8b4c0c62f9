"""Records kept in the admin: canned responses, special periods (AFS-3) and the shops' after-sales policies."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.admin._common import (
    _staff,
)
from aftersales.models import (
    CannedResponse,
    MerchantAfterSalesPolicy,
    SpecialPeriod,
)
from aftersales.services.canned_responses import CANNED_RESPONSE_FIELDS, canned_response_save
from aftersales.services.policies import aftersales_policy_set
from aftersales.services.requests import special_period_declare
from platform_core.accounts.acting import request_user
from platform_core.admin_site import ServiceAdmin


@admin.register(CannedResponse)
class CannedResponseAdmin(ServiceAdmin):
    """AFS-3, CMP-2: prepared answers, saved through the service (audited); retired, never deleted."""

    list_display = ["title", "applies_to", "is_active"]
    list_filter = ["applies_to", "is_active"]
    search_fields = ["title", "body"]
    fields = list(CANNED_RESPONSE_FIELDS)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> CannedResponse:
        return canned_response_save(response=None, data=data, actor=request_user(request))

    def update(self, request: HttpRequest, obj: CannedResponse, data: dict[str, Any]) -> CannedResponse:
        return canned_response_save(response=obj, data=data, actor=request_user(request))


@admin.register(SpecialPeriod)
class SpecialPeriodAdmin(ServiceAdmin):
    """AFS-3: periods in which merchants get 48 hours to respond; declared through the service, not edited."""

    list_display = ["reason", "starts_at", "ends_at", "created_by"]
    fields = ["starts_at", "ends_at", "reason"]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> SpecialPeriod:
        return special_period_declare(actor=_staff(request), **data)


@admin.register(MerchantAfterSalesPolicy)
class MerchantAfterSalesPolicyAdmin(admin.ModelAdmin):
    list_display = ["merchant", "pays_no_reason_return_shipping", "warranty_days"]
    search_fields = ["merchant__name"]
    raw_id_fields = ["merchant"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["merchant", "updated_at"] if obj else ["updated_at"]  # the service stamps the change

    def save_model(
        self, request: HttpRequest, obj: MerchantAfterSalesPolicy, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data  # issue 21: through the service and its audit row, never a bare save
        obj.pk = aftersales_policy_set(
            merchant=data.get("merchant") or obj.merchant,
            pays_no_reason_return_shipping=data["pays_no_reason_return_shipping"],
            warranty_days=data["warranty_days"],
            exchange_repair_terms=data.get("exchange_repair_terms", obj.exchange_repair_terms),
            actor=request_user(request),
        ).pk


# --- MSG-1, MSG-2: customer service's conversation console ----------------------------------------------
