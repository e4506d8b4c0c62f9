"""Celery and database signal receivers: request ids into tasks, task metrics, the worker heartbeat.

- ``before_task_publish`` (the publishing process: web, beat or a worker) puts the current request id in
  the task's message headers; ``task_prerun`` (the worker) sets it, and the task id, for the run's logs.
- ``task_prerun`` / ``task_postrun`` / ``task_failure`` count runs, failures and durations (metrics.py);
  ``task_postrun`` also records the last run of a beat-scheduled task for the console (issue 21).
- ``worker_ready`` starts the worker heartbeat on the worker's own event-loop timer: it stops when the
  consumer stops, so a hung or dead worker goes silent (docs/runbook.md, "Heartbeats"), and, if
  ``OPS_WORKER_METRICS_PORT`` is set, the worker's metrics endpoint.
- ``connection_created`` installs the SQL statement counter.
"""

import logging
import os
import socket
import time
from contextvars import Token
from typing import Any

from celery import signals as celery_signals
from django.conf import settings
from django.db.backends.signals import connection_created

from platform_core.operations import heartbeats, metrics
from platform_core.operations.context import request_id_var, task_id_var

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "platform_request_id"
PUBLISHED_AT_HEADER = "platform_published_at"

# task id -> (start time, context tokens); a worker process runs one task at a time per pool slot.
_running: dict[str, tuple[float, Token[str | None], Token[str | None] | None]] = {}


def _task_name(sender: Any) -> str:
    return str(getattr(sender, "name", None) or sender or "unknown")


def before_task_publish(sender: Any = None, headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is None:
        return
    request_id = request_id_var.get()
    if request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id
    headers.setdefault(PUBLISHED_AT_HEADER, time.time())


def _header(task: Any, name: str) -> Any:
    request = getattr(task, "request", None)
    if request is None:
        return None
    value = getattr(request, name, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(name)
    return value


def task_prerun(sender: Any = None, task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    task = task or sender
    request_id = _header(task, REQUEST_ID_HEADER)
    request_token = request_id_var.set(str(request_id)) if request_id else None
    task_token = task_id_var.set(task_id)
    _running[str(task_id)] = (time.perf_counter(), task_token, request_token)
    published_at = _header(task, PUBLISHED_AT_HEADER)
    if published_at is not None:
        try:
            wait = max(time.time() - float(published_at), 0.0)
        except (TypeError, ValueError):
            return
        metrics.TASK_QUEUE_WAIT.labels(_task_name(task)).observe(wait)


def task_postrun(
    sender: Any = None, task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    task = task or sender
    name = _task_name(task)
    running = _running.pop(str(task_id), None)
    metrics.TASK_RUNS.labels(name, state or "UNKNOWN").inc()
    _record_timed_job(name, state or "UNKNOWN")
    if running is None:
        return
    started, task_token, request_token = running
    metrics.TASK_DURATION.labels(name).observe(time.perf_counter() - started)
    task_id_var.reset(task_token)
    if request_token is not None:
        request_id_var.reset(request_token)


def _record_timed_job(name: str, state: str) -> None:
    """Issue 21: the console's "last run" of a beat-scheduled task (``platform_core.console.timed_jobs``)."""
    from platform_core.console.timed_jobs import scheduled_task_names, timed_job_ran

    if name not in scheduled_task_names():
        return
    try:
        timed_job_ran(name, state=state)
    except Exception:  # Redis down: the console shows the job late, which is what it should see
        logger.warning("last run of %s not recorded", name, exc_info=True)


def task_failure(sender: Any = None, **kwargs: Any) -> None:
    metrics.TASK_FAILURES.labels(_task_name(sender)).inc()


# --- the worker heartbeat --------------------------------------------------------------------------------


def worker_hostname() -> str:
    return os.environ.get("HOSTNAME") or socket.gethostname()


def record_worker_heartbeat(hostname: str) -> None:
    try:
        heartbeats.mark(heartbeats.WORKER, host=hostname)
        heartbeats.mark(f"{heartbeats.WORKER}:{hostname}")
        # Per machine too, for the container's own healthcheck (``manage.py readiness --this-worker``).
        heartbeats.mark(f"{heartbeats.WORKER}:host:{socket.gethostname()}", node=hostname)
    except Exception:  # Redis down: the heartbeat goes stale, which is what the health check should see
        logger.warning("worker heartbeat not recorded", exc_info=True)


def worker_ready(sender: Any = None, **kwargs: Any) -> None:
    """``sender`` is the worker's consumer: use its timer, which runs in the consumer's event loop."""
    hostname = str(getattr(sender, "hostname", None) or worker_hostname())
    record_worker_heartbeat(hostname)
    timer = getattr(sender, "timer", None)
    if timer is not None:
        timer.call_repeatedly(settings.OPS_HEARTBEAT_INTERVAL_SECONDS, record_worker_heartbeat, (hostname,))
    port = settings.OPS_WORKER_METRICS_PORT
    if port:
        try:
            metrics.worker_metrics_server(int(port))
        except OSError:
            logger.warning("worker metrics endpoint not started on port %s", port, exc_info=True)


_connected = False


def connect() -> None:
    """Connect every receiver once (called from ``OperationsConfig.ready``; tests may call it too)."""
    global _connected
    if _connected:
        return
    celery_signals.before_task_publish.connect(before_task_publish, weak=False)
    celery_signals.task_prerun.connect(task_prerun, weak=False)
    celery_signals.task_postrun.connect(task_postrun, weak=False)
    celery_signals.task_failure.connect(task_failure, weak=False)
    celery_signals.worker_ready.connect(worker_ready, weak=False)
    connection_created.connect(metrics.install_query_counter, weak=False)
    metrics.install_query_counter_on_open_connections()
    _connected = True
