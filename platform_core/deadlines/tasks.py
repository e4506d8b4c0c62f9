"""Celery entry points of the deadline engine (OPS-1, OPS-2). Both are idempotent."""

from celery import shared_task

from platform_core.deadlines.services import deadline_enforce, deadlines_sweep


@shared_task(name="deadlines.sweep_due")
def sweep_due_task() -> int:
    """Beat, every ``DEADLINE_SWEEP_SECONDS``: enforce every due deadline (the safety net)."""
    return deadlines_sweep()


@shared_task(name="deadlines.enforce_deadline")
def enforce_deadline_task(deadline_id: int) -> str:
    """ETA fast path for one deadline; does nothing if it is already resolved or not yet due."""
    return str(deadline_enforce(deadline_id=deadline_id))
