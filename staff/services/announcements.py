"""Announcements (STF-6)."""

from django.db import transaction
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import Forbidden, InvalidInput
from staff.models import Announcement

PUBLISH_PERMISSION = "staff.publish_announcement"


@transaction.atomic
def announcement_publish(*, title: str, body: str, actor: User) -> Announcement:
    """STF-6: only holders of the publishing permission publish announcements."""
    if not (actor.is_active and actor.has_perm(PUBLISH_PERMISSION)):
        raise Forbidden(_("You may not publish announcements."), code="not_a_publisher")
    if not title.strip() or not body.strip():
        raise InvalidInput(_("An announcement needs a title and a body."))
    announcement = Announcement.objects.create(
        title=title, body=body, published_by=actor, published_at=clock.now()
    )
    audit_record(
        actor=actor, action="staff.announcement_published", subject=announcement, after={"title": title}
    )
    return announcement
