"""Each pytest-xdist worker gets a Redis database of its own, as pytest-django gives it a test database.

``make test`` runs the suite with ``pytest -n``: worker ``gwK`` uses Redis database ``n + K`` where ``n`` is
the one in ``REDIS_URL`` (``redis://…/7`` → gw0 on 7, gw1 on 8). Cache, Celery broker and anything keyed in
Redis (heartbeats, idempotency keys) are then private to the worker, and a real Celery worker started by a
test (``celery_worker`` fixture, a subprocess that inherits ``REDIS_URL``) consumes only its own worker's
queue. Without xdist (``-n 0`` or plain ``pytest``) nothing changes.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.test.signals import setting_changed

#: redis-server's ``databases`` (16 by default; a shared server with more says so in ``REDIS_DATABASES``)
REDIS_DATABASES = int(os.environ.get("REDIS_DATABASES", "16"))
BASE_REDIS_URL: str | None = None  # REDIS_URL as given, before this worker moved off it


def worker_index() -> int | None:
    """0 for ``gw0``, 1 for ``gw1`` …; None outside an xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def redis_url_for_worker(url: str, index: int) -> str:
    """``url`` with its database number moved up by ``index`` (no number in the URL means database 0)."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    base = int(path) if path.isdigit() else 0
    db = base + index
    if db >= REDIS_DATABASES:
        raise RuntimeError(
            f"xdist worker gw{index} would use Redis database {db} ({url} + {index}), beyond the server's "
            f"{REDIS_DATABASES}: use a lower database in REDIS_URL or fewer workers (-n)."
        )
    return urlunsplit(parts._replace(path=f"/{db}"))


def isolate_worker_redis() -> None:
    """Point this worker's cache, broker and child processes at its own Redis database.

    Settings are already loaded when conftests run (pytest-django sets Django up first), so the values
    derived from ``REDIS_URL`` in ``settings.py`` are replaced here, before any test touches Redis."""
    from tests.helpers.celery_worker import use_broker  # here: a pytest plugin, imported by pytest first

    global BASE_REDIS_URL
    index = worker_index()
    if index is None or not settings.REDIS_URL:
        return
    BASE_REDIS_URL = settings.REDIS_URL
    url = redis_url_for_worker(settings.REDIS_URL, index)
    os.environ["REDIS_URL"] = url  # subprocesses (the real Celery worker, manage.py runs) read it
    settings.REDIS_URL = url
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": url}}
    setting_changed.send(sender=None, setting="CACHES", value=settings.CACHES, enter=True)
    settings.CELERY_BROKER_URL = url
    use_broker(url)
