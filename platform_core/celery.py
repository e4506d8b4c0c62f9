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
