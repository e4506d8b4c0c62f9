"""The notification outbox (OPS-3): one row per recipient, event and channel, delivered by Celery.

A row is written in the same transaction as the change that caused it, so a notification exists exactly
when its cause committed; delivery happens afterwards and is retried from the row (OPS-2).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Retry schedule: 30 s x 2^attempts (1 min after the first failure, then 2, 4, ...), at most an hour apart.
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before the next attempt once ``attempts`` attempts have failed."""
    return min(RETRY_BASE * (2 ** max(attempts, 0)), RETRY_CAP)


class Notification(models.Model):
    class Channel(models.TextChoices):
        INAPP = "inapp", _("In-app")
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    event = models.CharField(_("event"), max_length=64, help_text=_("What happened, e.g. order.shipped."))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("subject type")
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-id")
        indexes = [
            # the requeue sweep: pending rows that are due (OPS-2)
            models.Index(fields=["status", "next_attempt_at"], name="notification_requeue_idx"),
            # the inbox: a user's in-app notifications, newest first
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject_type__isnull=True, subject_id__isnull=True)
                | models.Q(subject_type__isnull=False, subject_id__isnull=False),
                name="notification_subject_complete_or_absent",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notification_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(event)s to user #%(user)s (%(channel)s, %(status)s)") % {
            "event": self.event,
            "user": self.recipient_id,
            "channel": self.get_channel_display(),
            "status": self.get_status_display(),
        }

    def is_due(self, now: datetime) -> bool:
        return self.status == self.Status.PENDING and (
            self.next_attempt_at is None or self.next_attempt_at <= now
        )

    def mark_sent(self, *, now: datetime, provider_message_id: str = "") -> None:
        self.status = self.Status.SENT
        self.sent_at = now
        self.next_attempt_at = None
        self.provider_message_id = provider_message_id

    def mark_attempt_failed(self, *, now: datetime, error: str, max_attempts: int) -> None:
        """One more failed attempt: wait longer before the next, or give up after ``max_attempts``."""
        self.attempts += 1
        self.last_error = error[:2000]
        if self.attempts >= max_attempts:
            self.status = self.Status.FAILED
            self.next_attempt_at = None
        else:
            self.next_attempt_at = now + retry_delay(self.attempts)

    def mark_undeliverable(self, *, error: str) -> None:
        """A failure that retrying cannot fix (no address for the channel): fail at once."""
        self.status = self.Status.FAILED
        self.last_error = error
        self.next_attempt_at = None


class SandboxSms(models.Model):
    """A text message the sandbox SMS gateway "sent": tests and the demo read them here."""

    phone = models.CharField(_("mobile number"), max_length=20)
    text = models.TextField(_("text"))
    message_id = models.CharField(_("message id"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox SMS")
        verbose_name_plural = _("sandbox SMS")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:40]}"
