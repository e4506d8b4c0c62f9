"""Reads on users: basic permissions and their restrictions, privacy settings (USR-1)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections, router
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


class _TokenQuery:
    """Issue 26 (decision 049): the token look-up of ``tokens_for_authentication``, compiled to SQL once per
    process and database. Building and compiling the ORM query cost ~3 ms of CPU on every API request, ten
    times its execution; the statement is the same every time but for the key, so its SQL and its column
    converters are kept and only the key changes. Still one query, read at every request: a revoked token
    (logout, STF-3 offboarding, password change) stops working at the next request as before."""

    _KEY = "\x00token-key\x00"  # stands for the key while compiling; never a real key (hex)

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.models = (AuthToken, User, TokenSecondFactor)
        self.columns = [[f.attname for f in model._meta.concrete_fields] for model in self.models]
        holds_role = Exists(
            User.groups.through.objects.filter(
                user_id=OuterRef("user_id"), group__name__in=SECOND_FACTOR_ROLES
            )
        )
        names = [
            *self.columns[0],
            *(f"user__{name}" for name in self.columns[1]),
            *(f"second_factor__{name}" for name in self.columns[2]),
            "holds_role",
        ]
        query = (
            AuthToken.objects.using(alias)
            .filter(token_key=self._KEY)
            .annotate(holds_role=holds_role)
            .values_list(*names)
        )
        self.compiler = query.query.get_compiler(alias)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        self.key_index = self.params.index(self._KEY)

    def tokens(self, token_key: str) -> list[AuthToken]:
        params = list(self.params)
        params[self.key_index] = token_key
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = list(self.compiler.results_iter(results=[cursor.fetchall()]))
        token_cols, user_cols, factor_cols = self.columns
        ends = (
            len(token_cols),
            len(token_cols) + len(user_cols),
            len(token_cols) + len(user_cols) + len(factor_cols),
        )
        tokens = []
        for row in rows:
            token = AuthToken.from_db(self.alias, token_cols, row[: ends[0]])
            user = User.from_db(self.alias, user_cols, row[ends[0] : ends[1]])
            factor_row = row[ends[1] : ends[2]]
            factor = None
            if factor_row[0] is not None:  # the LEFT JOIN found a row (its primary key is the token)
                factor = TokenSecondFactor.from_db(self.alias, factor_cols, factor_row)
                _FACTOR_TOKEN.set_cached_value(factor, token)
            _TOKEN_USER.set_cached_value(token, user)
            _TOKEN_FACTOR.set_cached_value(token, factor)
            setattr(user, SECOND_FACTOR_ROLE_ATTRIBUTE, bool(row[ends[2]]))
            tokens.append(token)
        return tokens


_TOKEN_USER: Any = AuthToken._meta.get_field("user")
_FACTOR_TOKEN: Any = TokenSecondFactor._meta.get_field("token")
_TOKEN_FACTOR: Any = _FACTOR_TOKEN.remote_field
_token_queries: dict[str, _TokenQuery] = {}


def tokens_for_authentication(*, token_key: str) -> list[AuthToken]:
    """Issue 26: the API tokens with this key (knox's lookup prefix), in one query, each with its user, its
    ``TokenSecondFactor`` (SEC-3) and whether that user holds a second-factor role — everything the token
    authentication of one request reads. The statement is compiled once per process (``_TokenQuery``)."""
    alias = router.db_for_read(AuthToken)
    query = _token_queries.get(alias)
    if query is None:
        query = _token_queries[alias] = _TokenQuery(alias)
    return query.tokens(token_key)


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
