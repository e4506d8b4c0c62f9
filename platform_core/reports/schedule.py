"""The beat entry of the reports (AUD-4), for ``CELERY_BEAT_SCHEDULE`` in settings.

At 01:00 platform time (``CELERY_TIMEZONE``, Asia/Shanghai) on the 1st, after midnight's other jobs:
last month's compliance report.
"""

from celery.schedules import crontab

MONTHLY_COMPLIANCE_BEAT = {
    "reports.monthly-compliance": {
        "task": "reports.monthly_compliance",
        "schedule": crontab(minute=0, hour=1, day_of_month=1),
    },
}
