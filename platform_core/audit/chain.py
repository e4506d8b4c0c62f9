"""The keyed hash chain of the audit log (AUD-1): canonical JSON and the digest of one entry. Pure, no I/O.

Each digest is an HMAC-SHA256 under a key from ``settings.AUDIT_CHAIN_KEYS`` (never stored in the database),
so someone who can write the table cannot recompute a valid chain after changing an entry.
"""

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64
#: the file under ``settings.AUDIT_ANCHOR_DIR`` the chain head is anchored to, one JSON line per anchor
ANCHOR_FILE = "anchors.jsonl"


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces; Decimals, datetimes and UUIDs become strings."""
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The value as it will read back from the JSON column, so that verifying recomputes the same hash."""
    if value is None:
        return None
    result: dict[str, Any] = json.loads(canonical_json(value))
    return result


def signing_key() -> tuple[str, bytes]:
    """AUD-1: the (key id, key) new entries are signed with: the first of ``AUDIT_CHAIN_KEYS``."""
    key_id, secret = settings.AUDIT_CHAIN_KEYS[0]
    return key_id, secret.encode()


def chain_key(key_id: str) -> bytes | None:
    """The key an entry signed with ``key_id`` is verified with; None if no configured key has that id."""
    for known_id, secret in settings.AUDIT_CHAIN_KEYS:
        if known_id == key_id:
            return secret.encode()
    return None


def keyed_digest(key: bytes, payload: Any) -> str:
    """HMAC-SHA256 of the canonical JSON of ``payload``, hex."""
    return hmac.new(key, canonical_json(payload).encode(), hashlib.sha256).hexdigest()


def entry_digest(
    *,
    key: bytes,
    key_id: str,
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
    """HMAC-SHA256 (under ``key``) over everything an entry says, chained to the previous entry's hash.

    ``at`` is taken in UTC so the database's round trip (which may change the tzinfo) does not change it.
    ``subject_type`` is the content type's ``app_label.model``.
    """
    payload = [
        key_id,
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
    return keyed_digest(key, payload)
