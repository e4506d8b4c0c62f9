"""Writes on users: registration, tokens, role grants."""

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from knox.models import AuthToken

from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.accounts.validators import normalise_mobile


@transaction.atomic
def user_register(
    *, password: str, phone: str | None = None, email: str | None = None, name: str = ""
) -> User:
    """A customer signs up with a mainland mobile number or an email address."""
    errors: dict[str, list[str]] = {}
    phone = normalise_mobile(phone) if phone else None
    email = User.objects.normalize_email(email).lower() if email else None
    if not phone and not email:
        errors["phone"] = [_("Give a mobile number or an email address.")]
    if phone and User.objects.filter(phone=phone).exists():
        errors["phone"] = [_("This mobile number is already registered.")]
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("This email address is already registered.")]
    user = User(phone=phone, email=email, name=name)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
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
