"""Reads on users: basic permissions and their restrictions, privacy settings (USR-1)."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_otp import devices_for_user
from knox.models import AuthToken

from platform_core import clock
from platform_core.accounts.models import (
    BasicPermission,
    PrivacySettings,
    TokenSecondFactor,
    User,
    UserRestriction,
)
from platform_core.accounts.roles import STAFF_ROLES, Role


@dataclass(frozen=True)
class BasicPermissionState:
    """USR-1: one basic permission as its holder sees it."""

    key: str
    label: str
    active: bool
    restriction: UserRestriction | None  # the penalty in force, with its reason and end


def user_restrictions_in_force(*, user: User, at: datetime | None = None) -> QuerySet[UserRestriction]:
    """USR-1: the user's restrictions in force at ``at`` (now), newest first."""
    at = at or clock.now()
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


def user_needs_second_factor(user: object) -> bool:
    """SEC-3 (decision 020): must this account pass a second factor before it may use the API?

    Staff and auditors (``is_staff``, superusers, or a staff or auditor role) when ``STAFF_REQUIRE_OTP`` is
    on; customers and merchants' members never.
    """
    if not settings.STAFF_REQUIRE_OTP or not isinstance(user, User) or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    known = getattr(user, SECOND_FACTOR_ROLE_ATTRIBUTE, None)  # read with the token (one query)
    if known is not None:
        return bool(known)
    return user.groups.filter(name__in=SECOND_FACTOR_ROLES).exists()


#: the roles whose holders pass a second factor (besides ``is_staff`` and superusers)
SECOND_FACTOR_ROLES = [Role.AUDITOR, *STAFF_ROLES]
#: set on the user by ``tokens_for_authentication``: does it hold one of ``SECOND_FACTOR_ROLES``?
SECOND_FACTOR_ROLE_ATTRIBUTE = "_holds_second_factor_role"


def tokens_for_authentication(*, token_key: str) -> list[AuthToken]:
    """Issue 26: the API tokens with this key (knox's lookup prefix), in one query, each with its user, its
    ``TokenSecondFactor`` (SEC-3) and whether that user holds a second-factor role — everything the token
    authentication of one request reads."""
    holds_role = Exists(
        User.groups.through.objects.filter(user_id=OuterRef("user_id"), group__name__in=SECOND_FACTOR_ROLES)
    )
    tokens = list(
        AuthToken.objects.filter(token_key=token_key)
        .select_related("user", "second_factor")
        .annotate(holds_role=holds_role)
    )
    for token in tokens:
        setattr(token.user, SECOND_FACTOR_ROLE_ATTRIBUTE, token.holds_role)
    return tokens


def token_second_factor_passed(*, token: AuthToken) -> bool:
    """SEC-3: did the holder of this API token pass the second factor with it? (Read from the token when
    ``tokens_for_authentication`` loaded it, else one query.)"""
    try:
        return token.second_factor is not None
    except TokenSecondFactor.DoesNotExist:
        return False


def second_factor_enrolment_needed(user: object) -> bool:
    """SEC-3, issue 21: a staff account that must pass a second factor and has none yet enrols its own
    authenticator on its first sign-in (signed in with the password only, it may open nothing else)."""
    if not user_needs_second_factor(user):
        return False
    return not any(devices_for_user(user, confirmed=True))
