"""Staff admin: violations (VIO-1), penalties (VIO-2, VIO-3, VIO-5) and the appeals queue (VIO-4)."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from merchants.admin.base import (
    DueFilter,
    ReadOnlyAdmin,
    ReasonForm,
    ServiceTransitionsMixin,
    _pending_due,
    _time_left,
)
from merchants.clocks import RULE_APPEAL_REVIEW
from merchants.models import (
    APPEAL_DECIDE_PERMISSION,
    Merchant,
    Penalty,
    Violation,
    ViolationAppeal,
)
from merchants.selectors.violations import penalties_in_force
from merchants.services.appeals import violation_appeal_decide
from merchants.services.penalties import penalty_lift, penalty_publish
from platform_core.accounts.acting import request_user
from platform_core.admin_site import action_permission, admin_form_page
from platform_core.errors import DomainError


class VoidedFilter(admin.SimpleListFilter):
    title = _("voided by appeal")
    parameter_name = "voided"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("Counting")), ("yes", _("Voided"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.value() in ("yes", "no"):
            return queryset.filter(voided_at__isnull=self.value() == "no")
        return queryset


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    """VIO-1: violations by kind, track and source; voided ones stay listed (VIO-4)."""

    list_display = ["merchant", "kind", "points", "track", "source", "created_at", "created_by", "voided_at"]
    list_filter = ["track", "source", "kind", VoidedFilter, "created_at"]
    search_fields = ["merchant__name", "merchant__credit_code"]
    list_select_related = ["merchant", "created_by"]


class InForceFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "in_force"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("In force")), ("no", _("Ended or lifted"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        in_force = penalties_in_force().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=in_force)
        if self.value() == "no":
            return queryset.exclude(pk__in=in_force)
        return queryset


@admin.register(Penalty)
class PenaltyAdmin(ReadOnlyAdmin):
    """VIO-2, VIO-3, VIO-5: penalties imposed by the thresholds; staff may publish one at once or lift it."""

    list_display = [
        "merchant",
        "measure",
        "track",
        "threshold",
        "starts_at",
        "ends_at",
        "published_at",
        "lifted_at",
        "lifted_reason",
    ]
    list_filter = [InForceFilter, "measure", "track", "lifted_reason", "year"]
    search_fields = ["merchant__name", "merchant__credit_code"]
    list_select_related = ["merchant"]
    readonly_fields = ["lift_link"]
    actions = ["publish_now"]

    has_publish_permission = action_permission(APPEAL_DECIDE_PERMISSION)

    @admin.action(description=_("Publish now (VIO-5)"), permissions=["publish"])
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Penalty]) -> None:
        for penalty in queryset.order_by("pk"):
            penalty_publish(penalty=penalty, actor=request_user(request))
        self.message_user(request, _("Published."), level=messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:penalty_id>/lift/",
                self.admin_site.admin_view(self.lift_view),
                name="merchants_penalty_lift",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("lift"))
    def lift_link(self, penalty: Penalty) -> str:
        if penalty.lifted_at is not None:
            return str(penalty.get_lifted_reason_display())
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:merchants_penalty_lift", args=[penalty.pk]), _("lift now")
        )

    def lift_view(self, request: HttpRequest, penalty_id: int) -> HttpResponse:
        """VIO-3: compliance lifts a penalty early, with the reason (audited, merchant told)."""
        penalty = Penalty.objects.filter(pk=penalty_id).first()
        if penalty is None or not request.user.has_perm(APPEAL_DECIDE_PERMISSION):
            raise PermissionDenied
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                penalty_lift(
                    penalty=penalty,
                    reason=Penalty.LiftReason.STAFF,
                    note=form.cleaned_data["reason"],
                    actor=request_user(request),
                )
            except DomainError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(request, _("Penalty lifted."), level=messages.SUCCESS)
                return redirect("admin:merchants_penalty_change", object_id=penalty.pk)
        return admin_form_page(self, request, obj=penalty, label=_("Lift the penalty"), form=form)


@admin.register(ViolationAppeal)
class ViolationAppealAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """VIO-4: the appeals queue, oldest first, with the time left; decide with a reason."""

    list_display = ["violation", "merchant", "status", "submitted_at", "time_left", "decided_by"]
    list_filter = ["status", DueFilter, "violation__kind"]
    search_fields = ["violation__merchant__name", "statement"]
    ordering = ["submitted_at", "pk"]
    readonly_fields = [
        "violation",
        "statement",
        "evidence",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "reason",
    ]
    fsm_forms = {"uphold": ReasonForm, "overturn": ReasonForm}
    transition_services = {
        "uphold": lambda obj, request, data: violation_appeal_decide(
            appeal=obj, overturn=False, reason=data["reason"], actor=request_user(request)
        ),
        "overturn": lambda obj, request, data: violation_appeal_decide(
            appeal=obj, overturn=True, reason=data["reason"], actor=request_user(request)
        ),
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[ViolationAppeal]:
        return (
            super()
            .get_queryset(request)
            .select_related("violation__merchant", "decided_by")
            .annotate(review_due=_pending_due(RULE_APPEAL_REVIEW, ViolationAppeal))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # merchants appeal through the merchant API

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("merchant"))
    def merchant(self, appeal: ViolationAppeal) -> Merchant:
        return appeal.violation.merchant

    @admin.display(description=_("time left"), ordering="review_due")
    def time_left(self, appeal: ViolationAppeal) -> str:
        return _time_left(getattr(appeal, "review_due", None))
