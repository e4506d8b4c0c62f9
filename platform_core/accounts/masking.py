"""SEC-2: personal data (names, phones, ID numbers, addresses) masked for viewers who may not see it.

Pure functions for lists, API responses, logs and exports, and the two checks around an unmasked view:
``may_view_personal_data`` (the ``staff.view_personal_data`` permission, held by grant and checked by
name so the kernel imports no chapter app) and ``personal_data_viewed``, which audits each unmasked view
or export (AUD-1)::

    phone = user.phone if may_view_personal_data(viewer) else mask_phone(user.phone)
    if may_view_personal_data(viewer):
        personal_data_viewed(viewer=viewer, subject=user, fields=["phone"], purpose="order support")
"""

from collections.abc import Iterable
from typing import Any

from django.db import models

MASK = "*"
VIEW_PERSONAL_DATA_PERMISSION = "staff.view_personal_data"


def mask_phone(value: str | None) -> str:
    """``13812341234`` → ``138****1234``; a short or foreign number keeps at most its last 4 digits."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) >= 11:
        return digits[:3] + MASK * (len(digits) - 7) + digits[-4:]
    if len(digits) > 4:
        return MASK * (len(digits) - 4) + digits[-4:]
    return MASK * len(digits)


def mask_id_number(value: str | None) -> str:
    """Resident ID (or any document number): first 3 and last 4 characters kept, ``110***********1234``."""
    if not value:
        return ""
    text = value.strip()
    if len(text) <= 7:
        return MASK * len(text)
    return text[:3] + MASK * (len(text) - 7) + text[-4:]


def mask_name(value: str | None) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***``; Latin names keep each word's first letter: ``J*** S****``."""
    if not value:
        return ""
    text = value.strip()
    if text.isascii():
        return " ".join(word[0] + MASK * (len(word) - 1) for word in text.split())
    return text[0] + MASK * (len(text) - 1)


def mask_address(value: str | None, *, keep: int = 6) -> str:
    """Keep the region (the first ``keep`` characters: province, city), mask the street and number.

    ``北京市朝阳区建国路88号SOHO现代城`` → ``北京市朝阳区****``. Fixed-length mask, so the length leaks nothing.
    """
    if not value:
        return ""
    text = value.strip()
    if len(text) <= keep:
        return MASK * 4
    return text[:keep] + MASK * 4


def mask_bank_account(value: str | None) -> str:
    """Bank card or account number: only the last 4 digits, ``**** 1234``."""
    if not value:
        return ""
    digits = value.replace(" ", "")
    return f"{MASK * 4} {digits[-4:]}" if len(digits) > 4 else MASK * len(digits)


def may_view_personal_data(user: Any) -> bool:
    """SEC-2: may ``user`` see personal data unmasked? Needs the ``staff.view_personal_data`` permission."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and user.has_perm(VIEW_PERSONAL_DATA_PERMISSION)
    )


def personal_data_viewed(
    *,
    viewer: Any,
    subject: models.Model | None,
    fields: Iterable[str],
    purpose: str = "",
    export: bool = False,
) -> None:
    """SEC-2, AUD-1: record one unmasked view (or export) of ``fields`` of ``subject`` by ``viewer``.

    Call inside the request's transaction, once per object shown unmasked (or once per export, with
    ``subject=None`` and the export's filters in ``purpose``).
    """
    from platform_core.audit.services import audit_record

    audit_record(
        actor=viewer,
        action="personal_data.exported" if export else "personal_data.viewed",
        subject=subject,
        after={"fields": sorted(set(fields))},
        reason=purpose,
    )
