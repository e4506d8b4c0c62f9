"""Reading the audit log (AUD-1)."""

from dataclasses import dataclass

from platform_core.audit.chain import GENESIS_HASH
from platform_core.audit.models import AuditEntry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int  # entries checked (up to and including the first broken one)
    first_broken_id: int | None = None
    reason: str = ""


def audit_chain_verify(*, chunk_size: int = 2000) -> VerifyResult:
    """AUD-1: recompute the hash chain in id order and report the first entry that does not fit.

    Streams the table, so memory stays flat however long the log is. The chain shows edits, inserts and
    deletions inside the log; a cut-off tail is only visible against a head hash recorded elsewhere
    (``VerifyResult`` of an earlier run, a report).
    """
    expected_prev = GENESIS_HASH
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk_size):
        count += 1
        if entry.prev_hash != expected_prev:
            return VerifyResult(
                ok=False,
                count=count,
                first_broken_id=entry.pk,
                reason="prev_hash mismatch: it is not the hash of the entry before it",
            )
        if entry.compute_hash() != entry.hash:
            return VerifyResult(
                ok=False,
                count=count,
                first_broken_id=entry.pk,
                reason="hash mismatch: the entry's content was changed after it was written",
            )
        expected_prev = entry.hash
    return VerifyResult(ok=True, count=count)
