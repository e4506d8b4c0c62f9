from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules


def _sync_permissions(**kwargs: Any) -> None:
    from platform_core.reports.services import report_permissions_sync

    report_permissions_sync()


class ReportsConfig(AppConfig):
    name = "platform_core.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Reports"

    def ready(self) -> None:
        # Every installed app's ``reports.py`` registers its report definitions and monthly sections (this
        # app's holds the kernel's), so every process — web, worker, beat — knows every report.
        autodiscover_modules("reports")
        # ``reports.export_<code>`` exist once the registry is known; the auditor role gets them (AUD-2).
        post_migrate.connect(_sync_permissions, sender=self, dispatch_uid="reports.sync_permissions")
