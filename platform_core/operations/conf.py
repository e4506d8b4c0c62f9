"""Operations settings, each with a default, so the module works before anyone sets them (OPS-4, OPS-5)."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings


def heartbeat_max_age() -> timedelta:
    """A worker or beat heartbeat older than this makes ``/readyz`` fail (OPS-5: 2 minutes)."""
    return timedelta(seconds=getattr(settings, "OPS_HEARTBEAT_MAX_AGE_SECONDS", 120))


def heartbeat_interval_seconds() -> float:
    """How often the worker writes its heartbeat (the beat heartbeat task's period is in the beat schedule)."""
    return float(getattr(settings, "OPS_HEARTBEAT_INTERVAL_SECONDS", 30))


def deadline_backlog_max() -> int:
    """More overdue deadlines than this makes ``/readyz`` fail."""
    return int(getattr(settings, "OPS_DEADLINE_BACKLOG_MAX", 100))


def deadline_overdue_grace() -> timedelta:
    """A deadline counts as overdue once it is this late (the sweep runs every minute: OPS-1)."""
    return timedelta(seconds=getattr(settings, "OPS_DEADLINE_OVERDUE_GRACE_SECONDS", 120))


def backup_dir() -> Path:
    return Path(getattr(settings, "OPS_BACKUP_DIR", Path(settings.VAR_DIR) / "backups"))


def backup_keep() -> int:
    return int(getattr(settings, "OPS_BACKUP_KEEP", 7))


def metrics_token() -> str:
    """If set, ``/metrics`` wants ``Authorization: Bearer <token>`` (business figures are not public)."""
    return str(getattr(settings, "OPS_METRICS_TOKEN", "") or "")
