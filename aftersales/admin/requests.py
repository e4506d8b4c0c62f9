"""The after-sales requests' console: every request with its steps, and the escalated ones by time left."""

from typing import Any

from django.contrib import admin
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from aftersales import selectors
from aftersales.admin._common import (
    ConsoleActionForm,
    ReadOnlyMixin,
    _run,
    _staff,
    _text,
    badge,
    person_shown,
    timeline_table,
)
from aftersales.models import (
    AfterSalesEvent,
    AfterSalesRequest,
    EscalatedRequest,
)
from aftersales.services.requests import request_approve
from aftersales.services.returns import request_close, request_return_delivered
from platform_core.admin_site import PersonalDataAdmin, ViewOnlyInline


class AfterSalesEventInline(ViewOnlyInline):
    model = AfterSalesEvent
    fields = ("at", "actor_shown", "action", "from_status", "to_status", "reason")
    readonly_fields = fields

    @admin.display(description=_("Actor"))
    def actor_shown(self, event: AfterSalesEvent) -> str:
        return person_shown(event.actor)  # SEC-2: often the customer


@admin.register(AfterSalesRequest)
class AfterSalesRequestAdmin(ReadOnlyMixin, PersonalDataAdmin):
    action_form = ConsoleActionForm
    actions = ["record_return_delivered", "close_selected"]
    list_display = [
        "id",
        "order",
        "merchant",
        "kind",
        "reason_kind",
        "amount",
        "status",
        "time_left",
        "created_at",
    ]
    list_filter = ["status", "kind", "reason_kind", "escalated_to", "auto_approved"]
    date_hierarchy = "created_at"
    search_fields = ["order__number", "merchant__name", "customer__email", "return_tracking_number"]
    personal_search_fields = ("customer__email",)  # SEC-2
    personal_data_fields = ("customer",)
    list_select_related = ["order", "merchant"]
    inlines = [AfterSalesEventInline]
    exclude = ["customer"]  # SEC-2: shown masked by ``customer_shown``
    readonly_fields = ["customer_shown", "order_timeline"]

    @admin.display(description=_("Customer"))
    def customer_shown(self, obj: AfterSalesRequest) -> str:
        return person_shown(obj.customer)

    @admin.display(description=_("Time left"))
    def time_left(self, obj: AfterSalesRequest) -> SafeString:
        clock = selectors.request_clock(obj)
        return badge(clock["due_at"] if clock else None)

    @admin.display(description=_("Order timeline"))
    def order_timeline(self, obj: AfterSalesRequest) -> SafeString:
        return timeline_table(obj.order)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # the change list (and its actions) but no editing form, for those allowed to change at all
        return obj is None and super().has_change_permission(request)

    @admin.action(
        description=_("Record the return delivered to the merchant (carrier report)"), permissions=["work"]
    )
    def record_return_delivered(self, request: HttpRequest, queryset: QuerySet[AfterSalesRequest]) -> None:
        _run(
            request,
            self,
            lambda r: request_return_delivered(request=r, actor=_staff(request)),
            queryset,
        )

    @admin.action(description=_("Close (customer service resolution, with the note)"), permissions=["work"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet[AfterSalesRequest]) -> None:
        note = _text(request)
        _run(
            request,
            self,
            lambda r: request_close(request=r, actor=_staff(request), note=note),
            queryset,
        )


@admin.register(EscalatedRequest)
class EscalatedRequestAdmin(AfterSalesRequestAdmin):
    """AFS-3, AFS-5: requests escalated to the platform, the oldest escalation first."""

    actions = ["approve_selected", "close_selected"]
    list_display = ["id", "order", "merchant", "kind", "escalated_to", "escalated_at", "escalation_reason"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return EscalatedRequest.objects.filter(status=AfterSalesRequest.Status.ESCALATED).order_by(
            F("escalated_at").asc(nulls_last=True), "pk"
        )

    @admin.action(description=_("Approve on the merchant's behalf"), permissions=["work"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[AfterSalesRequest]) -> None:
        note = _text(request)
        _run(
            request,
            self,
            lambda r: request_approve(request=r, actor=_staff(request), note=note),
            queryset,
        )
