"""Staff admin: violations (VIO-1; recorded by hand on the add page, issue 21), penalties (VIO-2, VIO-3, VIO-5) and the appeals queue (VIO-4)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
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
from merchants.policies import STAFF_VIOLATION_KINDS, VIOLATION_KIND_LABELS, VIOLATION_POLICY
from merchants.selectors.violations import penalties_in_force
from merchants.services.appeals import violation_appeal_decide
from merchants.services.penalties import penalty_lift, penalty_publish
from merchants.services.violations import RECORD_PERMISSION, violation_record_by_staff
from platform_core.accounts.acting import request_user
from platform_core.admin_site import (
    action_permission,
    admin_form_page,
    evidence_download,
    evidence_link,
    service_form_page,
    service_form_run,
)
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


def _kind_choices() -> list[tuple[str, str]]:
    """VIO-1: the kinds staff record, each with its points and track from the policy."""
    return [
        (
            kind,
            str(
                _("%(kind)s — %(points)d points, %(track)s")
                % {
                    "kind": VIOLATION_KIND_LABELS[kind],
                    "points": VIOLATION_POLICY[kind].points,
                    "track": Violation.Track(VIOLATION_POLICY[kind].track).label,
                }
            ),
        )
        for kind in STAFF_VIOLATION_KINDS
    ]


class ViolationRecordForm(forms.Form):
    merchant = forms.ModelChoiceField(
        label=_("Merchant"),
        queryset=Merchant.objects.order_by("name"),
        help_text=_("The shop the violation is recorded against."),
    )
    kind = forms.ChoiceField(
        label=_("Violation type"),
        choices=_kind_choices,
        help_text=_("The points and their track come from the violation policy (VIO-1, VIO-2)."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("What the merchant did, as the merchant will read it (they may appeal within 7 days)."),
    )
    evidence = forms.FileField(
        label=_("Evidence (PDF, PNG or JPEG)"),
        help_text=_("A screenshot, a report or a rights holder's proof; checked by content."),
    )


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    """VIO-1: violations by kind, track and source; voided ones stay listed (VIO-4). Staff holding
    ``merchants.add_violation`` record one by hand on the add page (``violation_record_by_staff``)."""

    list_display = ["merchant", "kind", "points", "track", "source", "created_at", "created_by", "voided_at"]
    list_filter = ["track", "source", "kind", VoidedFilter, "created_at"]
    search_fields = ["merchant__name", "merchant__credit_code"]
    list_select_related = ["merchant", "created_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Violation._meta.fields] + ["evidence_file"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(RECORD_PERMISSION)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Who records violations sees them (their own record among them)."""
        return request.user.has_perm(RECORD_PERMISSION) or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(RECORD_PERMISSION) or super().has_module_permission(request)

    def get_urls(self) -> list[URLPattern]:
        evidence = path(
            "<int:violation_id>/evidence/",
            self.admin_site.admin_view(self.evidence_view),
            name="merchants_violation_evidence",
        )
        return [evidence, *super().get_urls()]

    @admin.display(description=_("evidence file"))
    def evidence_file(self, violation: Violation) -> str:
        return evidence_link(violation, "admin:merchants_violation_evidence")

    def evidence_view(self, request: HttpRequest, violation_id: int) -> HttpResponseBase:
        """SEC-4: a violation's evidence file, to those who may see violations."""
        return evidence_download(self, request, violation_id)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """VIO-1: record a violation by hand, with type, reason and evidence (audited, the merchant told)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ViolationRecordForm(request.POST or None, request.FILES or None, initial=request.GET.dict())
        violation = service_form_run(
            request,
            form,
            lambda data: violation_record_by_staff(
                merchant=data["merchant"],
                kind=data["kind"],
                reason=data["reason"],
                evidence_file=data["evidence"],
                actor=request_user(request),
            ),
        )
        if violation is not None:
            self.message_user(
                request,
                _("Violation recorded against %(merchant)s: %(points)d points. The merchant was told.")
                % {"merchant": violation.merchant.name, "points": violation.points},
                level=messages.SUCCESS,
            )
            return redirect("admin:merchants_violation_change", object_id=violation.pk)
        return service_form_page(
            self,
            request,
            title=_("Record a violation (VIO-1)"),
            form=form,
            notice=_(
                "The points count in their track for the year; crossing a threshold imposes its penalty at "
                "once (VIO-2). The merchant is told and may appeal within 7 days (VIO-4)."
            ),
            submit_label=_("Record the violation"),
        )


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
