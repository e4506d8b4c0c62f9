"""Real identity (USR-2, SEC-2): a user's application carries their real name and resident ID."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from platform_core.accounts.masking import mask_id_number
from platform_core.accounts.validators import normalise_resident_id, validate_resident_id
from platform_core.errors import InvalidInput
from staff.models import IdentityVerification, PermissionApplication


def _identity_clean(*, real_name: str, id_number: str) -> tuple[str, str]:
    """USR-2: a real name and a valid 18-digit resident ID (check digit, birth date); field errors otherwise."""
    errors: dict[str, list[str]] = {}
    real_name = (real_name or "").strip()
    number = normalise_resident_id(id_number)
    if not real_name:
        errors["real_name"] = [_("Give your real name as on your ID card.")]
    if not number:
        errors["id_number"] = [_("Give your 18-digit resident ID number.")]
    else:
        try:
            validate_resident_id(number)
        except ValidationError as exc:
            errors["id_number"] = [str(message) for message in exc.messages]
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, code="invalid_identity", errors=errors)
    return real_name, number


def _identity_attach(
    *, application: PermissionApplication, real_name: str, id_number: str, material: dict[str, Any] | None
) -> IdentityVerification:
    return IdentityVerification.objects.create(
        application=application,
        user=application.applicant,
        real_name=real_name,
        id_number=id_number,
        id_number_masked=mask_id_number(id_number),
        material=material or {},
    )
