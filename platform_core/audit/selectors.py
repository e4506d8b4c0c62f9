"""Reading the audit log (AUD-1)."""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from platform_core.audit.chain import ANCHOR_FILE, GENESIS_HASH, chain_key, keyed_digest
from platform_core.audit.models import AuditEntry

#: the anchors ``audit_chain_verify`` compares with: the newest ones (each one covers every entry before it)
ANCHORS_CHECKED = 10
_ANCHOR_TAIL_BYTES = 64 * 1024


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int  # entries checked (up to and including the first broken one)
    first_broken_id: int | None = None
    reason: str = ""
    anchors_checked: int = 0


@dataclass(frozen=True)
class Anchor:
    """A chain head written outside the database by ``audit_anchor_write``."""

    at: datetime
    entry_id: int
    hash: str
    key_id: str
    authentic: bool  # its MAC is right under the key it names


def _anchor_from_line(line: str) -> Anchor | None:
    try:
        data = json.loads(line)
        at, entry_id, head_hash, key_id = data["at"], int(data["entry_id"]), str(data["hash"]), data["key_id"]
        mac = str(data["mac"])
        when = datetime.fromisoformat(at)
    except (ValueError, KeyError, TypeError):
        return None
    key = chain_key(key_id)
    authentic = key is not None and keyed_digest(key, [at, entry_id, head_hash, key_id]) == mac
    return Anchor(at=when, entry_id=entry_id, hash=head_hash, key_id=key_id, authentic=authentic)


def audit_anchors_recent(*, limit: int = ANCHORS_CHECKED, until: datetime | None = None) -> list[Anchor]:
    """AUD-1: the newest ``limit`` anchors (oldest first) from the anchor file, read from its end; only
    those written at or before ``until`` when given (a restored backup is compared with the anchors
    written before it was taken). Unreadable lines are skipped."""
    path = Path(settings.AUDIT_ANCHOR_DIR) / ANCHOR_FILE
    if not path.exists():
        return []
    with path.open("rb") as file:
        file.seek(0, 2)
        size = file.tell()
        file.seek(max(0, size - _ANCHOR_TAIL_BYTES))
        tail = file.read().decode("utf-8", errors="replace")
    anchors = [a for a in map(_anchor_from_line, tail.splitlines()) if a is not None]
    if until is not None:
        anchors = [a for a in anchors if a.at <= until]
    return anchors[-limit:]


def audit_chain_verify(*, chunk_size: int = 2000, anchors_until: datetime | None = None) -> VerifyResult:
    """AUD-1: recompute the keyed hash chain in sealing order and report the first entry that does not fit,
    check the content MAC of every entry (sealed or still waiting for the sealer), then compare the chain
    with the newest anchors written outside the database.

    Streams the table, so memory stays flat however long the log is. The chain shows edits, inserts,
    deletions and reordering inside the log (``seq`` counts 1, 2, 3 … with no gap), and without the key
    (``AUDIT_CHAIN_KEYS``) neither the chain nor a content MAC can be recomputed; a cut-off or rewritten
    tail shows against the anchors (an anchored entry missing, or holding another hash). Entries not yet
    sealed (committed in the last seconds) are counted and their content checked.
    """
    anchors = audit_anchors_recent(until=anchors_until)
    for anchor in anchors:
        if not anchor.authentic:
            return VerifyResult(
                ok=False,
                count=0,
                first_broken_id=anchor.entry_id,
                reason=f"anchor of {anchor.at.isoformat()} is not authentic: the anchor file was changed",
            )
    anchored = {anchor.entry_id: anchor for anchor in anchors}
    expected_prev = GENESIS_HASH
    count = 0
    sealed = AuditEntry.objects.filter(seq__isnull=False).order_by("seq")
    unsealed = AuditEntry.objects.filter(seq__isnull=True).order_by("id")
    for expected_seq, entry in enumerate(sealed.iterator(chunk_size=chunk_size), start=1):
        count += 1
        if entry.prev_hash != expected_prev:
            return _broken(count, entry, "prev_hash mismatch: it is not the hash of the entry before it")
        if entry.seq != expected_seq:
            return _broken(
                count, entry, f"sequence mismatch: entry has seq {entry.seq}, expected {expected_seq}"
            )
        if entry.compute_hash() != entry.hash or entry.compute_mac() != entry.mac:
            return _broken(count, entry, _hash_problem(entry))
        anchored_here = anchored.pop(entry.pk) if entry.pk in anchored else None
        if anchored_here is not None and anchored_here.hash != entry.hash:
            return _broken(
                count,
                entry,
                f"anchor mismatch: the entry's hash is not the one anchored at {anchored_here.at.isoformat()}",
            )
        expected_prev = entry.hash or ""
    for entry in unsealed.iterator(chunk_size=chunk_size):
        count += 1
        if entry.prev_hash is not None or entry.hash is not None:
            return _broken(count, entry, "prev_hash mismatch: an unsealed entry carries a chain hash")
        if entry.compute_mac() != entry.mac:
            return _broken(count, entry, _hash_problem(entry))
    if anchored:
        missing = min(anchored)
        return VerifyResult(
            ok=False,
            count=count,
            first_broken_id=missing,
            reason=f"anchored entry {missing} is missing: the log was truncated or its tail deleted",
        )
    return VerifyResult(ok=True, count=count, anchors_checked=len(anchors))


def _broken(count: int, entry: AuditEntry, reason: str) -> VerifyResult:
    return VerifyResult(ok=False, count=count, first_broken_id=entry.pk, reason=reason)


def _hash_problem(entry: AuditEntry) -> str:
    if chain_key(entry.key_id) is None:
        return f"hash mismatch: no configured key has the entry's key id {entry.key_id!r}"
    return (
        "hash mismatch: the entry's content was changed after it was written, or not written by the platform"
    )


def audit_subject_names(entries: Iterable[tuple[int | None, str | None]]) -> dict[tuple[int, str], str]:
    """Issue 21 (decision 046): the subjects of audit entries, named now in the active language.

    ``entries`` are ``(subject_type_id, subject_id)`` pairs; one query per subject type. A subject that no
    longer exists (or whose model is gone) is left out: the reader falls back to the stored, language-neutral
    ``subject_repr``.
    """
    wanted: dict[int, set[str]] = defaultdict(set)
    for type_id, subject_id in entries:
        if type_id is not None and subject_id:
            wanted[type_id].add(subject_id)
    names: dict[tuple[int, str], str] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        pks = []
        for subject_id in ids:
            try:
                pks.append(model._meta.pk.to_python(subject_id))
            except ValidationError:
                continue
        for obj in model._base_manager.filter(pk__in=pks):
            names[(type_id, str(obj.pk))] = str(obj)
    return names
