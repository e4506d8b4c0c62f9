"""Operations view of the deadline engine: every clock, its retries, and the SLA table (OPS-1, OPS-5)."""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from platform_core import clock
from platform_core.admin_site import ViewOnlyMixin
from platform_core.deadlines.models import Canary, CanaryHit, Deadline
from platform_core.deadlines.selectors import deadline_sla_figures


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Overdue (pending, past due)")), ("retrying", _("Retrying (handler failed)"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Deadline]) -> QuerySet[Deadline]:
        pending = queryset.filter(status=Deadline.Status.PENDING)
        if self.value() == "yes":
            return pending.filter(due_at__lte=clock.now())
        if self.value() == "retrying":
            return pending.filter(~Q(last_error=""), attempts__gt=0)
        return queryset


class ReadOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Rows the engine writes; people look, services change."""


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "rule",
        "subject_type",
        "subject_id",
        "due_at",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
        "lateness",
    )
    list_filter = ("status", "rule", OverdueFilter, "subject_type")
    search_fields = ("rule", "subject_id", "last_error")
    date_hierarchy = "due_at"
    ordering = ("-due_at",)
    list_select_related = ("subject_type",)
    change_list_template = "admin/deadlines/deadline/change_list.html"

    @admin.display(description=_("last error"))
    def short_error(self, obj: Deadline) -> str:
        return obj.last_error[:120]

    def get_urls(self) -> list[URLPattern]:
        sla = path("sla/", self.admin_site.admin_view(self.sla_view), name="deadlines_deadline_sla")
        return [sla, *super().get_urls()]

    def sla_view(self, request: HttpRequest) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deadline SLA by rule"),
            "opts": self.model._meta,
            "figures": deadline_sla_figures(),
        }
        return TemplateResponse(request, "admin/deadlines/sla.html", context)


@admin.register(Canary)
class CanaryAdmin(ReadOnlyAdmin):
    list_display = ("id", "label", "created_at")


@admin.register(CanaryHit)
class CanaryHitAdmin(ReadOnlyAdmin):
    list_display = ("id", "deadline", "hit_at")
    list_select_related = ("deadline",)
