"""Writing the audit log (AUD-1)."""

import re
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from platform_core.accounts.models import User
from platform_core.audit.chain import GENESIS_HASH, jsonable
from platform_core.audit.models import AuditEntry

# Key of the PostgreSQL advisory lock that serialises appends ("auditlog" in ASCII).
AUDIT_CHAIN_LOCK_KEY = int.from_bytes(b"auditlog", "big")

SYSTEM_ACTOR_REPR = "system"

_ACTION_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def audit_record(
    *,
    actor: User | None,
    action: str,
    subject: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """AUD-1: append an entry to the hash-chained audit log.

    Call it inside the acting transaction: the entry commits or rolls back with the change it records.
    ``actor`` is None for the system (Celery, beat). ``action`` is ``<entity>.<past tense verb>``, e.g.
    ``order.shipped``. ``before``/``after`` must be JSON-serialisable with ``DjangoJSONEncoder``
    (Decimals and datetimes are stored as strings).

    Appends are serialised so the chain never forks: on PostgreSQL by a transaction-level advisory lock
    taken before the last entry is read (held until the acting transaction ends, so call this late in
    the service); SQLite serialises writers itself. The unique ``prev_hash`` backs both up.
    """
    if not _ACTION_RE.match(action):
        raise ValueError(f"Audit action must look like 'entity.past_tense_verb', got {action!r}.")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
        prev_hash = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
        entry = AuditEntry(
            at=timezone.now(),
            actor=actor,
            actor_repr=str(actor)[:255] if actor is not None else SYSTEM_ACTOR_REPR,
            action=action,
            subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
            subject_id=str(subject.pk) if subject is not None else None,
            subject_repr=str(subject)[:255] if subject is not None else "",
            before=jsonable(before),
            after=jsonable(after),
            reason=reason,
            prev_hash=prev_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
    return entry
