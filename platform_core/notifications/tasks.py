"""Delivery and the requeue sweep (OPS-2, OPS-3). Both are idempotent: the outbox row decides."""

import logging

from celery import Task, shared_task

from platform_core.notifications.services import notification_deliver, notifications_requeue_pending

logger = logging.getLogger(__name__)


@shared_task(name="notifications.deliver", bind=True, acks_late=True, ignore_result=True)
def deliver_notification_task(self: Task, notification_id: int) -> str:
    # No Celery retries: a failed attempt is recorded on the row with its next_attempt_at, and the
    # requeue sweep publishes it again when due, so retries survive a worker or broker restart.
    outcome = notification_deliver(notification_id=notification_id)
    logger.info("Notification %s: %s (task %s)", notification_id, outcome, self.request.id)
    return outcome


@shared_task(name="notifications.requeue_pending", ignore_result=True)
def requeue_pending_task() -> int:
    return notifications_requeue_pending()
