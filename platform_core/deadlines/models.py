"""Deadline rows: one per started clock (OPS-1, OPS-2).

A row is inserted in the same transaction as the state change that starts the clock (a transactional
outbox), so no deadline is lost when the broker is down. Workers find due rows through a partial index
that holds only pending rows, so the sweep's cost follows the number of due rows, not the table size.
"""

from datetime import datetime, timedelta

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition


class Deadline(FSMModelMixin, models.Model):
    """A clock started for ``rule`` on one subject row; resolved exactly once (met, enforced or cancelled)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        MET = "met", _("Met")
        ENFORCED = "enforced", _("Enforced")
        CANCELLED = "cancelled", _("Cancelled")

    rule = models.CharField(_("rule"), max_length=100)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    # Text, so that any primary key type (int, UUID, string) can be a subject.
    subject_id = models.CharField(_("subject id"), max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    due_at = models.DateTimeField(_("due at"))
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, protected=True
    )
    started_at = models.DateTimeField(_("started at"))
    #: a clock that counts working days: how many, after ``started_at`` (its due time is recomputed from the
    #: two when the business calendar changes, decision 048); None for a clock with a fixed due time
    working_days = models.PositiveSmallIntegerField(_("working days"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    lateness = models.DurationField(_("lateness"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            # The sweep's claim query reads only this (small) index: pending rows by due time.
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="deadline_pending_due_idx"),
            models.Index(fields=["subject_type", "subject_id", "rule"], name="deadline_subject_rule_idx"),
            models.Index(fields=["rule", "due_at"], name="deadline_rule_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id"],
                condition=Q(status="pending"),
                name="deadline_one_pending_per_rule_subject",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(rule)s of %(subject)s due %(due)s (%(status)s)") % {
            "rule": self.rule,
            "subject": f"{self.subject_type_id}:{self.subject_id}",
            "due": f"{timezone.localtime(self.due_at):%Y-%m-%d %H:%M}",
            "status": self.get_status_display(),
        }

    @transition(field=status, source=Status.PENDING, target=Status.MET)
    def meet(self, *, at: datetime) -> None:
        self.resolved_at = at
        self.next_attempt_at = None

    @transition(field=status, source=Status.PENDING, target=Status.ENFORCED)
    def enforce(self, *, at: datetime) -> None:
        self.resolved_at = at
        self.lateness = at - self.due_at
        self.next_attempt_at = None

    @transition(field=status, source=Status.PENDING, target=Status.CANCELLED)
    def cancel(self, *, at: datetime, note: str = "") -> None:
        self.resolved_at = at
        self.next_attempt_at = None
        if note:
            self.last_error = note

    def record_failure(self, *, at: datetime, error: str, backoff: timedelta) -> None:
        """The handler raised: stay pending, try again after ``backoff``."""
        self.attempts += 1
        self.last_error = error
        self.next_attempt_at = at + backoff


class Canary(models.Model):
    """Subject of the ``deadlines.canary`` rule: proves the engine end to end (health checks, fault tests)."""

    label = models.CharField(_("label"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("canary")
        verbose_name_plural = _("canaries")

    def __str__(self) -> str:
        return gettext("Canary #%(id)s %(label)s") % {"id": self.pk, "label": self.label}


class CanaryHit(models.Model):
    """One row per enforcement of a canary deadline. Deliberately not unique: a double run would show."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="canary_hits")
    hit_at = models.DateTimeField(_("hit at"))

    class Meta:
        verbose_name = _("canary hit")
        verbose_name_plural = _("canary hits")

    def __str__(self) -> str:
        return gettext("Hit of deadline #%(deadline)s at %(at)s") % {
            "deadline": self.deadline_id,
            "at": f"{timezone.localtime(self.hit_at):%Y-%m-%d %H:%M:%S}",
        }
