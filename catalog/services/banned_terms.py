"""CAT-3: the phrases the pre-screen looks for (hard: a listing cannot be submitted; soft: flagged for the
reviewer of CAT-4), kept in the admin; every creation and change is audited. Retired with ``is_active``."""

from typing import Any

from django.utils.translation import gettext as _

from catalog.models import BannedTerm
from platform_core.accounts.models import User
from platform_core.audit.services import audited_save
from platform_core.errors import InvalidInput

BANNED_TERM_FIELDS = ("phrase", "severity", "reason", "is_active")


def banned_term_save(*, term: BannedTerm | None, data: dict[str, Any], actor: User) -> BannedTerm:
    """Create a banned term (``term`` None) or change one; ``data`` holds ``BANNED_TERM_FIELDS``. The phrase is
    stored trimmed (the pre-screen matches it as written); a hard ban says why (the merchant is shown it)."""
    data = {**data, "phrase": str(data.get("phrase") or "").strip()}
    errors: dict[str, list[str]] = {}
    if not data["phrase"]:
        errors["phrase"] = [_("Required.")]
    if data.get("severity") == BannedTerm.Severity.HARD and not str(data.get("reason") or "").strip():
        errors["reason"] = [_("A hard ban blocks submission: say why (the merchant reads it).")]
    if errors:
        raise InvalidInput(_("The banned term is not valid."), errors=errors)
    return audited_save(
        model=BannedTerm,
        obj=term,
        data=data,
        fields=BANNED_TERM_FIELDS,
        actor=actor,
        entity="catalog.banned_term",
    )
