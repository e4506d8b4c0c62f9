"""Customer service's prepared answers (AFS-3, CMP-2: quick, consistent replies to requests and complaints),
kept in the admin; every creation and change is audited. Retired with ``is_active``, never deleted."""

from typing import Any

from django.utils.translation import gettext as _

from aftersales.models import CannedResponse
from platform_core.accounts.models import User
from platform_core.audit.services import audited_save
from platform_core.errors import InvalidInput

CANNED_RESPONSE_FIELDS = ("title", "body", "applies_to", "is_active")


def canned_response_save(
    *, response: CannedResponse | None, data: dict[str, Any], actor: User
) -> CannedResponse:
    """Create a canned response (``response`` None) or change one; ``data`` holds ``CANNED_RESPONSE_FIELDS``.
    A title and a text that are not only spaces (staff send the text as it is)."""
    errors = {
        field: [_("Required.")] for field in ("title", "body") if not str(data.get(field) or "").strip()
    }
    if errors:
        raise InvalidInput(_("The canned response is not complete."), errors=errors)
    return audited_save(
        model=CannedResponse,
        obj=response,
        data=data,
        fields=CANNED_RESPONSE_FIELDS,
        actor=actor,
        entity="aftersales.canned_response",
    )
