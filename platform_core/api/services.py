"""Claiming and completing idempotency keys (PAY-7).

Concurrency: the claim inserts the key row or, if it exists, locks it. On PostgreSQL a second request
with the same key blocks on the unique index / row lock until the first request's transaction commits,
then sees the completed response and replays it; so 20 identical requests in parallel have one effect.
"""

from datetime import datetime

from django.conf import settings

from platform_core import clock
from platform_core.api.models import IdempotencyKey
from platform_core.upsert import insert_unless_exists


def idempotency_key_claim(
    *, scope: str, key: str, method: str, path: str, fingerprint: str
) -> IdempotencyKey:
    """Return the key row, locked for the rest of the caller's transaction. Must run inside ``atomic``.

    One statement for a new key (issue 26): the INSERT takes the row, or waits on the unique index for
    the transaction that holds the key, then finds it there. A key older than ``IDEMPOTENCY_KEY_TTL``
    is claimed afresh, as if it had been purged.
    """
    now = clock.now()
    record = IdempotencyKey(
        scope=scope, key=key, method=method, path=path, fingerprint=fingerprint, created_at=now
    )
    if insert_unless_exists(record, conflict=["scope", "key"]):
        return record
    record = IdempotencyKey.objects.select_for_update().get(scope=scope, key=key)
    if record.created_at < now - settings.IDEMPOTENCY_KEY_TTL:
        record.method, record.path, record.fingerprint, record.created_at = method, path, fingerprint, now
        record.state = IdempotencyKey.State.IN_PROGRESS
        record.response_status, record.response_content_type, record.response_body = None, "", None
        record.save()
    return record


def idempotency_key_complete(*, record: IdempotencyKey, status: int, content_type: str, body: bytes) -> None:
    record.state = IdempotencyKey.State.COMPLETED
    record.response_status = status
    record.response_content_type = content_type
    record.response_body = body
    record.save(update_fields=["state", "response_status", "response_content_type", "response_body"])


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete keys older than ``IDEMPOTENCY_KEY_TTL``; returns how many."""
    cutoff = (now or clock.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
