"""Graceful shutdown: a worker SIGTERMed in the middle of a deadline batch loses nothing, repeats nothing."""

import signal
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils import timezone

from platform_core.celery import app as celery_app
from platform_core.deadlines.deadlines import CANARY_RULE
from platform_core.deadlines.models import Canary, CanaryHit, Deadline
from tests.helpers.celery_worker import Worker


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _enforced() -> int:
    return Deadline.objects.filter(status=Deadline.Status.ENFORCED).count()


@pytest.mark.slow
@pytest.mark.celery_worker
def test_ops_1_worker_sigterm_mid_batch_then_restart_enforces_every_deadline_exactly_once(
    transactional_db: None,
) -> None:
    n = 300
    start = timezone.now()
    canaries = Canary.objects.bulk_create([Canary(label=f"sigterm-{i}") for i in range(n)])
    ct = ContentType.objects.get_for_model(Canary)
    # Due over 15 s, so the sweeps are still busy when the signal comes.
    Deadline.objects.bulk_create(
        [
            Deadline(
                rule=CANARY_RULE,
                subject_type=ct,
                subject_id=str(c.pk),
                due_at=start + timedelta(seconds=15 * i / n),
                started_at=start,
            )
            for i, c in enumerate(canaries)
        ]
    )
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")  # type: ignore[attr-defined]
    env = {"DEADLINE_SWEEP_SECONDS": "1", "DEADLINE_SWEEP_BATCH": "20"}
    timeline: list[str] = []
    t0 = time.monotonic()

    def mark(event: str) -> None:
        timeline.append(f"{time.monotonic() - t0:6.1f}s enforced={_enforced():4d} {event}")

    worker = Worker(beat=True, env=env)
    worker.start()
    try:
        mark("worker 1 up")
        assert _wait_until(lambda: _enforced() >= 30, timeout=60), f"no progress; log {worker.log_path}"
        mark("SIGTERM")
        stopped_at = time.monotonic()
        worker.stop(signal.SIGTERM, timeout=60)  # warm shutdown: finish the task in hand, then exit
        mark(f"worker 1 exited with {worker.proc.returncode if worker.proc else None}")
        assert time.monotonic() - stopped_at < 60, "the warm shutdown did not finish in time"
        assert _enforced() < n, "the batch finished before the signal: nothing was tested"
        worker = Worker(beat=True, env=env)
        worker.start()
        mark("worker 2 up")
        assert _wait_until(lambda: _enforced() == n, timeout=120), f"stuck; log {worker.log_path}"
        mark("all enforced")
    finally:
        worker.stop()
        celery_app.conf.task_always_eager = True
        print("\n" + "\n".join(timeline))  # noqa: T201

    assert CanaryHit.objects.count() == n
    assert not CanaryHit.objects.values("deadline").annotate(k=Count("pk")).filter(k__gt=1).exists()
    assert not Deadline.objects.filter(status=Deadline.Status.PENDING).exists()
    assert Deadline.objects.filter(status=Deadline.Status.ENFORCED).count() == n
