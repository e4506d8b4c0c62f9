"""The Celery app: configured from Django settings (``CELERY_*``), tasks found in every app's ``tasks.py``.

Tasks are idempotent, so they are acknowledged late and re-queued when a worker dies mid-task
(OPS-1, OPS-2); a worker takes one task at a time so a crash loses at most one in flight.
"""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_core.settings")

app = Celery("platform_core")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _register_every_apps_tasks(sender: Celery, **kwargs: object) -> None:
    """Every process that reads the task registry (web, beat, tests, not only a worker) knows every task.

    ``autodiscover_tasks()`` above is lazy: only a worker's start imports the ``tasks`` modules. So the app
    imports them when it is finalised (its registry first read), once Django's apps are loaded; before that
    (never in practice) the worker's own discovery still finds them.
    """
    from django.apps import apps

    if apps.ready:
        sender.autodiscover_tasks(force=True)


@worker_init.connect
@beat_init.connect
def _refuse_unsafe_production(**kwargs: object) -> None:
    """Decision 019: a production worker or beat refuses to start while a sandbox is enabled or a secret
    is missing or published in the code (``platform_core.deploy_checks``). Celery logs and swallows an
    ``Exception`` raised by a signal handler, so the refusal is a ``SystemExit`` (exit status 1)."""
    from django.core.exceptions import ImproperlyConfigured

    from platform_core.deploy_checks import refuse_to_start_if_unsafe

    try:
        refuse_to_start_if_unsafe()
    except ImproperlyConfigured as exc:
        raise SystemExit(str(exc)) from exc
