"""Field work in the admin (ORD-9): coordinators and the areas they cover, service assignments by area,
status and coordinator with their history, and a reassignment button that takes a reason. Progress is
the coordinator's (API); nothing about an assignment is edited in place."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from fieldwork import selectors, services
from fieldwork.models import FieldCoordinator, ServiceAssignment, ServiceAssignmentEvent
from fieldwork.services import COORDINATOR_FIELDS
from platform_core.accounts.models import User
from platform_core.admin_site import ServiceAdmin, ViewOnlyInline, admin_form_page
from platform_core.errors import DomainError


class FieldCoordinatorForm(forms.ModelForm):
    """The areas a coordinator covers, one per line (as listings name them in ``service_area``)."""

    areas = forms.CharField(
        label=_("service areas"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, exactly as listings name their service area (e.g. 上海市浦东新区)."),
    )

    class Meta:
        model = FieldCoordinator
        fields = list(COORDINATOR_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["areas"] = "\n".join(self.instance.areas.values_list("area", flat=True))


@admin.register(FieldCoordinator)
class FieldCoordinatorAdmin(ServiceAdmin):
    """ORD-9: who takes service orders, where; deactivate to take someone out of the rotation. Saved through
    ``coordinator_save`` (audited); never deleted (assignments keep pointing at who had them)."""

    form = FieldCoordinatorForm
    list_display = ["shown_name", "user", "is_active", "areas_covered", "open_assignments"]
    list_filter = ["is_active", "areas__area"]
    search_fields = ["display_name", "user__name", "user__email", "areas__area"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    fields = [*COORDINATOR_FIELDS, "areas", "last_assigned_tick", "created_at"]
    readonly_fields = ["last_assigned_tick", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.readonly_fields, *(["user"] if obj is not None else [])]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FieldCoordinator]:
        return super().get_queryset(request).prefetch_related("areas")

    def create(self, request: HttpRequest, data: dict[str, Any]) -> FieldCoordinator:
        return self.update(request, None, data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> FieldCoordinator:
        return services.coordinator_save(
            coordinator=obj,
            data={**data, "user": data.get("user") or (obj.user if obj is not None else None)},
            areas=str(data.get("areas") or "").splitlines(),
            actor=cast(User, request.user),
        )

    @admin.display(description=_("name shown to customers"))
    def shown_name(self, coordinator: FieldCoordinator) -> str:
        return coordinator.shown_name

    @admin.display(description=_("areas"))
    def areas_covered(self, coordinator: FieldCoordinator) -> str:
        return ", ".join(area.area for area in coordinator.areas.all()) or "—"

    @admin.display(description=_("open assignments"))
    def open_assignments(self, coordinator: FieldCoordinator) -> SafeString:
        url = reverse("admin:fieldwork_serviceassignment_changelist")
        return format_html(
            '<a href="{}?coordinator__id__exact={}&amp;queue=open">{}</a>', url, coordinator.pk, _("queue")
        )


class ServiceAssignmentEventInline(ViewOnlyInline):
    model = ServiceAssignmentEvent
    fields = readonly_fields = ("at", "action", "coordinator", "actor", "note")


class QueueFilter(admin.SimpleListFilter):
    """The work queue's view (paid, no coordinator or no appointment) and a coordinator's open queue."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("waiting", _("Unassigned or unscheduled")), ("open", _("Not completed"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[ServiceAssignment]
    ) -> QuerySet[ServiceAssignment]:
        if self.value() == "waiting":
            return queryset.filter(pk__in=selectors.assignments_waiting().values("pk"))
        if self.value() == "open":
            return queryset.filter(status__in=ServiceAssignment.OPEN_STATUSES)
        return queryset


class ReassignForm(forms.Form):
    coordinator = forms.ModelChoiceField(
        label=_("Coordinator"),
        queryset=FieldCoordinator.objects.filter(is_active=True, user__is_active=True).select_related("user"),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=1000)


@admin.register(ServiceAssignment)
class ServiceAssignmentAdmin(admin.ModelAdmin):
    """ORD-9: every paid service order's coordinator and progress; reassign with a reason."""

    list_display = [
        "order",
        "service_area",
        "coordinator",
        "status",
        "order_status",
        "paid_at",
        "appointment_at",
        "escalated_at",
        "has_problem",
    ]
    list_filter = [
        QueueFilter,
        "status",
        "service_area",
        "coordinator",
        ("escalated_at", admin.EmptyFieldListFilter),
        ("problem_reported_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["order__number", "service_area", "coordinator__display_name", "coordinator__user__name"]
    list_select_related = ["order", "coordinator__user"]
    date_hierarchy = "paid_at"
    inlines = [ServiceAssignmentEventInline]
    readonly_fields = ["reassign"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*(f.name for f in ServiceAssignment._meta.fields), *self.readonly_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # assignments open on payment

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("order status"))
    def order_status(self, assignment: ServiceAssignment) -> str:
        return assignment.order.get_status_display()

    @admin.display(description=_("problem"), boolean=True)
    def has_problem(self, assignment: ServiceAssignment) -> bool:
        return assignment.problem_reported_at is not None

    @admin.display(description=_("reassign"))
    def reassign(self, assignment: ServiceAssignment) -> SafeString:
        url = reverse("admin:fieldwork_serviceassignment_reassign", args=[assignment.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Reassign (reason required)"))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:assignment_id>/reassign/",
                self.admin_site.admin_view(self.reassign_view),
                name="fieldwork_serviceassignment_reassign",
            ),
            *super().get_urls(),
        ]

    def reassign_view(self, request: HttpRequest, assignment_id: int) -> HttpResponse:
        """ORD-9: operations hand the order to another coordinator (``fieldwork.manage_assignments``)."""
        assignment = ServiceAssignment.objects.filter(pk=assignment_id).first()
        user = cast(User, request.user)
        if assignment is None or not selectors.user_may_manage(user):
            raise PermissionDenied
        form = ReassignForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.assignment_reassign(assignment=assignment, actor=user, **form.cleaned_data)
            except (DomainError, TransitionNotAllowed) as exc:
                self.message_user(request, str(getattr(exc, "message", exc)), level=messages.ERROR)
            else:
                self.message_user(request, _("Reassigned."), level=messages.SUCCESS)
                return redirect("admin:fieldwork_serviceassignment_change", object_id=assignment.pk)
        label = _("Reassign to another coordinator")
        return admin_form_page(self, request, obj=assignment, label=label, form=form)
