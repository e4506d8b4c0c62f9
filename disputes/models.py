"""Disputes and arbitration (DSP-1 … DSP-5): the case, its evidence, mediation proposals, rulings and
the appeal panel. Fields, constraints and transitions only; every write goes through ``disputes.services``.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from orders.models import Order
from platform_core import clock
from platform_core.ledger.models import LedgerHold
from platform_core.timeline import StatusTimelineEvent


class Party(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    MERCHANT = "merchant", _("Merchant")


class RulingKind(models.TextChoices):
    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    NO_REFUND = "no_refund", _("No refund")
    RETURN_REQUIRED = "return_required", _("Return required (refund on return)")


class Dispute(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """DSP-5: one case about one order, from opening to closing."""

    class OpenerRole(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        MERCHANT = "merchant", _("Merchant")
        STAFF = "staff", _("Staff")

    class Status(models.TextChoices):
        OPENED = "opened", _("Opened")
        EVIDENCE = "evidence", _("Evidence")
        MEDIATION = "mediation", _("Mediation")
        ARBITRATION = "arbitration", _("Arbitration")
        RULED = "ruled", _("Ruled")
        APPEALED = "appealed", _("Appealed")
        FINAL = "final", _("Final")
        EXECUTED = "executed", _("Executed")
        CLOSED = "closed", _("Closed")
        SETTLED = "settled", _("Settled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUSPENDED = "suspended", _("Suspended")

    #: the stages a case may be suspended in (and resumes to)
    SUSPENDABLE = (Status.EVIDENCE, Status.MEDIATION, Status.ARBITRATION, Status.APPEALED)
    #: a case in these states is still open: it holds the escrow and counts as workload
    OPEN_STATUSES = (
        Status.OPENED,
        Status.EVIDENCE,
        Status.MEDIATION,
        Status.ARBITRATION,
        Status.RULED,
        Status.APPEALED,
        Status.FINAL,
        Status.EXECUTED,
        Status.SETTLED,  # settled with a return still to come (DSP-4, AFS-4); else it closes at once
        Status.SUSPENDED,
    )
    WITHDRAWABLE = (Status.OPENED, Status.EVIDENCE, Status.MEDIATION, Status.ARBITRATION)

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="disputes")
    aftersales_request = models.ForeignKey(
        "aftersales.AfterSalesRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes",
    )
    complaint = models.ForeignKey(
        "aftersales.Complaint", on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opener_role = models.CharField(max_length=10, choices=OpenerRole.choices)
    reason = models.TextField()
    claim_amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = FSMField(choices=Status.choices, default=Status.OPENED, protected=True)
    resume_to = models.CharField(max_length=20, choices=Status.choices, blank=True)
    # the time the interrupted stage clock still had when the case was suspended
    paused_remaining = models.DurationField(null=True, blank=True)
    suspended_reason = models.TextField(blank=True)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    arbitrator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # PAY-6: the hold this dispute keeps on the order's escrow while it is open
    hold = models.ForeignKey(LedgerHold, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refunded_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    merchant_lost = models.BooleanField(null=True, blank=True)
    opened_at = models.DateTimeField(default=clock.now)
    executed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-opened_at", "-pk")
        indexes = [models.Index(fields=["status", "opened_at"])]
        permissions = [
            ("mediate_dispute", "Can mediate disputes (DSP-2)"),
            ("arbitrate_dispute", "Can arbitrate disputes (DSP-3)"),
        ]

    def __str__(self) -> str:
        return gettext("Dispute #%(id)s (%(status)s)") % {"id": self.pk, "status": self.get_status_display()}

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @transition(field=status, source=Status.OPENED, target=Status.EVIDENCE)
    def collect_evidence(self) -> None:
        pass

    @transition(field=status, source=Status.EVIDENCE, target=Status.MEDIATION)
    def mediate(self) -> None:
        pass

    @transition(field=status, source=Status.MEDIATION, target=Status.ARBITRATION)
    def escalate(self) -> None:
        pass

    @transition(field=status, source=Status.MEDIATION, target=Status.SETTLED)
    def settle(self, *, amount: Any) -> None:
        self.refunded_amount = amount
        self.merchant_lost = None  # an agreement is no loss

    @transition(field=status, source=Status.ARBITRATION, target=Status.RULED)
    def rule(self) -> None:
        pass

    @transition(field=status, source=Status.RULED, target=Status.APPEALED)
    def appeal(self) -> None:
        pass

    @transition(field=status, source=Status.APPEALED, target=Status.FINAL)
    def finalise(self) -> None:
        pass

    @transition(field=status, source=[Status.RULED, Status.FINAL], target=Status.EXECUTED)
    def execute(self, *, amount: Any, merchant_lost: bool) -> None:
        self.refunded_amount = amount
        self.merchant_lost = merchant_lost
        self.executed_at = clock.now()

    @transition(field=status, source=[Status.EXECUTED, Status.SETTLED], target=Status.CLOSED)
    def close(self) -> None:
        self.closed_at = clock.now()

    @transition(field=status, source=list(WITHDRAWABLE), target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        self.closed_at = clock.now()

    @transition(field=status, source=list(SUSPENDABLE), target=Status.SUSPENDED)
    def suspend(self, *, reason: str, remaining: timedelta | None) -> None:
        self.resume_to = self.status
        self.suspended_reason = reason
        self.paused_remaining = remaining

    @transition(field=status, source=Status.SUSPENDED, target=RETURN_VALUE(*SUSPENDABLE))
    def resume(self) -> str:
        target = self.resume_to
        self.resume_to = ""
        self.suspended_reason = ""
        return target


class DisputeEvidence(models.Model):
    """DSP-2: a party's statement (with files); each side sees the other's."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    party = models.CharField(max_length=10, choices=Party.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField()
    submitted_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ("submitted_at", "pk")

    def __str__(self) -> str:
        return gettext("Evidence of the %(party)s on dispute #%(dispute)s") % {
            "party": self.get_party_display(),
            "dispute": self.dispute_id,
        }


class DisputeEvidenceFile(models.Model):
    """SEC-4: a file checked by content and size, stored outside the web root."""

    evidence = models.ForeignKey(DisputeEvidence, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="disputes/evidence/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return gettext("File #%(id)s of evidence #%(evidence)s") % {
            "id": self.pk,
            "evidence": self.evidence_id,
        }


class MediationProposal(models.Model):
    """DSP-2: a settlement the mediator proposes; both parties must accept."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2)
    return_required = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    customer_accepted = models.BooleanField(null=True, blank=True)
    merchant_accepted = models.BooleanField(null=True, blank=True)
    proposed_at = models.DateTimeField(default=clock.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("proposed_at", "pk")

    def __str__(self) -> str:
        return gettext("Proposal #%(id)s: %(amount)s CNY") % {"id": self.pk, "amount": self.refund_amount}

    @property
    def is_open(self) -> bool:
        return self.decided_at is None


class Ruling(models.Model):
    """DSP-3, DSP-4, DSP-6: a ruling with written reasons (an arbitrator's, the appeal panel's final one,
    or the public jury's verdict)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="rulings")
    kind = models.CharField(max_length=20, choices=RulingKind.choices)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2)
    reasons = models.TextField()
    arbitrator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(default=clock.now)
    is_appeal_decision = models.BooleanField(default=False)
    # DSP-6: decided by the public jury (no arbitrator; final, not open to appeal)
    by_jury = models.BooleanField(default=False)

    class Meta:
        ordering = ("issued_at", "pk")
        constraints = [
            models.CheckConstraint(condition=~models.Q(reasons=""), name="dispute_ruling_has_reasons"),
            models.CheckConstraint(
                condition=models.Q(refund_amount__gte=0), name="dispute_ruling_amount_gte_0"
            ),
            models.UniqueConstraint(
                fields=["dispute", "is_appeal_decision"], name="dispute_one_ruling_per_instance"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(kind)s on dispute #%(dispute)s") % {
            "kind": self.get_kind_display(),
            "dispute": self.dispute_id,
        }

    @property
    def merchant_lost(self) -> bool:
        return self.refund_amount > 0


class Appeal(models.Model):
    """DSP-4: the one appeal of a ruling, heard by a panel of three arbitrators."""

    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, related_name="appeal_case")
    party = models.CharField(max_length=10, choices=Party.choices)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    panel = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="appeal_panels", blank=True)
    filed_at = models.DateTimeField(default=clock.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # DSP-4: when silent members were replaced at the panel deadline (once; the next deadline decides)
    reconvened_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return gettext("Appeal of dispute #%(dispute)s") % {"dispute": self.dispute_id}


class AppealPanelVote(models.Model):
    """DSP-4: one panel member's vote; the majority decides."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="votes")
    arbitrator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=RulingKind.choices)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2)
    reasons = models.TextField()
    cast_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appeal", "arbitrator"], name="dispute_appeal_vote_once"),
        ]

    def __str__(self) -> str:
        return gettext("Vote of user #%(user)s on appeal #%(appeal)s") % {
            "user": self.arbitrator_id,
            "appeal": self.appeal_id,
        }


#: dispute: the timeline's actions as a person reads them (issue 22)
DISPUTE_ACTION_LABELS = {
    "opened": pgettext_lazy("timeline", "Dispute opened"),
    "evidence_started": pgettext_lazy("timeline", "Evidence stage started"),
    "evidence_submitted": pgettext_lazy("timeline", "Evidence submitted"),
    "mediation_started": pgettext_lazy("timeline", "Mediation started"),
    "settlement_proposed": pgettext_lazy("timeline", "Settlement proposed"),
    "settlement_accepted": pgettext_lazy("timeline", "Settlement accepted"),
    "settlement_rejected": pgettext_lazy("timeline", "Settlement refused"),
    "settled": pgettext_lazy("timeline", "Settled"),
    "arbitration_started": pgettext_lazy("timeline", "Arbitration started"),
    "arbitrator_assigned": pgettext_lazy("timeline", "Arbitrator assigned"),
    "referred_to_committee": pgettext_lazy("timeline", "Referred to the committee"),
    "ruled": pgettext_lazy("timeline", "Ruled"),
    "ruled_by_jury": pgettext_lazy("timeline", "Ruled by the public jury"),
    "ruling_overdue": pgettext_lazy("timeline", "Ruling overdue"),
    "ruling_final": pgettext_lazy("timeline", "Ruling final"),
    "appealed": pgettext_lazy("timeline", "Appealed"),
    "panel_voted": pgettext_lazy("timeline", "Appeal panel voted"),
    "panel_reconvened": pgettext_lazy("timeline", "Appeal panel reconvened"),
    "appeal_decided": pgettext_lazy("timeline", "Appeal decided"),
    "return_required": pgettext_lazy("timeline", "Return required"),
    "return_shipped": pgettext_lazy("timeline", "Return shipped"),
    "return_received": pgettext_lazy("timeline", "Return received"),
    "return_lapsed": pgettext_lazy("timeline", "Return not shipped in time"),
    "executed": pgettext_lazy("timeline", "Executed"),
    "suspended": pgettext_lazy("timeline", "Suspended"),
    "resumed": pgettext_lazy("timeline", "Resumed"),
    "withdrawn": pgettext_lazy("timeline", "Withdrawn"),
    "closed": pgettext_lazy("timeline", "Closed"),
}


class DisputeEvent(StatusTimelineEvent):
    """DSP-5: the case's timeline (append-only), shown to staff and, without internal notes, the parties."""

    action_labels = DISPUTE_ACTION_LABELS
    status_labels = dict(Dispute.Status.choices)

    text_field = "note"

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=50)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return gettext("%(action)s on dispute #%(dispute)s") % {
            "action": self.action,
            "dispute": self.dispute_id,
        }


class RulingTemplate(models.Model):
    """DSP-3: a staff-maintained template of written reasons for the ruling form.

    ``reasons`` may use the placeholders in ``PLACEHOLDERS`` (``{order_number}`` …); the ruling form fills
    them from the case. Names in both languages: the admin shows the one of the staff member's language.
    """

    PLACEHOLDERS = (
        "dispute_id",
        "order_number",
        "merchant",
        "paid_amount",
        "claim_amount",
        "refund_amount",
    )

    kind = models.CharField(_("kind"), max_length=20, choices=RulingKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    reasons = models.TextField(
        _("reasons"),
        help_text=_(
            "Placeholders: {dispute_id}, {order_number}, "
            "{merchant}, {paid_amount}, {claim_amount}, "
            "{refund_amount}"
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ruling template")
        verbose_name_plural = _("ruling templates")
        ordering = ("kind", "name_en", "pk")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reasons=""), name="dispute_ruling_template_has_reasons"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (translation.get_language() or "").startswith("zh") else self.name_en


class DisputeReturn(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """DSP-4, AFS-4: the return a ruling or settlement requires before its refund executes.

    ``awaiting_shipment`` (7 days to ship, with carrier and tracking) → ``shipped`` (the merchant confirms
    receipt within 7 days, else it is confirmed automatically) → ``received`` (the refund executes);
    not shipped in time → ``lapsed`` (the refund part lapses, as the after-sales request would).
    """

    class Status(models.TextChoices):
        AWAITING_SHIPMENT = "awaiting_shipment", _("Awaiting shipment")
        SHIPPED = "shipped", _("Shipped")
        RECEIVED = "received", _("Received")
        LAPSED = "lapsed", _("Lapsed")

    #: what the parties and the committee see of a return (API and case file)
    SHOWN_FIELDS = (
        "status",
        "refund_amount",
        "carrier",
        "tracking_number",
        "shipped_at",
        "received_at",
        "received_automatically",
        "lapsed_at",
    )

    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, related_name="return_case")
    # the refund that executes on receipt, and the key it is paid under (ruling or settlement)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2)
    refund_key = models.CharField(max_length=100)
    status = FSMField(choices=Status.choices, default=Status.AWAITING_SHIPMENT, protected=True)
    carrier = models.CharField(max_length=32, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_automatically = models.BooleanField(default=False)
    lapsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refund_amount__gte=0), name="dispute_return_amount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return gettext("Return for dispute #%(dispute)s (%(status)s)") % {
            "dispute": self.dispute_id,
            "status": self.get_status_display(),
        }

    @transition(field=status, source=Status.AWAITING_SHIPMENT, target=Status.SHIPPED)
    def ship(self, *, carrier: str, tracking_number: str) -> None:
        self.carrier, self.tracking_number = carrier, tracking_number
        self.shipped_at = clock.now()

    @transition(field=status, source=Status.SHIPPED, target=Status.RECEIVED)
    def receive(self, *, automatically: bool) -> None:
        self.received_at = clock.now()
        self.received_automatically = automatically

    @transition(field=status, source=Status.AWAITING_SHIPMENT, target=Status.LAPSED)
    def lapse(self) -> None:
        self.lapsed_at = clock.now()
