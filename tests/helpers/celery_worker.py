"""A real Celery worker in a subprocess, against Redis and the test database (integration tests).

Use the ``celery_worker`` fixture (implies ``transactional_db``: the worker sees only committed rows).
``worker.kill()`` sends SIGKILL, ``worker.start()`` starts it again; the test process publishes to the real
broker while the fixture is active.

Outage tests use ``private_redis``: a redis-server of the test's own on a free port, which the test may
stop and start (``.stop()``, ``.start()``) without disturbing anything else; ``Worker(redis_url=...)`` and
``use_broker(url)`` point the worker and the test process at it.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from platform_core.celery import app as celery_app

LOG_DIR = Path(settings.VAR_DIR) / "test-logs"


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(
        self,
        *,
        concurrency: int = 2,
        beat: bool = False,
        redis_url: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.concurrency = concurrency
        self.beat = beat
        self.redis_url = redis_url or settings.REDIS_URL
        self.extra_env = env or {}
        self.name = f"test-{uuid.uuid4().hex[:8]}@%h"
        self.proc: subprocess.Popen[bytes] | None = None
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"worker-{uuid.uuid4().hex[:8]}.log"

    def start(self, *, wait: bool = True) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": self.redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            **self.extra_env,
        }
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "platform_core",
            "worker",
            "-n",
            self.name,
            "--loglevel=INFO",
            f"--concurrency={self.concurrency}",
            "--without-gossip",
            "--without-mingle",
        ]
        if self.beat:
            cmd += ["--beat", "--schedule", str(LOG_DIR / f"beat-{uuid.uuid4().hex[:8]}")]
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"worker exited early; log: {self.log_path}\n{self.log_path.read_text()[-3000:]}"
                )
            try:
                if celery_app.control.ping(
                    destination=[self.name.replace("%h", os.uname().nodename)], timeout=0.5
                ):
                    return
            except Exception:  # noqa: S110 - broker not up yet
                pass
            time.sleep(0.3)
        raise RuntimeError(f"worker not ready after {timeout}s; log: {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the whole process group: the worker and its pool children die mid-task."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def use_broker(url: str) -> None:
    """Point this (test) process's Celery app at another broker, dropping its cached connection pools."""
    celery_app.conf.broker_url = url
    celery_app._pool = None  # type: ignore[attr-defined]
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server on PATH")
    redis = PrivateRedis()
    redis.start()
    original = celery_app.conf.broker_url
    try:
        yield redis
    finally:
        use_broker(original)
        redis.stop()


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[Worker]:
    if not settings.REDIS_URL or not settings.IS_POSTGRES:
        pytest.skip("needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")  # type: ignore[attr-defined]
    worker = Worker()
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        celery_app.conf.task_always_eager = True
