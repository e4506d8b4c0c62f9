"""Staff admin for merchants: the application review queue (MER-2, MER-3), merchants by status (MER-8),
agreements (MER-4, MER-10), re-verification and changes (MER-6, MER-6a), violations (VIO-1), penalties
(VIO-2, VIO-3, VIO-5), the appeals queue (VIO-4), credit snapshots (REP-3) and KPIs (VIO-6).

Transition buttons come from django-fsm-2's ``FSMAdminMixin``; every button runs the service (never the
bare transition), so audit, deadlines and notifications happen exactly as through the API.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed
from django_fsm.admin import FSMAdminMixin

from merchants.models import (
    APPEAL_DECIDE_PERMISSION,
    AgreementAcceptance,
    Merchant,
    MerchantApplication,
    MerchantChange,
    MerchantCreditSnapshot,
    MerchantKpi,
    MerchantMember,
    MerchantStatusChange,
    Penalty,
    PlatformAgreement,
    QualificationDocument,
    Reverification,
    Violation,
    ViolationAppeal,
)
from merchants.selectors.standing import merchant_deposit_balance, merchant_required_deposit
from merchants.selectors.violations import penalties_in_force
from merchants.services._common import RULE_APPEAL_REVIEW, RULE_APPLICATION_REVIEW
from merchants.services.agreements import agreement_publish
from merchants.services.appeals import violation_appeal_decide
from merchants.services.applications import (
    application_approve,
    application_reject,
    application_request_more_info,
    application_start_review,
)
from merchants.services.changes import merchant_change_reject, merchant_change_verify
from merchants.services.deposits import merchant_deposit_credit
from merchants.services.lifecycle import (
    merchant_ban,
    merchant_close,
    merchant_reinstate,
    merchant_restrict,
    merchant_suspend,
    merchant_unrestrict,
)
from merchants.services.penalties import penalty_lift, penalty_publish
from merchants.services.reverification import reverification_pass, reverification_return
from platform_core.accounts.acting import request_user
from platform_core.admin_site import action_permission, admin_form_page
from platform_core.deadlines.models import Deadline
from platform_core.errors import DomainError


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=2000)


class DepositPaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2
    )
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=100)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, max_length=2000)


class ServiceTransitionsMixin(FSMAdminMixin):
    """Route each transition button to a service ``(obj, request, form data) -> None``."""

    fsm_fields = ["status"]
    transition_services: dict[str, Callable[[Any, HttpRequest, dict[str, Any]], Any]] = {}

    def is_fsm_transition_visible(self, transition: Any) -> bool:
        return transition.name in self.transition_services

    def _apply_fsm_transition(
        self, *, obj: Any, transition_name: str, request: HttpRequest, kwargs: Any = None
    ) -> bool:
        service = self.transition_services.get(transition_name)
        if service is None:
            self.message_user(request, _("This action is not available here."), level=messages.ERROR)
            return False
        try:
            service(obj, request, dict(kwargs or {}))
        except (DomainError, TransitionNotAllowed) as exc:
            self.message_user(request, str(getattr(exc, "message", exc)), level=messages.ERROR)
            return False
        self.message_user(request, _("Done."), level=messages.SUCCESS)
        return True


def _pending_due(rule: str, model: type) -> Subquery:
    return Subquery(
        Deadline.objects.filter(
            rule=rule,
            subject_type=ContentType.objects.get_for_model(model),
            subject_id=Cast(OuterRef("pk"), CharField()),
            status=Deadline.Status.PENDING,
        ).values("due_at")[:1]
    )


def _time_left(due: datetime | None) -> str:
    if due is None:
        return "—"
    left = due - timezone.now()
    if left.total_seconds() < 0:
        return str(_("overdue by %(hours)d h") % {"hours": -left.total_seconds() // 3600})
    return str(_("%(days)d d %(hours)d h") % {"days": left.days, "hours": left.seconds // 3600})


class DueFilter(admin.SimpleListFilter):
    title = _("review due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("Overdue")), ("24h", _("Within 24 hours")), ("later", _("Later"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(review_due__lt=now)
        if self.value() == "24h":
            return queryset.filter(review_due__gte=now, review_due__lt=now + timedelta(hours=24))
        if self.value() == "later":
            return queryset.filter(review_due__gte=now + timedelta(hours=24))
        return queryset


DOCUMENT_FIELDS: tuple[str, ...] = (
    "kind",
    "number",
    "issuer",
    "valid_from",
    "valid_until",
    "content_type",
    "superseded_at",
    "open_file",
)
MERCHANT_DOCUMENT_FIELDS: tuple[str, ...] = (*DOCUMENT_FIELDS[:-1], "expired_at", "open_file")
MEMBER_FIELDS: tuple[str, ...] = ("user", "role", "is_active", "created_at")
STATUS_CHANGE_FIELDS: tuple[str, ...] = ("at", "from_status", "to_status", "cause", "actor", "reason")


class ApplicationDocumentInline(admin.TabularInline):
    model = QualificationDocument
    fk_name = "application"
    extra = 0
    can_delete = False
    fields = DOCUMENT_FIELDS
    readonly_fields = DOCUMENT_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("file"))
    def open_file(self, document: QualificationDocument) -> str:
        # SEC-4: served by the permission-checking view, never from MEDIA_URL
        return format_html('<a href="/api/v1/merchant/documents/{}/file/">{}</a>', document.pk, _("open"))


@admin.register(MerchantApplication)
class MerchantApplicationAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """MER-2: the review queue, oldest submission first, with the time left and the prior record (MER-3)."""

    list_display = ["shop_name", "credit_code", "status", "submitted_at", "time_left", "reviewer"]
    list_filter = ["status", DueFilter, "submitted_at"]
    search_fields = ["shop_name", "legal_name", "credit_code", "applicant__email", "applicant__phone"]
    ordering = ["submitted_at", "pk"]
    inlines = [ApplicationDocumentInline]
    readonly_fields = [
        "applicant",
        "shop_name",
        "legal_name",
        "credit_code",
        "legal_representative",
        "registered_address",
        "contact_phone",
        "contact_email",
        "categories",
        "created_at",
        "submitted_at",
        "decided_at",
        "reviewer",
        "decision_reason",
        "merchant",
        "prior_record_panel",
    ]
    exclude = ["prior_record"]
    fsm_forms = {"approve": ReasonForm, "reject": ReasonForm, "request_more_info": ReasonForm}
    transition_services = {
        "start_review": lambda obj, request, data: application_start_review(
            application=obj, actor=request_user(request)
        ),
        "approve": lambda obj, request, data: application_approve(
            application=obj, reason=data["reason"], actor=request_user(request)
        ),
        "reject": lambda obj, request, data: application_reject(
            application=obj, reason=data["reason"], actor=request_user(request)
        ),
        "request_more_info": lambda obj, request, data: application_request_more_info(
            application=obj, reason=data["reason"], actor=request_user(request)
        ),
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[MerchantApplication]:
        return (
            super()
            .get_queryset(request)
            .select_related("reviewer")
            .annotate(review_due=_pending_due(RULE_APPLICATION_REVIEW, MerchantApplication))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applicants apply through the merchant API

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("time left"), ordering="review_due")
    def time_left(self, application: MerchantApplication) -> str:
        return _time_left(getattr(application, "review_due", None))

    @admin.display(description=_("prior record (MER-3)"))
    def prior_record_panel(self, application: MerchantApplication) -> str:
        accounts = (application.prior_record or {}).get("accounts", [])
        if not accounts:
            return str(_("No earlier shop with this credit code."))
        return format_html(
            "<table><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("shop"),
            _("status"),
            _("violations"),
            _("serious"),
            format_html_join(
                "",
                '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>',
                (
                    (
                        reverse("admin:merchants_merchant_change", args=[a["merchant_id"]]),
                        a["merchant_id"],
                        a["name"],
                        a["status"],
                        a["status_reason"],
                        a["violations"],
                        ", ".join(a["serious_violations"]),
                    )
                    for a in accounts
                ),
            ),
        )


class MemberInline(admin.TabularInline):
    model = MerchantMember
    extra = 0
    fields = MEMBER_FIELDS
    readonly_fields = MEMBER_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusChangeInline(admin.TabularInline):
    model = MerchantStatusChange
    extra = 0
    fields = STATUS_CHANGE_FIELDS
    readonly_fields = STATUS_CHANGE_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MerchantDocumentInline(ApplicationDocumentInline):
    fk_name = "merchant"
    fields = MERCHANT_DOCUMENT_FIELDS
    readonly_fields = MERCHANT_DOCUMENT_FIELDS


def _staff(service: Callable[..., Any]) -> Callable[[Any, HttpRequest, dict[str, Any]], Any]:
    return lambda obj, request, data: service(
        merchant=obj, cause=Merchant.Cause.STAFF, reason=data["reason"], actor=request_user(request)
    )


@admin.register(Merchant)
class MerchantAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """MER-8: merchants by status; staff restrict, suspend, reinstate, close or ban with a reason."""

    list_display = ["name", "legal_name", "credit_code", "status", "is_self_operated", "activated_at"]
    list_filter = ["status", "is_self_operated"]
    date_hierarchy = "created_at"
    search_fields = ["name", "legal_name", "credit_code", "owner__email", "owner__phone"]
    readonly_fields = [
        "owner",
        "credit_code",
        "status_reason",
        "restriction_causes",
        "suspension_causes",
        "created_at",
        "activated_at",
        "closed_at",
        "deposit",
    ]
    inlines = [MemberInline, MerchantDocumentInline, StatusChangeInline]
    fsm_forms = dict.fromkeys(("restrict", "unrestrict", "suspend", "reinstate", "close", "ban"), ReasonForm)
    transition_services = {
        "restrict": _staff(merchant_restrict),
        "unrestrict": _staff(merchant_unrestrict),
        "suspend": _staff(merchant_suspend),
        "reinstate": _staff(merchant_reinstate),
        "close": lambda obj, request, data: merchant_close(
            merchant=obj, reason=data["reason"], actor=request_user(request)
        ),
        "ban": lambda obj, request, data: merchant_ban(
            merchant=obj, reason=data["reason"], actor=request_user(request)
        ),
    }

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # MER-10: identity records are kept

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:merchant_id>/deposit/",
                self.admin_site.admin_view(self.deposit_view),
                name="merchants_merchant_deposit",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("deposit (MER-5)"))
    def deposit(self, merchant: Merchant) -> str:
        return format_html(
            '{} / {} CNY · <a href="{}">{}</a>',
            merchant_deposit_balance(merchant=merchant),
            merchant_required_deposit(merchant=merchant),
            reverse("admin:merchants_merchant_deposit", args=[merchant.pk]),
            _("record a deposit payment"),
        )

    def deposit_view(self, request: HttpRequest, merchant_id: int) -> HttpResponse:
        """MER-5: staff record a confirmed deposit payment until the payment gateway does it itself."""
        merchant = Merchant.objects.filter(pk=merchant_id).first()
        if merchant is None or not self.has_change_permission(request, merchant):
            raise PermissionDenied
        form = DepositPaymentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reference = form.cleaned_data["payment_reference"]
            try:
                merchant_deposit_credit(
                    merchant=merchant,
                    amount=form.cleaned_data["amount"],
                    payment_reference=reference,
                    idempotency_key=f"merchant-deposit:{merchant.pk}:{reference}",
                    actor=request_user(request),
                )
            except DomainError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(request, _("Deposit payment recorded."), level=messages.SUCCESS)
                return redirect("admin:merchants_merchant_change", object_id=merchant.pk)
        return admin_form_page(self, request, obj=merchant, label=_("Record a deposit payment"), form=form)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = PlatformAgreement
        fields = ["version", "title", "body", "effective_at"]


@admin.register(PlatformAgreement)
class PlatformAgreementAdmin(admin.ModelAdmin):
    """MER-4, MER-10: publish versions (at least 7 days ahead); never edited or deleted."""

    form = AgreementForm
    list_display = ["version", "title", "published_at", "effective_at"]
    ordering = ["-effective_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["version", "title", "body", "published_at", "effective_at"] if obj else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        # STF-6: publishing a version is publishing a platform rule
        return super().has_add_permission(request) and request.user.has_perm("staff.publish_announcement")

    def save_model(self, request: HttpRequest, obj: PlatformAgreement, form: Any, change: bool) -> None:
        if change:
            return
        published = agreement_publish(
            version=obj.version,
            title=obj.title,
            body=obj.body,
            effective_at=obj.effective_at,
            actor=request_user(request),
        )
        obj.pk, obj.published_at = published.pk, published.published_at

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["merchant", "agreement", "user", "accepted_at", "ip"]
    list_filter = ["agreement"]
    search_fields = ["merchant__name", "merchant__credit_code"]


@admin.register(MerchantStatusChange)
class MerchantStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["merchant", "from_status", "to_status", "cause", "actor", "at"]
    list_filter = ["to_status", "cause"]
    search_fields = ["merchant__name", "reason"]


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


@admin.register(QualificationDocument)
class QualificationDocumentAdmin(ReadOnlyAdmin):
    list_display = ["kind", "number", "merchant", "application", "valid_until", "superseded_at", "expired_at"]
    list_filter = ["kind"]
    search_fields = ["number", "merchant__name"]
    exclude = ["file"]


@admin.register(Reverification)
class ReverificationAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """MER-6: open re-verifications; staff pass or return them."""

    list_display = ["merchant", "status", "opened_at", "submitted_at", "passed_at", "reviewer"]
    list_filter = ["status"]
    search_fields = ["merchant__name", "merchant__credit_code"]
    date_hierarchy = "opened_at"
    readonly_fields = ["merchant", "opened_at", "submitted_at", "passed_at", "reviewer", "note"]
    fsm_forms = {"pass_": NoteForm, "return_to_merchant": NoteForm}
    transition_services = {
        "pass_": lambda obj, request, data: reverification_pass(
            reverification=obj, note=data["note"], actor=request_user(request)
        ),
        "return_to_merchant": lambda obj, request, data: reverification_return(
            reverification=obj, note=data["note"], actor=request_user(request)
        ),
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MerchantChange)
class MerchantChangeAdmin(ServiceTransitionsMixin, admin.ModelAdmin):
    """MER-6a: reported changes, verified within 7 working days."""

    list_display = ["merchant", "status", "reported_at", "verified_at", "verified_by"]
    list_filter = ["status"]
    search_fields = ["merchant__name", "merchant__credit_code"]
    date_hierarchy = "reported_at"
    readonly_fields = [
        "merchant",
        "changes",
        "reported_by",
        "reported_at",
        "verified_by",
        "verified_at",
        "note",
    ]
    fsm_forms = {"verify": NoteForm, "reject": NoteForm}
    transition_services = {
        "verify": lambda obj, request, data: merchant_change_verify(
            change=obj, note=data["note"], actor=request_user(request)
        ),
        "reject": lambda obj, request, data: merchant_change_reject(
            change=obj, note=data["note"], actor=request_user(request)
        ),
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
