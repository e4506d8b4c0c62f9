"""OPS-5 with a real worker and beat: heartbeats reach /readyz, and the request id reaches the worker's logs."""

import json
import signal
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from platform_core.celery import app as celery_app
from platform_core.deadlines.deadlines import CANARY_RULE
from platform_core.deadlines.models import Canary, Deadline
from platform_core.operations.context import request_id_var
from tests.helpers.celery_worker import Worker

SETTINGS = "tests.platform_core.operations.settings_with_operations"


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        if condition():
            return True
        time.sleep(0.3)
    return condition()


@pytest.mark.celery_worker
def test_ops_5_real_worker_and_beat_keep_readyz_ready_and_going_silent_fails_it(
    transactional_db: None, client: Client, settings
) -> None:
    settings.OPS_HEARTBEAT_MAX_AGE_SECONDS = 6
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")  # type: ignore[attr-defined]

    def checks() -> dict:
        return client.get("/readyz").json()["checks"]

    worker = Worker(
        beat=True, env={"DJANGO_SETTINGS_MODULE": SETTINGS, "LOG_FORMAT": "json"}
    )  # JSON lines as in production
    worker.start()
    try:
        assert _wait_until(lambda: client.get("/readyz").status_code == 200, timeout=90), (
            checks(),
            worker.log_path,
        )

        # The request id of a web request travels with the task it queues into the worker's JSON logs.
        canary = Canary.objects.create()
        deadline = Deadline.objects.create(
            rule=CANARY_RULE,
            subject_type=ContentType.objects.get_for_model(Canary),
            subject_id=str(canary.pk),
            due_at=timezone.now() - timedelta(seconds=1),
            started_at=timezone.now(),
        )
        canary.delete()  # enforcing it now logs a warning ("subject no longer exists")
        from platform_core.deadlines.tasks import enforce_deadline_task

        token = request_id_var.set("req-to-worker-1")
        try:
            result = enforce_deadline_task.delay(deadline.pk)
        finally:
            request_id_var.reset(token)

        def logged() -> list[dict]:
            lines = []
            for raw in worker.log_path.read_text().splitlines():
                if raw.startswith("{") and "no longer exists" in raw:
                    lines.append(json.loads(raw))
            return lines

        assert _wait_until(lambda: bool(logged()), timeout=90), worker.log_path.read_text()[-3000:]
        (line,) = logged()
        assert line["request_id"] == "req-to-worker-1"
        assert line["task_id"] == result.id
        assert line["level"] == "WARNING"

        worker.stop(signal.SIGTERM)

        def both_silent() -> bool:
            # each heartbeat goes stale on its own clock: /readyz is 503 as soon as the first one does
            body = checks()
            return body["worker_heartbeat"]["ok"] is False and body["beat_heartbeat"]["ok"] is False

        assert _wait_until(both_silent, timeout=60), checks()
        assert client.get("/readyz").status_code == 503
    finally:
        worker.stop()
        celery_app.conf.task_always_eager = True
