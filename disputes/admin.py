"""The arbitration committee's console (DSP-2 … DSP-4): the queue by next deadline, the case file (order
timeline, both sides' evidence side by side, proposals, rulings), and forms that call the services —
proposal, ruling, panel vote, assignment, suspension —, and the add page that opens a case on the platform's own
motion (DSP-1, issue 21). The admin writes nothing itself."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, DateTimeField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from aftersales.selectors import order_timeline
from disputes import selectors
from disputes.models import (
    AppealPanelVote,
    Dispute,
    DisputeEvent,
    DisputeEvidence,
    DisputeReturn,
    MediationProposal,
    Party,
    Ruling,
    RulingTemplate,
)
from disputes.services._common import PERM_ARBITRATE, PERM_MEDIATE
from disputes.services.appeal import appeal_vote_cast
from disputes.services.arbitration import dispute_assign_arbitrator, dispute_rule
from disputes.services.mediation import dispute_propose
from disputes.services.opening import dispute_open_by_staff
from disputes.services.returns import dispute_return_receive
from disputes.services.ruling_templates import RULING_TEMPLATE_FIELDS, ruling_template_save
from disputes.services.suspension import dispute_resume, dispute_suspend
from orders.models import Order
from platform_core.accounts.models import User
from platform_core.admin_site import (
    PersonalDataAdmin,
    ServiceAdmin,
    ViewOnlyInline,
    ViewOnlyMixin,
    action_permission,
    personal_shown,
    service_form_page,
    service_form_run,
)
from platform_core.deadlines.models import Deadline
from platform_core.errors import DomainError
from platform_core.reports.masks import mask_person


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # the admin only serves logged-in staff
    return request.user


def _person(user: User | None) -> str:
    """SEC-2: a party (the customer who opened the case, an actor of its timeline) masked without
    ``staff.view_personal_data``."""
    return personal_shown(str(user) if user is not None else "", mask_person)


def _fmt(at: Any) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else "-"


class ProposalInline(ViewOnlyInline):
    model = MediationProposal
    fields = (
        "refund_amount",
        "return_required",
        "customer_accepted",
        "merchant_accepted",
        "proposed_at",
        "decided_at",
    )
    readonly_fields = fields


class RulingInline(ViewOnlyInline):
    model = Ruling
    fields = ("kind", "refund_amount", "reasons", "arbitrator", "issued_at", "is_appeal_decision", "by_jury")
    readonly_fields = fields


class ReturnInline(ViewOnlyInline):
    model = DisputeReturn
    fields = DisputeReturn.SHOWN_FIELDS
    readonly_fields = fields


class EventInline(ViewOnlyInline):
    model = DisputeEvent
    fields = ("at", "action", "from_status", "to_status", "actor_shown", "note")
    readonly_fields = fields

    @admin.display(description=_("actor"))
    def actor_shown(self, event: DisputeEvent) -> str:
        return _person(event.actor)


class DisputeActionForm(ActionForm):
    reason = forms.CharField(required=False, label=_("Reason / filing"))
    arbitrator = forms.ModelChoiceField(
        queryset=User.objects.filter(is_staff=True, is_active=True), required=False, label=_("Arbitrator")
    )


class StaffOpenForm(forms.Form):
    """DSP-1: the order (by its number), the reason and, optionally, the amount in dispute."""

    order = forms.CharField(
        label=_("Order number"),
        max_length=32,
        help_text=_("As shown on the order, e.g. 20261207A1B2C3D4E5F6."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("Why the platform opens the case; both parties read it."),
    )
    claim_amount = forms.DecimalField(
        label=_("Amount in dispute (yuan)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("Empty: everything of the payment not refunded yet."),
    )

    def clean_order(self) -> Order:
        number = self.cleaned_data["order"].strip()
        order = Order.objects.filter(number=number).first()
        if order is None:
            raise forms.ValidationError(_("No order has this number."))
        return order


@admin.register(Dispute)
class DisputeAdmin(PersonalDataAdmin):
    """The queue (open cases, the earliest deadline first) and the case file."""

    list_display = (
        "id",
        "order",
        "status",
        "opener_role",
        "claim_amount",
        "arbitrator",
        "next_due",
        "opened_at",
    )
    list_filter = ("status", "opener_role")
    search_fields = ("order__number", "reason")
    date_hierarchy = "opened_at"
    raw_id_fields = (
        "order",
        "aftersales_request",
        "complaint",
        "opened_by",
        "mediator",
        "arbitrator",
        "hold",
    )
    # SEC-2: who opened the case (the customer, often) is shown masked by ``opened_by_shown``
    readonly_fields = [
        "opened_by_shown" if f.name == "opened_by" else f.name for f in Dispute._meta.fields
    ] + ["evidence_side_by_side", "timeline"]
    fields = readonly_fields
    personal_data_fields = ("opened_by",)
    inlines = [ProposalInline, RulingInline, ReturnInline, EventInline]
    action_form = DisputeActionForm
    actions = ["assign_arbitrator", "suspend", "resume", "confirm_return_received"]
    change_list_template = "admin/disputes/dispute/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        workload = path(
            "workload/", self.admin_site.admin_view(self.workload_view), name="disputes_dispute_workload"
        )
        return [workload, *super().get_urls()]

    def workload_view(self, request: HttpRequest) -> HttpResponse:
        """DSP-3: the committee's workload — open cases, overdue cases and the oldest deadline per
        arbitrator, the most pressing first."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Arbitration committee workload"),
            "opts": self.model._meta,
            "rows": selectors.committee_workload(),
        }
        return TemplateResponse(request, "admin/disputes/workload.html", context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dispute]:
        due = Deadline.objects.filter(
            subject_type=ContentType.objects.get_for_model(Dispute),
            subject_id=Cast(OuterRef("pk"), output_field=CharField()),
            status=Deadline.Status.PENDING,
        ).order_by("due_at")
        return (
            super()
            .get_queryset(request)
            .select_related("order", "arbitrator")
            .annotate(next_due_at=Subquery(due.values("due_at")[:1], output_field=DateTimeField()))
            .order_by("next_due_at", "opened_at")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        """DSP-1: dispute staff open a case on the platform's own motion (the add page)."""
        return request.user.has_perm(PERM_MEDIATE) or request.user.has_perm(PERM_ARBITRATE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Mediators and the committee see the cases they work (and one they have just opened)."""
        return self.has_add_permission(request) or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) or super().has_module_permission(request)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """DSP-1, PAY-6: open a dispute on an order (``dispute_open_by_staff``: escrow held, both parties
        told, the evidence clock started, audited)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StaffOpenForm(request.POST or None, initial=request.GET.dict())
        dispute = service_form_run(
            request,
            form,
            lambda data: dispute_open_by_staff(
                order=data["order"],
                reason=data["reason"],
                claim_amount=data["claim_amount"],
                actor=_staff(request),
            ),
        )
        if dispute is not None:
            self.message_user(
                request,
                _(
                    "Dispute #%(id)s opened on order %(number)s: the payment is held and both parties "
                    "were told to submit their evidence."
                )
                % {"id": dispute.pk, "number": dispute.order.number},
                level=messages.SUCCESS,
            )
            return redirect("admin:disputes_dispute_change", object_id=dispute.pk)
        return service_form_page(
            self,
            request,
            title=_("Open a dispute on the platform's own motion (DSP-1)"),
            form=form,
            notice=_(
                "Opening a dispute holds the order's payment (PAY-6) until the case ends, and asks the "
                "customer and the merchant for their statements and evidence within 3 days (DSP-2)."
            ),
            submit_label=_("Open the dispute"),
        )

    @admin.display(description=_("opened by"))
    def opened_by_shown(self, obj: Dispute) -> str:
        return _person(obj.opened_by)

    @admin.display(description=_("next deadline"), ordering="next_due_at")
    def next_due(self, obj: Dispute) -> str:
        return _fmt(getattr(obj, "next_due_at", None))

    @admin.display(description=_("evidence (customer | merchant)"))
    def evidence_side_by_side(self, obj: Dispute) -> SafeString:
        def column(party: str) -> SafeString:
            items = obj.evidence.filter(party=party).prefetch_related("files")
            return format_html_join(
                "",
                "<p><b>{}</b> {}<br>{}</p>",
                ((_fmt(e.submitted_at), e.statement, f"{e.files.count()} file(s)") for e in items),
            )

        return format_html(
            "<table><tr><th>{}</th><th>{}</th></tr><tr><td>{}</td><td>{}</td></tr></table>",
            _("Customer"),
            _("Merchant"),
            column(Party.CUSTOMER),
            column(Party.MERCHANT),
        )

    @admin.display(description=_("order timeline"))
    def timeline(self, obj: Dispute) -> SafeString:
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (_fmt(i["at"]), i["source"], i["what"], i["detail"])
                    for i in order_timeline(order=obj.order)
                ),
            ),
        )

    def _each(self, request: HttpRequest, queryset: QuerySet[Dispute], call: Any, done: str) -> None:
        for dispute in queryset:
            try:
                call(dispute)
            except DomainError as exc:
                self.message_user(request, f"#{dispute.pk}: {exc.message}", level=messages.ERROR)
            else:
                self.message_user(request, f"#{dispute.pk}: {done}")

    has_mediate_permission = action_permission(PERM_MEDIATE, PERM_ARBITRATE)

    @admin.action(description=_("Assign the chosen arbitrator (DSP-3)"), permissions=["mediate"])
    def assign_arbitrator(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> None:
        chosen = User.objects.filter(pk=request.POST.get("arbitrator") or 0).first()
        if chosen is None:
            self.message_user(request, _("Choose an arbitrator."), level=messages.ERROR)
            return
        self._each(
            request,
            queryset,
            lambda d: dispute_assign_arbitrator(dispute=d, arbitrator=chosen, actor=_staff(request)),
            str(_("assigned")),
        )

    @admin.action(
        description=_("Suspend for a court/police filing, 30 days (DSP-2a)"), permissions=["mediate"]
    )
    def suspend(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> None:
        reason = request.POST.get("reason", "")
        self._each(
            request,
            queryset,
            lambda d: dispute_suspend(dispute=d, reason=reason, actor=_staff(request)),
            str(_("suspended")),
        )

    @admin.action(
        description=_("Confirm the returned item was received (DSP-4, AFS-4)"), permissions=["mediate"]
    )
    def confirm_return_received(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> None:
        self._each(
            request,
            queryset,
            lambda d: dispute_return_receive(dispute=d, actor=_staff(request)),
            str(_("return received, refund executed")),
        )

    @admin.action(description=_("Resume (DSP-2a)"), permissions=["mediate"])
    def resume(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> None:
        self._each(
            request,
            queryset,
            lambda d: dispute_resume(dispute=d, actor=_staff(request)),
            str(_("resumed")),
        )


@admin.register(MediationProposal)
class MediationProposalAdmin(ServiceAdmin):
    """DSP-2: the mediator proposes a settlement."""

    list_display = (
        "id",
        "dispute",
        "refund_amount",
        "return_required",
        "customer_accepted",
        "merchant_accepted",
    )
    fields = ("dispute", "refund_amount", "return_required", "note")
    raw_id_fields = ("dispute",)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> MediationProposal:
        return dispute_propose(
            dispute=data["dispute"],
            refund_amount=data["refund_amount"],
            return_required=data["return_required"],
            note=data.get("note", ""),
            actor=_staff(request),
        )


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_kind_display()}: {obj.name}"


class RulingForm(forms.ModelForm):
    """DSP-3: a template fills the written reasons (placeholders from the case); the arbitrator may add
    to them below."""

    template = TemplateChoiceField(
        queryset=RulingTemplate.objects.none(), required=False, label=_("Template")
    )

    class Meta:
        model = Ruling
        fields = ("dispute", "kind", "refund_amount", "reasons")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template = self.fields["template"]
        assert isinstance(template, forms.ModelChoiceField)
        template.queryset = selectors.ruling_templates_active()
        self.fields["reasons"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        template, dispute = data.get("template"), data.get("dispute")
        if template is not None and template.kind != data.get("kind"):
            self.add_error("template", _("The template is for another kind of ruling."))
        elif template is not None and dispute is not None:
            text = selectors.ruling_template_text(
                template=template, dispute=dispute, refund_amount=data.get("refund_amount")
            )
            data["reasons"] = "\n\n".join(part for part in (text, data.get("reasons", "")) if part.strip())
        if not (data.get("reasons") or "").strip() and not self.has_error("template"):
            self.add_error("reasons", _("A ruling gives written reasons (or choose a template)."))
        return data


@admin.register(Ruling)
class RulingAdmin(ServiceAdmin):
    """DSP-3: the ruling form (kind, amount for partial refunds/returns, written reasons or a template)."""

    form = RulingForm
    list_display = (
        "id",
        "dispute",
        "kind",
        "refund_amount",
        "arbitrator",
        "issued_at",
        "is_appeal_decision",
        "by_jury",
    )
    list_filter = ("kind", "is_appeal_decision", "by_jury")
    fields = ("dispute", "kind", "refund_amount", "template", "reasons")
    raw_id_fields = ("dispute",)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Ruling:
        return dispute_rule(
            dispute=data["dispute"],
            kind=data["kind"],
            refund_amount=data["refund_amount"],
            reasons=data["reasons"],
            actor=_staff(request),
        )


@admin.register(RulingTemplate)
class RulingTemplateAdmin(ServiceAdmin):
    """DSP-3: templates of written reasons, kept by the committee through ``ruling_template_save`` (audited;
    retired, never deleted)."""

    list_display = ("id", "kind", "name_zh", "name_en", "is_active", "updated_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name_zh", "name_en", "reasons")
    fields = RULING_TEMPLATE_FIELDS

    def create(self, request: HttpRequest, data: dict[str, Any]) -> RulingTemplate:
        return ruling_template_save(template=None, data=data, actor=_staff(request))

    def update(self, request: HttpRequest, obj: RulingTemplate, data: dict[str, Any]) -> RulingTemplate:
        return ruling_template_save(template=obj, data=data, actor=_staff(request))


class VoteForm(forms.ModelForm):
    dispute = forms.ModelChoiceField(
        queryset=Dispute.objects.filter(status=Dispute.Status.APPEALED), label=_("Dispute")
    )

    class Meta:
        model = AppealPanelVote
        fields = ("kind", "refund_amount", "reasons")


@admin.register(AppealPanelVote)
class AppealPanelVoteAdmin(ServiceAdmin):
    """DSP-4: a panel member's vote; the majority decides."""

    form = VoteForm
    list_display = ("id", "appeal", "arbitrator", "kind", "refund_amount", "cast_at")
    fields = ("dispute", "kind", "refund_amount", "reasons")

    def create(self, request: HttpRequest, data: dict[str, Any]) -> AppealPanelVote:
        return appeal_vote_cast(
            dispute=data["dispute"],
            kind=data["kind"],
            refund_amount=data["refund_amount"],
            reasons=data["reasons"],
            actor=_staff(request),
        )


@admin.register(DisputeEvidence)
class DisputeEvidenceAdmin(ViewOnlyMixin, PersonalDataAdmin):
    list_display = ("id", "dispute", "party", "submitted_at")
    list_filter = ("party",)
    readonly_fields = ("dispute", "party", "submitted_by_shown", "statement", "submitted_at")
    fields = readonly_fields
    personal_data_fields = ("submitted_by",)

    @admin.display(description=_("submitted by"))
    def submitted_by_shown(self, obj: DisputeEvidence) -> str:
        return _person(obj.submitted_by)  # SEC-2: the customer, for the customer's side
