"""Operations tests: heartbeats in a private place per test, the module's signals connected."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from pytest_django.fixtures import Settings

from platform_core.operations import heartbeats, signals

REQUEST_ID_MIDDLEWARE = "platform_core.operations.middleware.RequestIdMiddleware"
ALL_MARKS = (
    heartbeats.WORKER,
    heartbeats.BEAT,
    heartbeats.BACKUP,
    heartbeats.REHEARSAL,
    heartbeats.INTEGRITY,
    f"{heartbeats.REHEARSAL}:last",
    f"{heartbeats.INTEGRITY}:last",
    f"{heartbeats.WORKER}:host:{socket.gethostname()}",
    f"{heartbeats.WORKER}:celery@host-a",
)


@pytest.fixture(autouse=True)
def _operations(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """What the lead's wiring does in settings.py and the AppConfig, per test; heartbeats start empty."""
    signals.connect()
    settings.VAR_DIR = tmp_path / "var"
    settings.OPS_BACKUP_DIR = tmp_path / "backups"
    if REQUEST_ID_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [REQUEST_ID_MIDDLEWARE, *settings.MIDDLEWARE]
    if django_settings.REDIS_URL:
        for name in ALL_MARKS:
            heartbeats.clear(name)
    yield
    if django_settings.REDIS_URL:
        for name in ALL_MARKS:
            heartbeats.clear(name)


@pytest.fixture
def fresh_heartbeats() -> None:
    heartbeats.mark(heartbeats.WORKER, host="test")
    heartbeats.mark(heartbeats.BEAT)
