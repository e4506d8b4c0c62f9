"""OPS-1, OPS-2 against PostgreSQL and a real worker: concurrent sweeps, the ETA fast path, and faults."""

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from platform_core.deadlines.deadlines import CANARY_RULE
from platform_core.deadlines.models import Canary, CanaryHit, Deadline
from platform_core.deadlines.services import deadline_meet, deadline_start, deadlines_sweep
from tests.helpers.celery_worker import PrivateRedis, Worker, use_broker


def _canary_deadlines(due_at: Callable[[int], datetime], n: int) -> list[Deadline]:
    """``n`` canary deadlines written directly (setup speed); the engine treats them like any other."""
    canaries = Canary.objects.bulk_create([Canary(label=f"bulk-{i}") for i in range(n)])
    subject_type = ContentType.objects.get_for_model(Canary)
    now = timezone.now()
    return Deadline.objects.bulk_create(
        [
            Deadline(
                rule=CANARY_RULE,
                subject_type=subject_type,
                subject_id=str(c.pk),
                due_at=due_at(i),
                started_at=now,
            )
            for i, c in enumerate(canaries)
        ]
    )


def _assert_each_enforced_once(n: int) -> None:
    assert CanaryHit.objects.count() == n
    assert not CanaryHit.objects.values("deadline").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not Deadline.objects.filter(status=Deadline.Status.PENDING).exists()
    assert Deadline.objects.filter(status=Deadline.Status.ENFORCED).count() == n


@pytest.mark.postgres
def test_ops_1_two_sweepers_at_once_enforce_each_deadline_once(transactional_db, settings):
    settings.DEADLINE_SWEEP_BATCH = 25
    past = timezone.now() - timedelta(minutes=1)
    _canary_deadlines(lambda i: past, 200)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(deadlines_sweep())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(results) and sum(results) == 200
    _assert_each_enforced_once(200)
    print(f"\nsweepers enforced {results}")  # noqa: T201


@pytest.mark.postgres
def test_ops_1_meet_racing_the_sweep_neither_deadlocks_nor_acts_twice(transactional_db):
    """A service holds the subject's lock and meets the deadline while a sweep tries to enforce it."""
    (deadline,) = _canary_deadlines(lambda i: timezone.now() - timedelta(seconds=1), 1)
    canary = Canary.objects.get(pk=deadline.subject_id)
    locked, errors = threading.Event(), []

    def ship_in_time() -> None:
        try:
            with transaction.atomic():
                Canary.objects.select_for_update().get(pk=canary.pk)
                locked.set()
                time.sleep(1)  # the sweep is now waiting for this subject
                deadline_meet(rule=CANARY_RULE, subject=canary)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    service = threading.Thread(target=ship_in_time)
    service.start()
    assert locked.wait(10)
    enforced = deadlines_sweep()
    service.join(30)
    assert errors == []
    assert enforced == 0
    deadline.refresh_from_db()
    assert deadline.status == "met"
    assert not CanaryHit.objects.exists()


@pytest.mark.celery_worker
def test_ops_1_eta_task_acts_at_the_deadline(celery_worker):
    """The fast path alone (no beat): a deadline due in 3 s is enforced within seconds of due."""
    deadline = deadline_start(rule=CANARY_RULE, subject=Canary.objects.create(), after=timedelta(seconds=3))
    limit = time.monotonic() + 30
    while time.monotonic() < limit and not CanaryHit.objects.filter(deadline=deadline).exists():
        time.sleep(0.2)
    deadline.refresh_from_db()
    assert deadline.status == "enforced", f"not enforced; worker log: {celery_worker.log_path}"
    assert deadline.lateness is not None and deadline.lateness < timedelta(seconds=5)
    assert CanaryHit.objects.filter(deadline=deadline).count() == 1


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def _enforced() -> int:
    return Deadline.objects.filter(status=Deadline.Status.ENFORCED).count()


@pytest.mark.slow
@pytest.mark.celery_worker
def test_ops_2_worker_kill_and_broker_outage_lose_no_deadline(transactional_db, private_redis: PrivateRedis):
    n = 1000
    t0 = time.monotonic()
    start = timezone.now()
    _canary_deadlines(lambda i: start + timedelta(seconds=60 * i / n), n)
    use_broker(private_redis.url)  # the worker's readiness ping goes through this process's Celery app

    def new_worker() -> Worker:
        worker = Worker(redis_url=private_redis.url, beat=True, env={"DEADLINE_SWEEP_SECONDS": "5"})
        worker.start()
        return worker

    timeline: list[str] = []

    def mark(event: str) -> None:
        timeline.append(f"{time.monotonic() - t0:6.1f}s  enforced={_enforced():4d}  {event}")

    worker = new_worker()
    try:
        mark("worker 1 up")
        assert _wait_until(lambda: _enforced() >= 50, timeout=60), f"no progress; log {worker.log_path}"
        worker.kill()
        mark("worker 1 SIGKILLed")
        worker = new_worker()
        mark("worker 2 up")
        private_redis.stop()
        mark("redis stopped")
        time.sleep(30)
        private_redis.start()
        mark("redis started")
        if not _wait_until(lambda: _enforced() == n, timeout=60):
            # The worker did not recover from the outage by itself: a supervisor would restart it.
            mark("worker 2 stalled; restarting it")
            worker.kill()
            worker = new_worker()
        assert _wait_until(lambda: _enforced() == n, timeout=120), f"stuck; log {worker.log_path}"
        mark("all enforced")
    finally:
        worker.stop()
        print("\n" + "\n".join(timeline))  # noqa: T201

    _assert_each_enforced_once(n)
    max_lateness = Deadline.objects.aggregate(m=Max("lateness"))["m"]
    print(f"max lateness {max_lateness}, total {time.monotonic() - t0:.1f}s")  # noqa: T201
    assert max_lateness < timedelta(minutes=2)
