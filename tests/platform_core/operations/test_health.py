"""OPS-5: liveness and readiness endpoints (database, broker, worker and beat heartbeats, deadline backlog)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from platform_core.deadlines.deadlines import CANARY_RULE
from platform_core.deadlines.models import Canary, Deadline
from platform_core.operations import checks, heartbeats
from tests.helpers.celery_worker import PrivateRedis, use_broker


def _overdue_canaries(n: int, *, late_by: timedelta) -> None:
    canaries = Canary.objects.bulk_create([Canary(label=f"c{i}") for i in range(n)])
    now = timezone.now()
    ct = ContentType.objects.get_for_model(Canary)
    Deadline.objects.bulk_create(
        [
            Deadline(
                rule=CANARY_RULE, subject_type=ct, subject_id=str(c.pk), due_at=now - late_by, started_at=now
            )
            for c in canaries
        ]
    )


def test_ops_5_healthz_answers_without_touching_the_database(
    client: Client, db: None, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")
    assert client.get("/healthz/").status_code == 200


@pytest.mark.django_db
def test_ops_5_readyz_is_ready_when_every_check_passes(client: Client, fresh_heartbeats: None) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body["checks"]
    assert body["status"] == "ok"
    assert set(body["checks"]) == {
        "database",
        "cache",
        "broker",
        "worker_heartbeat",
        "beat_heartbeat",
        "deadline_backlog",
    }
    for result in body["checks"].values():
        assert result["ok"] is True
        assert isinstance(result["ms"], float)
    assert "migrated" in body["checks"]["database"]["detail"]


@pytest.mark.django_db
def test_ops_5_readyz_fails_without_any_heartbeat(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    checks_ = response.json()["checks"]
    assert checks_["worker_heartbeat"] == {
        "ok": False,
        "detail": "no worker heartbeat recorded",
        "ms": checks_["worker_heartbeat"]["ms"],
    }
    assert checks_["beat_heartbeat"]["ok"] is False
    assert checks_["database"]["ok"] is True


@pytest.mark.django_db
def test_ops_5_beat_heartbeat_check_fails_when_beat_has_not_run_for_two_minutes(
    client: Client, time_machine
) -> None:
    time_machine.move_to(timezone.now(), tick=True)
    heartbeats.mark(heartbeats.BEAT)
    heartbeats.mark(heartbeats.WORKER)
    time_machine.shift(timedelta(seconds=110))
    heartbeats.mark(heartbeats.WORKER)  # the worker keeps beating; beat went silent
    assert client.get("/readyz").status_code == 200  # 110 s: still within the limit

    time_machine.shift(timedelta(seconds=20))
    heartbeats.mark(heartbeats.WORKER)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()["checks"]
    assert body["beat_heartbeat"]["ok"] is False
    assert "beat heartbeat is 130 s old (limit 120 s)" in body["beat_heartbeat"]["detail"]
    assert body["worker_heartbeat"]["ok"] is True

    heartbeats.mark(heartbeats.BEAT)  # beat is back (operations.beat_heartbeat ran)
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_ops_5_beat_heartbeat_task_records_the_beat_mark(fresh_heartbeats: None) -> None:
    from platform_core.operations.tasks import beat_heartbeat_task

    heartbeats.clear(heartbeats.BEAT)
    assert checks.run_check("beat", checks.check_beat_heartbeat).ok is False
    beat_heartbeat_task.delay()  # eager in tests: the worker runs what beat sent
    assert checks.run_check("beat", checks.check_beat_heartbeat).ok is True


@pytest.mark.django_db
def test_ops_5_worker_ready_starts_a_heartbeat_on_the_consumer_timer() -> None:
    from platform_core.operations import signals

    calls: list[tuple[float, object, tuple[str, ...]]] = []

    class FakeTimer:
        def call_repeatedly(self, secs: float, fun: object, args: tuple[str, ...]) -> None:
            calls.append((secs, fun, args))

    class FakeConsumer:
        hostname = "celery@host-a"
        timer = FakeTimer()

    signals.worker_ready(sender=FakeConsumer())
    assert (heartbeats.read(heartbeats.WORKER) or {})["host"] == "celery@host-a"
    assert heartbeats.read("worker:celery@host-a") is not None
    assert calls == [(30.0, signals.record_worker_heartbeat, ("celery@host-a",))]
    assert checks.run_check("this", checks.check_this_worker_heartbeat).ok  # this machine's worker


@pytest.mark.django_db
def test_ops_5_readyz_fails_when_the_overdue_deadline_backlog_passes_the_threshold(
    client: Client, settings, fresh_heartbeats: None
) -> None:
    settings.OPS_DEADLINE_BACKLOG_MAX = 3
    _overdue_canaries(3, late_by=timedelta(minutes=10))
    _overdue_canaries(5, late_by=timedelta(seconds=30))  # due, but within the sweep's grace: not a backlog
    assert client.get("/readyz").status_code == 200

    _overdue_canaries(1, late_by=timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503
    detail = response.json()["checks"]["deadline_backlog"]
    assert detail["ok"] is False
    assert detail["detail"] == "4 deadline(s) overdue by more than 2 min (limit 3)"


@pytest.mark.django_db
def test_ops_5_readyz_fails_on_unapplied_migrations(
    client: Client, monkeypatch, fresh_heartbeats: None
) -> None:
    monkeypatch.setattr(checks, "_unapplied_migrations", lambda alias: 2)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["detail"] == "2 unapplied migration(s)"


@pytest.mark.django_db
def test_ops_5_readyz_follows_the_broker_going_away_and_coming_back(
    client: Client, private_redis: PrivateRedis, fresh_heartbeats: None
) -> None:
    """Real Redis: the readiness probe's broker is the Celery app's, here a redis-server of the test's own."""
    use_broker(private_redis.url)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"]["ok"] is True

    private_redis.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False
    assert broker["ms"] < 5000, broker  # bounded by the 2 s connection timeout, not hanging the probe
    assert all(r["ok"] for name, r in response.json()["checks"].items() if name != "broker")

    private_redis.start()
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"]["ok"] is True


def test_ops_5_readiness_command_exits_non_zero_when_not_ready(db: None) -> None:
    from django.core.management import CommandError, call_command

    from platform_core.operations.management.commands.readiness import Command

    with pytest.raises(CommandError, match="not ready: beat_heartbeat"):
        call_command(Command(), "--check", "database", "--check", "beat_heartbeat")
    heartbeats.mark(heartbeats.BEAT)
    call_command(Command(), "--check", "database", "--check", "beat_heartbeat")
    with pytest.raises(CommandError, match="not ready: this_worker_heartbeat"):
        call_command(Command(), "--this-worker")  # no worker has run on this machine
