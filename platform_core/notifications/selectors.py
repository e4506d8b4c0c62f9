"""Reads of notifications, always scoped to the user who asks (SEC-1)."""

from typing import Any

from django.db.models import Count, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from platform_core.accounts.models import User
from platform_core.errors import NotFound
from platform_core.notifications.models import Notification


def notification_list_for_user(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's in-app inbox, newest first."""
    notifications = (
        Notification.objects.filter(recipient=user, channel=Notification.Channel.INAPP)
        .select_related("subject_type")
        .order_by("-created_at", "-id")
    )
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def notification_unread_count_subquery(recipient: Any) -> Coalesce:
    """How many in-app notifications of ``recipient`` (an ``OuterRef`` to a user) are unread, as an
    annotation: the seller centre's header badge rides on the membership query (no query of its own)."""
    unread = (
        Notification.objects.filter(
            recipient=recipient, channel=Notification.Channel.INAPP, read_at__isnull=True
        )
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def notification_get_for_user(*, user: User, notification_id: int) -> Notification:
    """One notification from the user's inbox; ``NotFound`` for anyone else's (SEC-1: never confirm it exists)."""
    notification = notification_list_for_user(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound(_("Notification not found."))
    return notification
