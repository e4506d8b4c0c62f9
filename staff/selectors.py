"""Reads of the staff chapter, scoped to the actor (SEC-1)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.deadlines.selectors import deadline_time_left
from platform_core.errors import Forbidden, NotFound
from platform_core.org.permissions import REGISTRY, PermissionSpec, admin_right_keys
from staff.clocks import REVIEW_RULE
from staff.models import Announcement, Department, PermissionApplication, PermissionGrant, TrainingAttendance

REVIEW_PERMISSION = "staff.review_permission_application"


def staff_admin_cap() -> int:
    """STF-4: how many people may hold platform-administrator rights (``STAFF_ADMIN_CAP``, default 5)."""
    return settings.STAFF_ADMIN_CAP


def admin_right_permissions() -> QuerySet[Permission]:
    query = Q(pk__in=[])
    for key in admin_right_keys():
        app_label, codename = key.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def administrator_list() -> QuerySet[User]:
    """STF-4: active users holding administrator rights: superusers, and holders of an admin-right permission."""
    permissions = admin_right_permissions()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=permissions)
            | Q(groups__permissions__in=permissions)
        )
        .distinct()
    )


def user_is_reviewer(user: User) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(REVIEW_PERMISSION))


def permission_application_list_for_applicant(*, applicant: User) -> QuerySet[PermissionApplication]:
    """An applicant's own applications, newest first."""
    return (
        PermissionApplication.objects.filter(applicant=applicant)
        .select_related("permission__content_type", "applicant", "reviewer", "identity")
        .order_by("-submitted_at", "-id")
    )


def permission_application_queue_for_reviewer(*, reviewer: User) -> QuerySet[PermissionApplication]:
    """STF-2: open applications, oldest first, that ``reviewer`` may decide (never their own)."""
    escalated_to_them = Q(escalated_to=reviewer)
    if user_is_reviewer(reviewer):
        scope = Q()
    elif reviewer.is_active and PermissionApplication.objects.filter(escalated_to_them).exists():
        scope = escalated_to_them
    else:
        raise Forbidden(_("You may not review permission applications."), code="not_a_reviewer")
    return (
        PermissionApplication.objects.filter(scope, status=PermissionApplication.Status.SUBMITTED)
        .exclude(applicant=reviewer)
        .select_related("permission__content_type", "applicant", "reviewer", "identity")
        .order_by("submitted_at", "id")
    )


def permission_application_get_for_user(*, user: User, application_id: int) -> PermissionApplication:
    """SEC-1: the applicant, a reviewer or the person it was escalated to sees it; anyone else gets 404."""
    application = (
        PermissionApplication.objects.select_related(
            "permission__content_type", "applicant", "reviewer", "identity"
        )
        .filter(pk=application_id)
        .first()
    )
    if application is None or not (
        application.applicant_id == user.pk
        or application.escalated_to_id == user.pk
        or user_is_reviewer(user)
    ):
        raise NotFound(_("No such permission application."))
    return application


def permission_application_time_left(application: PermissionApplication) -> timedelta | None:
    """STF-2: time left of the 5-working-day review clock (negative when overdue; None when decided)."""
    if application.status != PermissionApplication.Status.SUBMITTED:
        return None
    return deadline_time_left(rule=REVIEW_RULE, subject=application, now=clock.now())


def permission_grant_list_active(*, user: User) -> QuerySet[PermissionGrant]:
    return PermissionGrant.objects.filter(
        user=user, revoked_at__isnull=True, lapsed_at__isnull=True
    ).select_related("permission__content_type")


def permission_grant_get_for_holder(*, user: User, grant_id: int) -> PermissionGrant:
    """SEC-1: one of ``user``'s own grants; anyone else's is 404."""
    grant = (
        PermissionGrant.objects.select_related("permission__content_type")
        .filter(pk=grant_id, user=user)
        .first()
    )
    if grant is None:
        raise NotFound(_("No such permission grant."))
    return grant


# --- users' advanced permissions at a glance (USR-1, USR-2) ------------------------------------------------


@dataclass(frozen=True)
class AdvancedPermissionState:
    """USR-1: one advanced permission open to the person, and where they stand with it."""

    spec: PermissionSpec
    state: str  # "held", "pending" or "available"
    grant: PermissionGrant | None
    application: PermissionApplication | None

    @property
    def expires_at(self) -> datetime | None:
        return self.grant.expires_at if self.grant else None


def advanced_permissions_for(*, user: User) -> list[AdvancedPermissionState]:
    """USR-1: every advanced permission the person's audience may hold: held, pending (open application)
    or available to apply for. Users see the user permissions, staff the staff ones.
    """
    grants = {_grant_key(g): g for g in permission_grant_list_active(user=user)}
    pending = {
        a.permission_key: a
        for a in PermissionApplication.objects.filter(
            applicant=user, status=PermissionApplication.Status.SUBMITTED
        ).select_related("permission__content_type")
    }
    states: list[AdvancedPermissionState] = []
    for key in sorted(REGISTRY):
        spec = REGISTRY[key]
        if not spec.is_advanced or not spec.open_to(is_staff=user.is_staff):
            continue
        grant, application = grants.get(key), pending.get(key)
        state = "held" if grant else "pending" if application else "available"
        states.append(AdvancedPermissionState(spec=spec, state=state, grant=grant, application=application))
    return states


def _grant_key(grant: PermissionGrant) -> str:
    return f"{grant.permission.content_type.app_label}.{grant.permission.codename}"


# --- training (STF-8) ----------------------------------------------------------------------------------------


def training_passed_by(user: User, training_code: str) -> bool:
    """STF-8: has ``user`` passed the course ``training_code``? (registered on ``platform_core.org.permissions.training_checks``)"""
    return TrainingAttendance.objects.filter(
        person=user, session__course__code=training_code, passed=True
    ).exists()


def learning_record_for(*, user: User) -> QuerySet[TrainingAttendance]:
    """STF-8: a person's learning record (学习档案): every session attended or missed, score and result."""
    return (
        TrainingAttendance.objects.filter(person=user)
        .select_related("session__course", "session__trainer", "recorded_by")
        .order_by("-session__starts_at", "-id")
    )


def department_head(*, code: str) -> User | None:
    """STF-1: the active head of the department ``code`` (``Department.Code``), or ``None`` if none is set.

    Other chapters escalate overdue work to a department head through this (e.g. MER-2: operations)."""
    department = Department.objects.filter(code=code).select_related("head").first()
    head = department.head if department is not None else None
    return head if head is not None and head.is_active else None


# --- STF-6: announcements as customers and merchants see them ------------------------------------------

#: how long a new announcement is shown as a banner in the seller centre until the member reads the list
ANNOUNCEMENT_BANNER_DAYS = 14


def announcement_list_published() -> QuerySet[Announcement]:
    """STF-6: the published announcements, newest first (the customers' API and the seller centre's list)."""
    return Announcement.objects.filter(published_at__lte=clock.now()).order_by("-published_at", "-pk")


def announcement_banner_annotations(*, read_up_to: int) -> dict[str, Any]:
    """STF-6: a subquery (``merchants.dashboard_banner_queries``): the title of the newest announcement of
    the last ``ANNOUNCEMENT_BANNER_DAYS`` days after the one with id ``read_up_to`` (the newest the member
    has seen), or NULL."""
    since = clock.now() - timedelta(days=ANNOUNCEMENT_BANNER_DAYS)
    unread = announcement_list_published().filter(published_at__gte=since, pk__gt=read_up_to)
    return {"stf6_announcement": Subquery(unread.values("title")[:1])}
