"""The complaints' console (AFS-6): every complaint with its steps, the open queue and the escalated ones."""

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
    Complaint,
    ComplaintQueueItem,
    ComplaintStep,
    EscalatedComplaint,
)
from aftersales.services.complaints import complaint_acknowledge, complaint_answer, complaint_close
from platform_core.admin_site import PersonalDataAdmin, ViewOnlyInline


class ComplaintStepInline(ViewOnlyInline):
    model = ComplaintStep
    fields = ("at", "actor_shown", "action", "from_status", "to_status", "note")
    readonly_fields = fields

    @admin.display(description=_("Actor"))
    def actor_shown(self, step: ComplaintStep) -> str:
        return person_shown(step.actor)  # SEC-2: often the complainant


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyMixin, PersonalDataAdmin):
    action_form = ConsoleActionForm
    actions = ["acknowledge_selected", "answer_selected", "close_selected"]
    list_display = ["id", "target_kind", "merchant", "category", "status", "time_left", "created_at"]
    list_filter = ["status", "target_kind", "category", "complainant_kind"]
    date_hierarchy = "created_at"
    search_fields = ["description", "merchant__name", "order__number", "complainant__email"]
    personal_search_fields = ("complainant__email",)  # SEC-2
    personal_data_fields = ("complainant",)
    list_select_related = ["merchant"]
    inlines = [ComplaintStepInline]
    exclude = ["complainant"]  # SEC-2: shown masked by ``complainant_shown``
    readonly_fields = ["complainant_shown", "pending_summary", "order_timeline"]

    @admin.display(description=_("Complainant"))
    def complainant_shown(self, obj: Complaint) -> str:
        return person_shown(obj.complainant)

    @admin.display(description=_("Time left"))
    def time_left(self, obj: Complaint) -> SafeString:
        clock = selectors.complaint_clock(obj)
        return badge(clock["due_at"] if clock else None)

    @admin.display(description=_("Order timeline"))
    def order_timeline(self, obj: Complaint) -> SafeString:
        return timeline_table(obj.order)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Acknowledge"), permissions=["work"])
    def acknowledge_selected(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> None:
        _run(
            request,
            self,
            lambda c: complaint_acknowledge(complaint=c, actor=_staff(request)),
            queryset,
        )

    @admin.action(description=_("Answer (with the text or canned response)"), permissions=["work"])
    def answer_selected(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> None:
        answer = _text(request)
        _run(
            request,
            self,
            lambda c: complaint_answer(complaint=c, answer=answer, actor=_staff(request)),
            queryset,
        )

    @admin.action(description=_("Close"), permissions=["work"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> None:
        note = _text(request)
        _run(
            request,
            self,
            lambda c: complaint_close(complaint=c, actor=_staff(request), note=note),
            queryset,
        )


@admin.register(ComplaintQueueItem)
class ComplaintQueueAdmin(ComplaintAdmin):
    """CMP-2: open complaints, the one whose answer is due first on top."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return ComplaintQueueItem.objects.filter(
            pk__in=selectors.complaint_queue_for_customer_service()
        ).order_by(F("answer_by").asc(nulls_last=True), "pk")


@admin.register(EscalatedComplaint)
class EscalatedComplaintAdmin(ComplaintAdmin):
    """CMP-2: the department head's queue, with what is pending."""

    list_display = [
        "id",
        "target_kind",
        "merchant",
        "category",
        "escalated_to",
        "escalated_at",
        "pending_summary",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return EscalatedComplaint.objects.filter(status=Complaint.Status.ESCALATED).order_by(
            "escalated_at", "pk"
        )
