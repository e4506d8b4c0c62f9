"""The public jury (大众评审, DSP-6): a small dispute both parties sent to a jury, the 13 jurors drawn for
it and their votes. Fields, constraints and transitions only; every write goes through
``jury.services``."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from disputes.models import Dispute
from platform_core import clock


class JuryCase(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """DSP-6: one dispute's way through the jury — consent of both parties, the draw, the vote, the
    verdict (or the referral back to the committee)."""

    class Status(models.TextChoices):
        CONSENTING = "consenting", _("Awaiting both parties' consent")
        DELIBERATING = "deliberating", _("Jury voting")
        DECIDED = "decided", _("Decided by the jury")
        REFERRED = "referred", _("Referred to the committee")
        ENDED = "ended", _("Ended with the dispute (withdrawn, suspended)")

    class Verdict(models.TextChoices):
        """What a juror may vote for: ``disputes.RulingKind`` without "return required", which the
        committee alone orders (DSP-3)."""

        FULL_REFUND = "full_refund", _("Full refund")
        PARTIAL_REFUND = "partial_refund", _("Partial refund")
        NO_REFUND = "no_refund", _("No refund")

    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, related_name="jury_case")
    status = FSMField(_("status"), choices=Status.choices, default=Status.CONSENTING, protected=True)
    customer_consented_at = models.DateTimeField(_("customer consented at"), null=True, blank=True)
    customer_consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merchant_consented_at = models.DateTimeField(_("merchant consented at"), null=True, blank=True)
    merchant_consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    convened_at = models.DateTimeField(_("jury drawn at"), null=True, blank=True)
    vote_due_at = models.DateTimeField(_("votes due by"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True)
    refund_amount = models.DecimalField(_("refund"), max_digits=12, decimal_places=2, null=True, blank=True)
    outcome_note = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("jury case")
        verbose_name_plural = _("jury cases")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["status", "vote_due_at"])]

    def __str__(self) -> str:
        return gettext("Jury case #%(id)s (dispute #%(dispute)s)") % {
            "id": self.pk,
            "dispute": self.dispute_id,
        }

    @property
    def both_consented(self) -> bool:
        return self.customer_consented_at is not None and self.merchant_consented_at is not None

    @transition(field=status, source=Status.CONSENTING, target=Status.DELIBERATING)
    def convene(self, *, due_at: datetime) -> None:
        self.convened_at = clock.now()
        self.vote_due_at = due_at

    @transition(field=status, source=Status.DELIBERATING, target=Status.DECIDED)
    def decide(self, *, verdict: str, refund_amount: Decimal | None, note: str) -> None:
        self.verdict, self.refund_amount, self.outcome_note = verdict, refund_amount, note
        self.closed_at = clock.now()

    @transition(field=status, source=[Status.CONSENTING, Status.DELIBERATING], target=Status.REFERRED)
    def refer(self, *, note: str) -> None:
        self.outcome_note = note
        self.closed_at = clock.now()

    @transition(field=status, source=Status.DELIBERATING, target=Status.ENDED)
    def end(self, *, note: str) -> None:
        self.outcome_note = note
        self.closed_at = clock.now()


class Juror(models.Model):
    """DSP-6: one drawn juror and, once cast, their one vote."""

    case = models.ForeignKey(JuryCase, on_delete=models.PROTECT, related_name="jurors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jury_seats")
    drawn_at = models.DateTimeField(default=clock.now)
    vote = models.CharField(_("vote"), max_length=20, choices=JuryCase.Verdict.choices, blank=True)
    refund_amount = models.DecimalField(_("refund"), max_digits=12, decimal_places=2, null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    voted_at = models.DateTimeField(_("voted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("juror")
        verbose_name_plural = _("jurors")
        ordering = ("case", "pk")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="jury_one_seat_per_user"),
            models.CheckConstraint(
                condition=Q(vote="", voted_at__isnull=True) | (~Q(vote="") & Q(voted_at__isnull=False)),
                name="jury_vote_has_time",
            ),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__gte=0),
                name="jury_vote_amount_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Juror user #%(user)s on jury case #%(case)s") % {
            "user": self.user_id,
            "case": self.case_id,
        }

    @property
    def has_voted(self) -> bool:
        return self.voted_at is not None
