from typing import Any

import factory

from platform_core.audit.models import AuditEntry
from platform_core.audit.services import audit_record, audit_seal
from tests.factories.accounts import StaffFactory


class AuditEntryFactory(factory.Factory[AuditEntry]):
    """Entries are only ever appended through ``audit_record``, so the factory goes through it too; the
    entry comes back sealed (the sealer runs at once, as it would seconds after a commit)."""

    class Meta:
        model = AuditEntry

    actor = factory.SubFactory(StaffFactory)
    action = "thing.happened"
    subject = None
    before = None
    after = factory.Sequence(lambda n: {"n": n})
    reason = ""

    @classmethod
    def _create(cls, model_class: type[AuditEntry], *args: Any, **kwargs: Any) -> AuditEntry:
        entry = audit_record(**kwargs)
        audit_seal()
        return AuditEntry.objects.get(pk=entry.pk)
