"""Writes on users: registration, tokens and sessions, role grants, restrictions of basic permissions
and privacy settings (USR-1), a staff member's own second factor (SEC-3) and the first administrator of an
installation (issue 21). Account deletion with anonymisation (USR-4) is ``platform_core.accounts.deletion``.
"""

from dataclasses import dataclass
from datetime import datetime

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import SESSION_KEY, password_validation
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from platform_core import clock
from platform_core.accounts.models import (
    PRIVACY_BEYOND_DEFAULTS,
    PRIVACY_BEYOND_DEFAULTS_PERMISSION,
    BasicPermission,
    PrivacySettings,
    TokenSecondFactor,
    User,
    UserRestriction,
)
from platform_core.accounts.roles import Role
from platform_core.accounts.selectors import user_may, user_restrictions_in_force
from platform_core.accounts.validators import normalise_mobile
from platform_core.audit.models import AuditEntry
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.locking import lock
from platform_core.notifications.services import notify

RESTRICT_PERMISSION = "accounts.add_userrestriction"


def _registration_validated(
    *, password: str, phone: str | None, email: str | None, name: str, check_taken: bool
) -> User:
    """The unsaved new user, or a ``ValidationError`` with every field's problems."""
    errors: dict[str, list[str]] = {}
    phone = normalise_mobile(phone) if phone else None
    email = User.objects.normalize_email(email).lower() if email else None
    if not phone and not email:
        errors["phone"] = [_("Give a mobile number or an email address.")]
    if check_taken and phone and User.objects.filter(phone=phone).exists():
        errors["phone"] = [_("This mobile number is already registered.")]
    if check_taken and email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("This email address is already registered.")]
    user = User(phone=phone, email=email, name=name)
    try:
        user.full_clean(exclude=["password"], validate_unique=check_taken)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    return user


@transaction.atomic
def user_register(
    *, password: str, phone: str | None = None, email: str | None = None, name: str = ""
) -> User:
    """A new account with a mainland mobile number or an email address that says when the contact is taken
    ("already registered"): the simulation's setup only. Issue 20 (low): no interface calls it; the API and
    the seller centre sign up with ``user_register_quietly``, which reveals nothing."""
    user = _registration_validated(password=password, phone=phone, email=email, name=name, check_taken=True)
    user.set_password(password)
    user.save()
    user_grant_role(user=user, role=Role.CUSTOMER)
    return user


@transaction.atomic
def user_register_quietly(
    *, password: str, phone: str | None = None, email: str | None = None, name: str = ""
) -> User | None:
    """Issue 20 (low): the sign-up of the API and of the seller centre's form, which never tells whether a
    mobile number or email address is registered. Input is validated as ``user_register`` does, except the
    "already registered" checks; when the contact is taken nothing is created (None), after the same
    password hashing work as a new account (no timing oracle). The caller answers the same either way and
    the person signs in with the password.
    """
    user = _registration_validated(password=password, phone=phone, email=email, name=name, check_taken=False)
    taken = Q(pk__in=[])
    if user.phone:
        taken |= Q(phone=user.phone)
    if user.email:
        taken |= Q(email__iexact=user.email)
    user.set_password(password)
    if User.objects.filter(taken).exists():
        return None
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # registered a moment ago by a concurrent request
        return None
    user_grant_role(user=user, role=Role.CUSTOMER)
    return user


def user_grant_role(*, user: User, role: str) -> None:
    user.groups.add(Group.objects.get(name=role))


def user_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """A new API token; only its digest is stored, the clear text is returned once."""
    return AuthToken.objects.create(user=user)


def user_tokens_revoke_all(*, user: User) -> int:
    """End every API token of the user at once (logout-all; STF-3 revocation uses it)."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def user_second_factor_verify(*, user: User, code: str, token: AuthToken | None) -> Device:
    """SEC-3 (decision 020): check the code of one of ``user``'s confirmed OTP devices (django-otp's own
    throttling and replay guard apply) and, with ``token``, mark that API token second-factor verified.

    Returns the device that accepted the code (the API view also records it in the session, if any). A
    wrong code is audited; its throttling state is committed before the refusal (not rolled back with it).
    """
    # django-otp locks the devices (select_for_update, its replay guard): inside a transaction, which a
    # request does not have (ATOMIC_REQUESTS is off); the throttling state of a wrong code is committed
    # with it, before the refusal below
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=True, for_verify=True))
        device = next((d for d in devices if d.verify_token(code.strip())), None)
        if devices and device is None:
            audit_record(actor=user, action="account.second_factor_failed", subject=user)
    if not devices:
        raise InvalidInput(
            _(
                "You have no authenticator set up. Set one up first: staff in the operations admin, "
                "shops in the seller centre (Authenticator)."
            ),
            code="no_otp_device",
            errors={"code": [_("You have no authenticator set up.")]},
        )
    if device is None:
        raise InvalidInput(
            _("The code is wrong or has expired."),
            code="invalid_otp",
            errors={"code": [_("The code is wrong or has expired.")]},
        )
    with transaction.atomic():
        if token is not None:
            TokenSecondFactor.objects.update_or_create(
                token=token, defaults={"device_id": device.persistent_id, "verified_at": clock.now()}
            )
        audit_record(actor=user, action="account.second_factor_verified", subject=user)
    return device


def login_failures_reset(*, user: User) -> None:
    """SEC-3: a successful sign-in clears the account's failed attempts (``AXES_RESET_ON_SUCCESS`` for the
    API, which signs in without Django's ``login()``)."""
    if settings.AXES_ENABLED and settings.AXES_RESET_ON_SUCCESS:
        axes_reset(username=f"account:{user.pk}")


def user_sessions_end(*, user: User) -> int:
    """STF-3, USR-4: delete every live session of ``user``; returns how many.

    Sessions are stored signed, not indexed by user, so this decodes the live sessions one by one. At our
    scale (a few thousand live admin and dashboard sessions) that costs milliseconds and needs no extra
    table to keep in sync; a ``UserSession`` map filled on login is the upgrade when it stops being so.
    Only the database session engine is supported (the platform's setting).
    """
    now = clock.now()
    uid = str(user.pk)
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=1000)
        if str(session.get_decoded().get(SESSION_KEY)) == uid
    ]
    deleted, _counts = Session.objects.filter(session_key__in=keys).delete()
    return deleted


def user_access_end(*, user: User) -> dict[str, int]:
    """STF-3, STF-5, USR-4: end every session and API token of ``user`` now."""
    return {
        "sessions_ended": user_sessions_end(user=user),
        "tokens_revoked": user_tokens_revoke_all(user=user),
    }


def notice_until(at: datetime | None) -> str:
    """The " until <local date and time>" part of a notice about something that ends (empty if it does not)."""
    if at is None:
        return ""
    return _(" until %(date)s") % {"date": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")}


# --- basic permissions and their restriction (USR-1) -----------------------------------------------------


@transaction.atomic
def user_restriction_impose(
    *,
    user: User,
    permission: str,
    reason: str,
    actor: User | None,
    ends_at: datetime | None = None,
) -> UserRestriction:
    """USR-1: restrict one basic permission as a penalty, from now until ``ends_at`` (or until lifted).

    Never without a reason; ``actor`` is staff holding ``accounts.add_userrestriction`` (None: the system,
    e.g. a penalty rule of another app). The user is notified with the reason.
    """
    if actor is not None and not (actor.is_active and actor.has_perm(RESTRICT_PERMISSION)):
        raise Forbidden(_("You may not restrict users' permissions."), code="not_allowed")
    if permission not in BasicPermission.values:
        raise InvalidInput(
            _("%(key)s is not a basic permission.") % {"key": permission},
            errors={
                "permission": [_("Choose one of: %(keys)s.") % {"keys": ", ".join(BasicPermission.values)}]
            },
        )
    if not reason.strip():
        raise InvalidInput(
            _("A basic permission is restricted only as a penalty with a reason."),
            code="reason_required",
            errors={"reason": [_("Give the reason for the penalty.")]},
        )
    now = clock.now()
    if ends_at is not None and ends_at <= now:
        raise InvalidInput(_("The restriction must end in the future."), errors={"ends_at": ["past"]})
    restriction = UserRestriction.objects.create(
        user=user, permission=permission, reason=reason, starts_at=now, ends_at=ends_at, imposed_by=actor
    )
    audit_record(
        actor=actor,
        action="account.permission_restricted",
        subject=restriction,
        after={"user": user.pk, "permission": permission, "ends_at": ends_at},
        reason=reason,
    )
    label = BasicPermission(permission).label
    until = notice_until(ends_at)
    notify(
        recipient=user,
        event="account.permission_restricted",
        title=_("Permission restricted"),
        body=_('Your permission "%(permission)s" is restricted%(until)s. Reason: %(reason)s')
        % {"permission": label, "until": until, "reason": reason},
        subject=restriction,
    )
    return restriction


@transaction.atomic
def user_restriction_lift(
    *, restriction: UserRestriction, reason: str, actor: User | None
) -> UserRestriction:
    """USR-1: end a restriction early (e.g. a penalty overturned on appeal); the user is notified."""
    if actor is not None and not (actor.is_active and actor.has_perm(RESTRICT_PERMISSION)):
        raise Forbidden(_("You may not restrict users' permissions."), code="not_allowed")
    restriction = UserRestriction.objects.select_for_update().select_related("user").get(pk=restriction.pk)
    if restriction.lifted_at is not None:
        raise Conflict(_("This restriction was already lifted."), code="already_lifted")
    restriction.lifted_at, restriction.lifted_by = clock.now(), actor
    restriction.save(update_fields=["lifted_at", "lifted_by"])
    audit_record(actor=actor, action="account.restriction_lifted", subject=restriction, reason=reason)
    notify(
        recipient=restriction.user,
        event="account.restriction_lifted",
        title=_("Permission restored"),
        body=_('Your permission "%(permission)s" is restored.')
        % {"permission": BasicPermission(restriction.permission).label},
        subject=restriction,
    )
    return restriction


@transaction.atomic
def user_active_set(*, user: User, active: bool, reason: str, actor: User) -> User:
    """USR-1, STF-3, issue 21: deactivate an account (every basic permission at once: a penalty, so only with a
    reason; its sessions and API tokens end now) or reactivate it. A staff account is offboarded first (STF-5:
    grants revoked, shared credentials rotated), never just switched off; nobody switches off their own.
    Holders of ``accounts.add_userrestriction``; audited, and the user is told why."""
    if not (actor.is_active and actor.has_perm(RESTRICT_PERMISSION)):
        raise Forbidden(_("You may not restrict users' permissions."), code="not_allowed")
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), code="reason_required", errors={"reason": [_("Required.")]})
    user = lock(User, user.pk)
    if user.pk == actor.pk or (not active and user.is_staff):
        raise Conflict(
            _("A staff account is deactivated by offboarding it (STF-5: staff profiles), not here."),
            code="staff_account",
        )
    if user.is_active == active:
        raise Conflict(_("The account is already in this state."), code="unchanged")
    user.is_active = active
    user.save(update_fields=["is_active"])
    action, ended = (
        ("account.reactivated", {}) if active else ("account.deactivated", user_access_end(user=user))
    )
    before, after = {"is_active": not active}, {"is_active": active, **ended}
    audit_record(actor=actor, action=action, subject=user, before=before, after=after, reason=reason)
    title = _("Account reactivated") if active else _("Account deactivated")
    body = _("Reason: %(reason)s") % {"reason": reason}
    notify(recipient=user, event=action, title=title, body=body, subject=user)
    return user


@transaction.atomic
def user_account_save(*, user: User, changed: list[str], actor: User) -> User:
    """Issue 21: the user admin's add and change pages (``user`` as their form filled it): saved and audited with
    the names of the fields set, never their values (SEC-2: personal data; a password only as "password")."""
    created = user.pk is None
    user.save()
    fields = sorted({"password" if name.startswith("password") else name for name in changed})
    action = "account.created_by_staff" if created else "account.details_changed"
    audit_record(actor=actor, action=action, subject=user, after={"fields": fields})
    return user


def basic_permission_require(*, user: User, permission: str) -> None:
    """USR-1: a basic permission restricted by a penalty refuses with the penalty's reason (403).

    Chapters call it before a review, like, favourite, follow…"""
    if user_may(user=user, permission=permission):
        return
    restriction = user_restrictions_in_force(user=user).filter(permission=permission).first()
    reason = restriction.reason if restriction is not None else _("Your account is not active.")
    raise Forbidden(
        _("This permission is restricted: %(reason)s") % {"reason": reason},
        code="permission_restricted",
        errors={permission: [str(reason)]},
    )


# --- privacy settings (USR-1, USR-2) ---------------------------------------------------------------------


@transaction.atomic
def privacy_settings_update(*, user: User, changes: dict[str, bool], actor: User) -> PrivacySettings:
    """USR-1, USR-2: the user changes their privacy settings; options beyond the defaults
    (``PRIVACY_BEYOND_DEFAULTS``) need the advanced permission ``staff.user_privacy_beyond_defaults``.
    """
    if actor.pk != user.pk:
        raise Forbidden(_("People change only their own privacy settings."), code="not_owner")
    unknown = sorted(set(changes) - set(PrivacySettings.DEFAULTS))
    if unknown:
        raise InvalidInput(
            _("Unknown privacy options."), errors={key: [_("Unknown option.")] for key in unknown}
        )
    beyond = sorted(key for key, value in changes.items() if (key, value) in PRIVACY_BEYOND_DEFAULTS)
    if beyond and not user.has_perm(PRIVACY_BEYOND_DEFAULTS_PERMISSION):
        message = _(
            "This option goes beyond the default privacy settings: apply for the permission to set "
            "privacy options beyond the defaults first."
        )
        raise Forbidden(
            message, code="privacy_permission_required", errors={key: [message] for key in beyond}
        )
    privacy, _created = PrivacySettings.objects.select_for_update().get_or_create(
        user=user, defaults=dict(PrivacySettings.DEFAULTS)
    )
    before = {key: getattr(privacy, key) for key in PrivacySettings.DEFAULTS}
    for key, value in changes.items():
        setattr(privacy, key, bool(value))
    privacy.save()
    audit_record(
        actor=actor,
        action="account.privacy_changed",
        subject=privacy,
        before=before,
        after={key: getattr(privacy, key) for key in PrivacySettings.DEFAULTS},
    )
    return privacy


# --- SEC-3, issue 21: the staff's own second factor, and the first administrator -----------------------

#: how many single-use backup codes a staff member gets with an authenticator (django-otp static device)
BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
BACKUP_CODES_NAME = "backup codes"


def _backup_codes_issue(*, user: User) -> list[str]:
    """New single-use backup codes (the old ones end): the clear codes are returned once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def second_factor_enrolment_start(*, user: User) -> TOTPDevice:
    """SEC-3: a staff member without a second factor gets an unconfirmed authenticator to scan (the same one
    until confirmed, so reloading the page shows the same QR code). Refused once one is confirmed."""
    user = lock(User, user.pk)
    if any(devices_for_user(user, confirmed=True)):
        raise Conflict(_("You already have a second factor."), code="second_factor_exists")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def second_factor_enrolment_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """SEC-3: the staff member types the authenticator's current code: the device is confirmed, backup codes
    issued (returned once) and the enrolment audited. A wrong code confirms nothing."""
    with transaction.atomic():
        user = lock(User, user.pk)
        device = lock(TOTPDevice, device.pk)
        if device.user_id != user.pk or device.confirmed or any(devices_for_user(user, confirmed=True)):
            raise Conflict(_("You already have a second factor."), code="second_factor_exists")
        accepted = device.verify_token(code.strip())  # django-otp's throttling state is kept either way
    if not accepted:
        raise InvalidInput(
            _("The code is wrong or has expired."),
            code="invalid_otp",
            errors={"code": [_("The code is wrong or has expired.")]},
        )
    with transaction.atomic():
        device = lock(TOTPDevice, device.pk)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _backup_codes_issue(user=user)
        audit_record(
            actor=user, action="account.second_factor_enrolled", subject=user, after={"device": device.name}
        )
    return codes


@dataclass(frozen=True)
class Bootstrap:
    """What ``bootstrap_platform`` shows once: the administrator, their authenticator and backup codes."""

    administrator: User
    created: bool
    device: TOTPDevice | None
    backup_codes: list[str]


BOOTSTRAP_ACTION = "platform.bootstrapped"


@transaction.atomic
def platform_bootstrap(*, email: str, phone: str, name: str, password: str) -> Bootstrap:
    """Issue 21: the first administrator of an empty installation, with a confirmed authenticator and
    backup codes (the only secrets shown, once). Run again with the same answers it changes nothing;
    with different answers, or once someone else administers the platform, it refuses."""
    answers = {
        "email": email.strip().lower(),
        "phone": normalise_mobile(phone) if phone else "",
        "name": name,
    }
    previous = AuditEntry.objects.filter(action=BOOTSTRAP_ACTION).order_by("pk").first()
    if previous is not None:
        administrator = User.objects.filter(pk=previous.subject_id).first() if previous.subject_id else None
        if administrator is None or previous.after != answers or not administrator.check_password(password):
            raise Conflict(
                _("The platform was already set up with different answers; nothing was changed."),
                code="already_bootstrapped",
            )
        return Bootstrap(administrator=administrator, created=False, device=None, backup_codes=[])
    if User.objects.filter(is_superuser=True).exists():
        raise Conflict(
            _("The platform already has an administrator; nothing was changed."), code="already_bootstrapped"
        )
    if User.objects.filter(email__iexact=answers["email"]).exists() or (
        answers["phone"] and User.objects.filter(phone=answers["phone"]).exists()
    ):
        raise Conflict(_("An account with this e-mail or mobile number exists."), code="account_exists")
    candidate = User(email=answers["email"], phone=answers["phone"] or None, name=name)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise InvalidInput(
            " ".join(exc.messages), code="weak_password", errors={"password": exc.messages}
        ) from exc
    administrator = User.objects.create_superuser(
        email=answers["email"], password=password, phone=answers["phone"] or None, name=name
    )
    device = TOTPDevice.objects.create(user=administrator, name=AUTHENTICATOR_NAME, confirmed=True)
    codes = _backup_codes_issue(user=administrator)
    audit_record(actor=None, action=BOOTSTRAP_ACTION, subject=administrator, after=answers)
    return Bootstrap(administrator=administrator, created=True, device=device, backup_codes=codes)


@transaction.atomic
def credential_delete(*, credential: Device | AuthToken, action: str, actor: User) -> None:
    """SEC-3: staff remove someone's authenticator, backup codes or API token (lost phone, leak); audited.
    The person enrols a new authenticator on their next sign-in."""
    owner = credential.user
    described = {"kind": type(credential).__name__, "name": str(getattr(credential, "name", ""))}
    credential.delete()
    audit_record(actor=actor, action=action, subject=owner, after=described)
