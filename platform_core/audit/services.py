"""Writing the audit log (AUD-1)."""

import logging
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from platform_core import clock
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
from platform_core.errors import Forbidden, InvalidInput
from platform_core.locking import lock
from platform_core.upsert import insert_together

M = TypeVar("M", bound=models.Model)

# Key of the PostgreSQL advisory lock only the sealer takes ("auditlog" in ASCII): writers take no lock.
AUDIT_SEAL_LOCK_KEY = int.from_bytes(b"auditlog", "big")
#: the cache key that debounces the after-commit nudges to the sealer
_NUDGE_CACHE_KEY = "audit:seal-nudged"
#: when this process last nudged (``time.monotonic()``): within a second the cache is not asked again
_last_nudge = [float("-inf")]

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
    together_with: Sequence[models.Model] = (),
) -> AuditEntry:
    """AUD-1: append an entry to the audit log; the sealer chains it after commit.

    Call it inside the acting transaction: the entry commits or rolls back with the change it records.
    ``actor`` is None for the system (Celery, beat). ``action`` is ``<entity>.<past tense verb>``, e.g.
    ``order.shipped``. ``before``/``after`` must be JSON-serialisable with ``DjangoJSONEncoder``
    (Decimals and datetimes are stored as strings).

    ``together_with``: new, unsaved rows recording the same change (the subject's timeline row), written
    in the same statement as the entry (``platform_core.upsert.insert_together``).

    One INSERT and no lock (issue 26): the entry carries the HMAC of its content (``mac``) and no place in
    the chain yet; after commit a nudge asks the sealer (``audit_seal``) to give it its sequence number
    and chained hash (unless ``AUDIT_SEAL_NUDGE`` is off), and beat runs the sealer every
    ``AUDIT_SEAL_INTERVAL_SECONDS`` anyway.
    """
    if not _ACTION_RE.match(action):
        raise ValueError(f"Audit action must look like 'entity.past_tense_verb', got {action!r}.")
    key_id, _key = signing_key()
    # issue 21 (decision 046): the stored names do not depend on the writer's language (the untranslated
    # msgids, "Order 2026…"): the MAC covers them, and a reader sees the subject named in their own
    # language at read time (``audit_subject_names``)
    with translation.override(None):
        actor_repr = str(actor)[:255] if actor is not None else SYSTEM_ACTOR_REPR
        subject_repr = str(subject)[:255] if subject is not None else ""
    entry = AuditEntry(
        key_id=key_id,
        at=clock.now(),
        actor=actor,
        actor_repr=actor_repr,
        action=action,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=str(subject.pk) if subject is not None else None,
        subject_repr=subject_repr,
        before=jsonable(before),
        after=jsonable(after),
        reason=reason,
    )
    entry.mac = entry.compute_mac() or ""
    # ``together_with``: new rows of the same change (a timeline row) inserted in the same statement
    insert_together(*together_with, entry)
    if settings.AUDIT_SEAL_NUDGE:
        transaction.on_commit(_nudge_sealer)
    return entry


def audit_fields(obj: models.Model, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``obj``'s values of ``fields`` as an audit entry stores them (a relation by its id, a many-to-many as the
    sorted ids): the ``before`` / ``after`` of ``audit_changes``."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else []
        elif field.is_relation:
            values[name] = getattr(obj, f"{name}_id")
        else:
            values[name] = getattr(obj, name)
    return jsonable(values) or {}


def audit_changes(
    *,
    actor: User | None,
    action: str,
    subject: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    reason: str = "",
) -> AuditEntry | None:
    """AUD-1, issue 21: a record kept in the admin was created (``before`` None: every value in ``after``) or
    changed (only the values that changed, before and after); nothing is written when nothing changed."""
    if before is None:
        return audit_record(actor=actor, action=action, subject=subject, after=after, reason=reason)
    changed = [name for name, value in after.items() if before.get(name) != value]
    if not changed:
        return None
    return audit_record(
        actor=actor,
        action=action,
        subject=subject,
        before={name: before.get(name) for name in changed},
        after={name: after[name] for name in changed},
        reason=reason,
    )


def _may(actor: User | None, verb: str, model: type[models.Model]) -> None:
    opts = model._meta
    if actor is not None and not actor.has_perm(f"{opts.app_label}.{verb}_{opts.model_name}"):
        raise Forbidden(_("You may not change %(things)s.") % {"things": opts.verbose_name_plural})


@transaction.atomic
def audited_save(
    *,
    model: type[M],
    obj: M | None,
    data: dict[str, Any],
    fields: tuple[str, ...],
    actor: User | None,
    entity: str,
    reason: str = "",
) -> M:
    """Issue 21: create a row of ``model`` (``obj`` None) or change ``obj`` (re-read under its lock) to ``data``'s
    values of ``fields``, for a service whose record has no life of its own beyond its fields (a canned answer,
    a calendar day, a banned phrase…). The actor needs the model's add or change permission; the model's checks
    run (``full_clean``: ``InvalidInput`` with the fields' messages); the audit entry is ``<entity>_created``
    with every value or ``<entity>_changed`` with what changed. The caller validates its own rules first."""
    _may(actor, "add" if obj is None else "change", model)
    many = {name for name in fields if model._meta.get_field(name).many_to_many}
    row = model() if obj is None else lock(model, obj.pk)
    before = None if obj is None else audit_fields(row, fields)
    for name in fields:
        if name not in many:
            setattr(row, name, data[name])
    try:
        row.full_clean(exclude=list(many))
    except DjangoValidationError as exc:
        raise InvalidInput(
            _("Correct the fields marked below."), errors=getattr(exc, "message_dict", {})
        ) from exc
    row.save()
    for name in many:
        getattr(row, name).set(data[name])
    audit_changes(
        actor=actor,
        action=f"{entity}_{'created' if before is None else 'changed'}",
        subject=row,
        before=before,
        after=audit_fields(row, fields),
        reason=reason,
    )
    return row


@transaction.atomic
def audited_delete(
    *, obj: models.Model, fields: tuple[str, ...], actor: User | None, entity: str, reason: str = ""
) -> None:
    """Issue 21: delete ``obj`` (re-read under its lock) with the model's delete permission; the audit entry
    ``<entity>_deleted`` keeps its values of ``fields``."""
    model = type(obj)
    _may(actor, "delete", model)
    row = lock(model, obj.pk)
    audit_record(
        actor=actor,
        action=f"{entity}_deleted",
        subject=row,
        before=audit_fields(row, fields),
        reason=reason,
    )
    row.delete()


def _nudge_sealer() -> None:
    """After commit: ask for a seal soon, at most once a second across all processes (beat seals anyway).

    A process that nudged less than a second ago does not ask the cache again (issue 26: one Redis round
    trip fewer on nearly every writing request); the cache's key would refuse it anyway."""
    from platform_core.audit.tasks import seal_task

    now = time.monotonic()
    if now - _last_nudge[0] < 1:
        return
    _last_nudge[0] = now
    try:
        if cache.add(_NUDGE_CACHE_KEY, 1, timeout=1):
            seal_task.apply_async()
    except Exception:  # the broker or cache is down: beat seals within AUDIT_SEAL_INTERVAL_SECONDS
        logger.warning("audit seal nudge failed; beat will seal", exc_info=True)


def audit_seal(*, batch: int | None = None) -> int:
    """AUD-1: chain the committed, unsealed entries, in id order, after the sealed head; return how many.

    The only code that takes the chain's lock (a transaction-level advisory lock, so two sealers never
    fork the chain; writers never wait for it). Each entry gets the next sequence number, the head's hash
    as ``prev_hash``, and the keyed digest over its content and ``prev_hash``. Entries of transactions
    still in progress are invisible here and sealed by a later run; rolled-back ones never appear, so the
    sequence has no gaps. An entry whose content MAC is wrong (not written by the platform) is chained
    like any other and reported by ``audit_chain_verify``.
    """
    size = batch or settings.AUDIT_SEAL_BATCH
    total = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_SEAL_LOCK_KEY])
            head = (
                AuditEntry.objects.filter(seq__isnull=False)
                .order_by("-seq")
                .values_list("seq", "hash")
                .first()
            )
            seq: int = head[0] or 0 if head is not None else 0
            prev_hash: str = head[1] or GENESIS_HASH if head is not None else GENESIS_HASH
            pending = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:size])
            for entry in pending:
                seq += 1
                entry.seq, entry.prev_hash = seq, prev_hash
                entry.hash = entry.compute_hash() or ""
                if not entry.hash:
                    logger.error("audit entry %s names an unknown key id %r", entry.pk, entry.key_id)
                    entry.hash = keyed_digest(signing_key()[1], ["unknown key", entry.pk, prev_hash])
                prev_hash = entry.hash
            if pending:
                _seals_write(pending)
        total += len(pending)
        if len(pending) < size:
            return total


def _seals_write(entries: Sequence[AuditEntry]) -> None:
    """AUD-1: the batch's ``seq``, ``prev_hash`` and ``hash`` in one ``UPDATE … FROM (VALUES …)`` on
    PostgreSQL: ``bulk_update`` writes the same rows through a ``CASE`` with one ``WHEN`` per entry and
    column, which costs the sealer milliseconds of Python per entry. The append-only trigger checks each
    row the same way (only an unsealed entry may be sealed, nothing else about it may change)."""
    if connection.vendor != "postgresql":
        AuditEntry.objects.bulk_update(entries, ["seq", "prev_hash", "hash"])
        return
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(entries))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS a SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "  # noqa: S608
            f"FROM (VALUES {rows}) AS v(id, seq, prev_hash, hash) WHERE a.id = v.id",
            [value for entry in entries for value in (entry.pk, entry.seq, entry.prev_hash, entry.hash)],
        )


def audit_anchor_write() -> dict[str, Any] | None:
    """AUD-1: anchor the chain head outside the database (beat, every ``AUDIT_ANCHOR_INTERVAL_SECONDS``).

    Appends ``{"at", "entry_id", "hash", "key_id", "mac"}`` as one JSON line to
    ``AUDIT_ANCHOR_DIR/anchors.jsonl`` (the backup location) and writes the same to the log, so that a
    tail deleted or rewritten later, with the triggers disabled, no longer matches what was anchored
    (``audit_chain_verify``). ``mac`` is an HMAC under the chain key, so an anchor cannot be forged
    without it. Nothing is written while the log is empty or its head is the one anchored last. Seals
    what is pending first.
    """
    from platform_core.audit.selectors import audit_anchors_recent

    audit_seal()  # the head anchored is the newest committed entry's
    head = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").values_list("id", "hash").first()
    if head is None:
        return None
    entry_id, head_hash = head
    recent = audit_anchors_recent(limit=1)
    if recent and recent[-1].entry_id == entry_id and recent[-1].hash == head_hash:
        return None
    key_id, key = signing_key()
    at = clock.now().isoformat()
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
