"""The Celery app: configured from Django settings (``CELERY_*``), tasks found in every app's ``tasks.py``.

Tasks are idempotent, so they are acknowledged late and re-queued when a worker dies mid-task
(OPS-1, OPS-2); a worker takes one task at a time so a crash loses at most one in flight.
"""

import os

from celery import Celery

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
