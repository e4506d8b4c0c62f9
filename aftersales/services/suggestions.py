"""MSG-3: suggestions."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.models import Suggestion
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import InvalidInput

SUGGESTION_MAX_TAGS = 10


@transaction.atomic
def suggestion_record(*, user: User, text: str, tags: Sequence[str] = (), actor: User) -> Suggestion:
    """MSG-3: a user's feedback or suggestion, recorded with its tags (lower-cased, de-duplicated)."""
    text = text.strip()
    if not text:
        raise InvalidInput(_("Write your suggestion."), errors={"text": [_("Empty.")]})
    clean = list(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))
    if len(clean) > SUGGESTION_MAX_TAGS:
        raise InvalidInput(
            _("At most %(n)d tags.") % {"n": SUGGESTION_MAX_TAGS}, errors={"tags": [_("Too many.")]}
        )
    suggestion = Suggestion.objects.create(user=user, text=text, tags=clean)
    audit_record(actor=actor, action="suggestion.recorded", subject=suggestion, after={"tags": clean})
    return suggestion
