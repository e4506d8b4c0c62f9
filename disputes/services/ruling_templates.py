"""DSP-3: the committee's templates of written reasons, kept in the admin; every creation and change is
audited. Retired with ``is_active``, never deleted (rulings were written from them)."""

import re
from typing import Any

from django.utils.translation import gettext as _

from disputes.models import RulingTemplate
from platform_core.accounts.models import User
from platform_core.audit.services import audited_save
from platform_core.errors import InvalidInput

#: as the ruling form fills them (``disputes.selectors.ruling_template_text``)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

RULING_TEMPLATE_FIELDS = ("kind", "name_zh", "name_en", "reasons", "is_active")


def ruling_template_save(
    *, template: RulingTemplate | None, data: dict[str, Any], actor: User
) -> RulingTemplate:
    """Create a template (``template`` None) or change one; ``data`` holds ``RULING_TEMPLATE_FIELDS``. The
    reasons may use only the placeholders the ruling form fills (``RulingTemplate.PLACEHOLDERS``)."""
    reasons = str(data.get("reasons") or "")
    names = set(_PLACEHOLDER.findall(reasons))
    unknown = sorted(names - set(RulingTemplate.PLACEHOLDERS))
    if unknown or not reasons.strip():
        message = (
            _("Unknown placeholder %(names)s; use only: %(known)s.")
            % {
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in RulingTemplate.PLACEHOLDERS),
            }
            if unknown
            else _("Required.")
        )
        raise InvalidInput(_("The template is not valid."), errors={"reasons": [message]})
    return audited_save(
        model=RulingTemplate,
        obj=template,
        data=data,
        fields=RULING_TEMPLATE_FIELDS,
        actor=actor,
        entity="disputes.ruling_template",
    )
