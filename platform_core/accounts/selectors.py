"""Reads on users: basic permissions and their restrictions, privacy settings (USR-1)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from platform_core.accounts.models import BasicPermission, PrivacySettings, User, UserRestriction


@dataclass(frozen=True)
class BasicPermissionState:
    """USR-1: one basic permission as its holder sees it."""

    key: str
    label: str
    active: bool
    restriction: UserRestriction | None  # the penalty in force, with its reason and end


def user_restrictions_in_force(*, user: User, at: datetime | None = None) -> QuerySet[UserRestriction]:
    """USR-1: the user's restrictions in force at ``at`` (now), newest first."""
    at = at or timezone.now()
    return (
        UserRestriction.objects.filter(user=user, lifted_at__isnull=True, starts_at__lte=at)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .order_by("-starts_at", "-id")
    )


def user_may(*, user: User, permission: str) -> bool:
    """USR-1: may ``user`` use the basic permission now? Apps check this before a review, like, follow…"""
    return user.is_active and not user_restrictions_in_force(user=user).filter(permission=permission).exists()


def basic_permissions_for(*, user: User) -> list[BasicPermissionState]:
    """USR-1: every basic permission, active or restricted by a penalty (with its reason)."""
    in_force: dict[str, UserRestriction] = {}
    for restriction in user_restrictions_in_force(user=user):
        in_force.setdefault(restriction.permission, restriction)
    return [
        BasicPermissionState(
            key=str(choice.value),
            label=str(choice.label),
            active=choice.value not in in_force,
            restriction=in_force.get(choice.value),
        )
        for choice in BasicPermission
    ]


def privacy_settings_for(*, user: User) -> PrivacySettings:
    """USR-1: the user's privacy settings; the defaults (unsaved) until they first change one."""
    settings = PrivacySettings.objects.filter(user=user).first()
    return settings if settings is not None else PrivacySettings(user=user, **PrivacySettings.DEFAULTS)
