"""Celery entry points of operations (OPS-4, OPS-5). All idempotent; scheduled by beat (docs/deployment.md)."""

import logging

from celery import shared_task

from platform_core.operations import heartbeats

logger = logging.getLogger(__name__)


@shared_task(name="operations.beat_heartbeat", ignore_result=True)
def beat_heartbeat_task() -> None:
    """Beat, every 30 s (with ``expires`` 30 s): records that beat is scheduling.

    The task only exists because beat sent it, and an expired message is discarded unrun, so a fresh mark
    means "beat published within the last minute and a worker ran it". A silent beat is the
    ``beat_heartbeat`` check failing while ``worker_heartbeat`` stays fresh.
    """
    heartbeats.mark(heartbeats.BEAT)


@shared_task(name="operations.verify_integrity", ignore_result=True)
def verify_integrity_task() -> dict[str, bool]:
    """Beat, hourly: the ledger check (PAY-1) and the audit chain check (AUD-1) on the live database.

    The results are exposed as ``platform_check_ok{check="ledger"|"audit_chain"}`` for the alarms.
    """
    from platform_core.audit.selectors import audit_chain_verify
    from platform_core.ledger.selectors import ledger_verify

    ledger = ledger_verify()
    audit = audit_chain_verify()
    result = {"ledger": ledger.ok, "audit_chain": audit.ok}
    heartbeats.mark(f"{heartbeats.INTEGRITY}:last", **result)
    if ledger.ok and audit.ok:
        heartbeats.mark(heartbeats.INTEGRITY)
    else:
        logger.error(
            "integrity check failed",
            extra={"ledger_problems": ledger.problems[:5], "audit_broken_at": audit.first_broken_id},
        )
    return result


@shared_task(name="operations.backup", ignore_result=True)
def backup_task() -> str:
    """Beat, daily: ``manage.py backup`` to ``OPS_BACKUP_DIR`` (OPS-4). Returns the backup directory."""
    from platform_core.operations.backups import backup_create

    return str(backup_create().path)


@shared_task(name="operations.restore_rehearsal", ignore_result=True)
def restore_rehearsal_task() -> bool:
    """Beat, weekly: restore the latest backup into a scratch database and verify it (OPS-4)."""
    from platform_core.operations.backups import restore_rehearse

    report = restore_rehearse()
    if not report.ok:
        logger.error("restore rehearsal failed", extra={"report": report.as_dict()})
    return report.ok
