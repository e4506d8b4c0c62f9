"""The project settings with fast heartbeats, for the real worker started by these tests.

``Worker(env={"DJANGO_SETTINGS_MODULE": "tests.platform_core.operations.settings_with_operations"})``.
Everything else (logging included) is the project's own settings, unchanged.
"""

from datetime import timedelta

from platform_core.settings import *  # noqa: F403
from platform_core.settings import CELERY_BEAT_SCHEDULE

OPS_HEARTBEAT_INTERVAL_SECONDS = 1
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "operations.beat-heartbeat": {
        "task": "operations.beat_heartbeat",
        "schedule": timedelta(seconds=2),
        "options": {"expires": 2},
    },
}
