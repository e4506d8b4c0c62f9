"""The hash chain of the audit log (AUD-1): canonical JSON and the digest of one entry. Pure, no I/O."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces; Decimals, datetimes and UUIDs become strings."""
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The value as it will read back from the JSON column, so that verifying recomputes the same hash."""
    if value is None:
        return None
    result: dict[str, Any] = json.loads(canonical_json(value))
    return result


def entry_digest(
    *,
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    actor_repr: str,
    action: str,
    subject_type: str | None,
    subject_id: str | None,
    subject_repr: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str,
) -> str:
    """SHA-256 over everything an entry says, chained to the previous entry's hash.

    ``at`` is taken in UTC so the database's round trip (which may change the tzinfo) does not change it.
    ``subject_type`` is the content type's ``app_label.model``.
    """
    payload = [
        prev_hash,
        at.astimezone(UTC).isoformat(),
        actor_id,
        actor_repr,
        action,
        subject_type,
        subject_id,
        subject_repr,
        before,
        after,
        reason,
    ]
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()
