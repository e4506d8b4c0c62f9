"""Heartbeats and last-success marks that processes on different hosts leave for the health checks.

Where they live (decided in docs/runbook.md, "Heartbeats"):

- with ``REDIS_URL`` set (production, CI): the Django cache, which is Redis and shared by every host;
- embedded (no Redis): one small JSON file per mark under ``settings.VAR_DIR / "heartbeats"``, because
  the local-memory cache is per process and web, worker and beat are separate processes on one machine.

No model and no table: a heartbeat must be writable when the database is the thing that is failing, and
the write is a single key (no history). Values are Unix timestamps (seconds, UTC) plus a small payload.
"""

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache

KEY_PREFIX = "operations:mark:"

#: Marks written by the system. ``worker`` is per worker host too (``worker:<hostname>``).
WORKER = "worker"
BEAT = "beat"
BACKUP = "backup"
REHEARSAL = "rehearsal"
INTEGRITY = "integrity"


def _uses_cache() -> bool:
    return bool(settings.REDIS_URL)


def _directory() -> Path:
    return Path(settings.VAR_DIR) / "heartbeats"


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def mark(name: str, *, at: float | None = None, **payload: Any) -> None:
    """Record that ``name`` happened at ``at`` (default: now), with a JSON-serialisable payload."""
    value = {"at": time.time() if at is None else at, **payload}
    if _uses_cache():
        cache.set(KEY_PREFIX + name, value, timeout=None)
        return
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True)
    # Write then rename: a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    with os.fdopen(fd, "w") as handle:
        json.dump(value, handle)
    Path(tmp).replace(directory / f"{_safe(name)}.json")


def read(name: str) -> dict[str, Any] | None:
    """The last mark recorded under ``name``, or ``None``."""
    if _uses_cache():
        value = cache.get(KEY_PREFIX + name)
        return value if isinstance(value, dict) else None
    try:
        return dict(json.loads((_directory() / f"{_safe(name)}.json").read_text()))
    except (OSError, ValueError):
        return None


def age_seconds(name: str, *, now: float | None = None) -> float | None:
    """Seconds since ``name`` was last marked; ``None`` if never."""
    value = read(name)
    if value is None:
        return None
    return (time.time() if now is None else now) - float(value["at"])


def clear(name: str) -> None:
    if _uses_cache():
        cache.delete(KEY_PREFIX + name)
        return
    (_directory() / f"{_safe(name)}.json").unlink(missing_ok=True)
