"""The project settings with fast heartbeats, for the real worker started by these tests.

``Worker(env={"DJANGO_SETTINGS_MODULE": "tests.platform_core.operations.settings_with_operations"})``.
"""

from datetime import timedelta

from platform_core.settings import *  # noqa: F403
from platform_core.settings import CELERY_BEAT_SCHEDULE

OPS_HEARTBEAT_INTERVAL_SECONDS = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "operations.beat-heartbeat": {
        "task": "operations.beat_heartbeat",
        "schedule": timedelta(seconds=2),
        "options": {"expires": 2},
    },
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "platform_core.operations.logs.ContextFilter"},
        "mask_personal_data": {"()": "platform_core.operations.logs.MaskPersonalDataFilter"},
    },
    "formatters": {"json": {"()": "platform_core.operations.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["context", "mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
}
