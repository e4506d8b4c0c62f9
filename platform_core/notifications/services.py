"""Notifications (OPS-2, OPS-3): write the outbox row with its cause, deliver after commit, retry from the row.

``notify`` only inserts rows, in the caller's transaction, and asks for delivery once that transaction
commits. Publishing to the broker may fail (Redis down): the error is logged and swallowed, the row stays
``pending``, and the beat sweep ``notifications_requeue_pending`` publishes it again later. Delivery
locks the row and checks its status, so publishing the same row twice sends it once.

In-app notifications are written as ``sent``: the inbox row *is* the delivery, so they need no task and
no broker, and appear in the inbox the moment their cause commits even while the broker is down.
"""

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.errors import InvalidInput
from platform_core.notifications.models import Notification
from platform_core.notifications.selectors import notification_get_for_user
from platform_core.notifications.sms import SmsUndeliverable, get_sms_backend
from platform_core.upsert import in_callers_transaction

logger = logging.getLogger(__name__)

# What a publish raises when the broker is unreachable: kombu wraps transport errors in OperationalError
# (a KombuError); sockets may surface as OSError (ConnectionError is one).
BROKER_ERRORS: tuple[type[Exception], ...] = (KombuError, OSError)
# A pending row never attempted is presumed lost (its publish failed) after this long.
REQUEUE_GRACE = timedelta(minutes=1)
REQUEUE_BATCH = 500


class Outcome:
    """What one delivery run did (returned by the task, for logs and tests)."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # already sent/failed, not due yet, missing, or locked by another worker


def _publish_deliveries(notification_ids: Iterable[int]) -> int:
    """Queue a delivery task per row; returns how many were published.

    Never raises for a broker outage (OPS-3: delivery must not fail what caused it). The first failure
    stops the loop: each publish would wait for the same dead broker, and the sweep retries them all.
    """
    from platform_core.notifications.tasks import deliver_notification_task  # tasks import services

    published = 0
    for notification_id in notification_ids:
        try:
            # retry=False: fail at once (CELERY_BROKER_CONNECTION_TIMEOUT bounds the wait) instead of
            # kombu's publish retries; the outbox row is what gets retried.
            deliver_notification_task.apply_async(args=(notification_id,), retry=False)
        except BROKER_ERRORS:
            logger.warning(
                "Broker unavailable: notification %s stays pending for the requeue sweep",
                notification_id,
                exc_info=True,
            )
            break
        published += 1
    return published


@in_callers_transaction
def notify(
    *,
    recipient: User,
    event: str,
    title: str,
    body: str,
    channels: Sequence[str] = (Notification.Channel.INAPP,),
    subject: models.Model | None = None,
) -> list[Notification]:
    """OPS-3: notify ``recipient`` of ``event`` on each channel; one outbox row per channel.

    Runs in the caller's transaction: if it rolls back, nothing is recorded and nothing is sent.
    Email and SMS rows are queued for delivery on commit; in-app rows are delivered by being written.
    """
    wanted = list(dict.fromkeys(channels))  # de-duplicated, order kept
    unknown = [c for c in wanted if c not in Notification.Channel.values]
    if not wanted or unknown:
        raise InvalidInput(
            _("Unknown notification channel."),
            code="unknown_channel",
            errors={"channels": [", ".join(unknown) or _("At least one channel is required.")]},
        )
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    subject_id = subject.pk if subject is not None else None
    now = clock.now()

    notifications = []
    for channel in wanted:
        inapp = channel == Notification.Channel.INAPP
        notifications.append(
            Notification.objects.create(
                recipient=recipient,
                event=event,
                channel=channel,
                title=title,
                body=body,
                subject_type=subject_type,
                subject_id=subject_id,
                status=Notification.Status.SENT if inapp else Notification.Status.PENDING,
                sent_at=now if inapp else None,
            )
        )
    to_deliver = [n.pk for n in notifications if n.status == Notification.Status.PENDING]
    if to_deliver:
        transaction.on_commit(lambda: _publish_deliveries(to_deliver))
    return notifications


def _send(notification: Notification) -> str:
    """Hand the message to the channel's gateway; returns the provider's message id (may be empty)."""
    recipient = notification.recipient
    if notification.channel == Notification.Channel.EMAIL:
        assert recipient.email
        send_mail(
            subject=notification.title,
            message=notification.body,
            from_email=None,  # DEFAULT_FROM_EMAIL
            recipient_list=[recipient.email],
            fail_silently=False,
        )
        return ""
    if notification.channel == Notification.Channel.SMS:
        assert recipient.phone
        text = f"{notification.title}\n{notification.body}".strip()
        params = {"title": notification.title, "body": notification.body}
        return get_sms_backend().send(recipient.phone, text, event=notification.event, params=params)
    return ""  # in-app: being in the inbox is the delivery


def _missing_address(notification: Notification) -> str | None:
    recipient = notification.recipient
    if notification.channel == Notification.Channel.EMAIL and not recipient.email:
        return "recipient has no email address"
    if notification.channel == Notification.Channel.SMS and not recipient.phone:
        return "recipient has no mobile number"
    return None


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> str:
    """OPS-3: send one outbox row through its channel, once; on failure schedule a retry with backoff.

    Idempotent: the row is locked (``skip_locked``: another worker delivering it wins) and only a pending,
    due row is sent, so duplicate tasks from the sweep or a redelivered message send nothing more.
    The gateway is called while the row lock is held; if the process dies after the gateway accepted the
    message but before the commit, the row is retried and the message may go out twice (at-least-once).
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        now = now or clock.now()
        if notification is None or not notification.is_due(now):
            return Outcome.SKIPPED

        if missing := _missing_address(notification):
            notification.mark_undeliverable(error=missing)
            notification.save(update_fields=["status", "last_error", "next_attempt_at"])
            logger.warning("Notification %s undeliverable: %s", notification.pk, missing)
            return Outcome.FAILED

        try:
            with transaction.atomic():  # a gateway that writes (the sandbox) must not break our row update
                message_id = _send(notification)
        except SmsUndeliverable as exc:  # the provider says retrying cannot help (invalid number)
            notification.attempts += 1
            notification.mark_undeliverable(error=f"{type(exc).__name__}: {exc}")
            notification.save(update_fields=["attempts", "status", "last_error", "next_attempt_at"])
            logger.warning("Notification %s undeliverable: %s", notification.pk, exc)
            return Outcome.FAILED
        except Exception as exc:  # any gateway failure is recorded on the row and retried
            notification.mark_attempt_failed(
                now=now,
                error=f"{type(exc).__name__}: {exc}",
                max_attempts=settings.NOTIFICATIONS_MAX_ATTEMPTS,
            )
            wait = getattr(exc, "retry_after", None)  # the provider's own "not before" (Aliyun flow control)
            if wait is not None and notification.next_attempt_at is not None:
                notification.next_attempt_at = max(notification.next_attempt_at, now + wait)
            notification.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
            logger.warning(
                "Notification %s attempt %s failed: %s", notification.pk, notification.attempts, exc
            )
            return Outcome.FAILED if notification.status == Notification.Status.FAILED else Outcome.RETRY

        notification.mark_sent(now=now, provider_message_id=message_id)
        notification.save(update_fields=["status", "sent_at", "next_attempt_at", "provider_message_id"])
        return Outcome.SENT


def notifications_requeue_pending(*, now: datetime | None = None) -> int:
    """OPS-2, OPS-3: publish delivery again for pending rows that are due; returns how many were published.

    Due means: a retry whose time has come, or a row never attempted whose first publish was presumably
    lost (older than ``REQUEUE_GRACE``). Publishing twice is harmless: delivery is idempotent.
    """
    now = now or clock.now()
    ids = list(
        Notification.objects.filter(status=Notification.Status.PENDING)
        .filter(
            Q(next_attempt_at__isnull=True, created_at__lte=now - REQUEUE_GRACE) | Q(next_attempt_at__lte=now)
        )
        .order_by("id")
        .values_list("id", flat=True)[:REQUEUE_BATCH]
    )
    return _publish_deliveries(ids)


@transaction.atomic
def notifications_requeue(*, notification_ids: Iterable[int], actor: User) -> int:
    """OPS-3: staff send failed or stuck notifications again, with a fresh set of attempts.

    Sent rows are left alone. Returns how many rows were requeued.
    """
    rows = list(
        Notification.objects.select_for_update()
        .filter(pk__in=list(notification_ids))
        .exclude(status=Notification.Status.SENT)
        .order_by("pk")
    )
    for row in rows:
        row.status = Notification.Status.PENDING
        row.attempts = 0
        row.next_attempt_at = None
    Notification.objects.bulk_update(rows, ["status", "attempts", "next_attempt_at"])
    ids = [row.pk for row in rows]
    logger.info("User %s requeued notifications %s", actor.pk, ids)
    if ids:
        transaction.on_commit(lambda: _publish_deliveries(ids))
    return len(ids)


@transaction.atomic
def notification_mark_read(*, notification_id: int, actor: User) -> Notification:
    """SEC-1: the actor marks one of their own in-app notifications read (404 for anyone else's)."""
    notification = notification_get_for_user(user=actor, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    """The actor marks all their unread in-app notifications read; returns how many."""
    return Notification.objects.filter(
        recipient=actor, channel=Notification.Channel.INAPP, read_at__isnull=True
    ).update(read_at=clock.now())
