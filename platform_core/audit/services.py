"""Writing the audit log (AUD-1)."""

import logging
import os
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from platform_core.accounts.models import User
from platform_core.audit.chain import (
    ANCHOR_FILE,
    GENESIS_HASH,
    canonical_json,
    jsonable,
    keyed_digest,
    signing_key,
)
from platform_core.audit.models import AuditEntry

# Key of the PostgreSQL advisory lock that serialises appends ("auditlog" in ASCII).
AUDIT_CHAIN_LOCK_KEY = int.from_bytes(b"auditlog", "big")

SYSTEM_ACTOR_REPR = "system"

logger = logging.getLogger(__name__)

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
        key_id, _key = signing_key()
        entry = AuditEntry(
            key_id=key_id,
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
        entry.hash = entry.compute_hash() or ""
        entry.save()
    return entry


def audit_anchor_write() -> dict[str, Any] | None:
    """AUD-1: anchor the chain head outside the database (beat, every ``AUDIT_ANCHOR_INTERVAL_SECONDS``).

    Appends ``{"at", "entry_id", "hash", "key_id", "mac"}`` as one JSON line to
    ``AUDIT_ANCHOR_DIR/anchors.jsonl`` (the backup location) and writes the same to the log, so that a
    tail deleted or rewritten later, with the triggers disabled, no longer matches what was anchored
    (``audit_chain_verify``). ``mac`` is an HMAC under the chain key, so an anchor cannot be forged
    without it. Nothing is written while the log is empty or its head is the one anchored last.
    """
    from platform_core.audit.selectors import audit_anchors_recent

    head = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    if head is None:
        return None
    entry_id, head_hash = head
    recent = audit_anchors_recent(limit=1)
    if recent and recent[-1].entry_id == entry_id and recent[-1].hash == head_hash:
        return None
    key_id, key = signing_key()
    at = timezone.now().isoformat()
    anchor: dict[str, Any] = {"at": at, "entry_id": entry_id, "hash": head_hash, "key_id": key_id}
    anchor["mac"] = keyed_digest(key, [at, entry_id, head_hash, key_id])
    directory = Path(settings.AUDIT_ANCHOR_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ANCHOR_FILE).open("a", encoding="utf-8") as file:
        file.write(canonical_json(anchor) + "\n")
        file.flush()
        os.fsync(file.fileno())
    logger.info("audit chain anchored", extra={"audit_anchor": anchor})
    return anchor
