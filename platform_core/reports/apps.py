from pathlib import Path
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules


def _sync_permissions(**kwargs: Any) -> None:
    from platform_core.reports.services import report_permissions_sync

    report_permissions_sync()


def _is_project_app(app_config: AppConfig) -> bool:
    """An app of this repository (the kernel's and the chapters'), not an installed library's."""
    path = Path(app_config.path).resolve()
    base = Path(settings.BASE_DIR).resolve()
    return path.is_relative_to(base) and "site-packages" not in path.parts


def auditor_view_permissions_sync(*, app_label: str | None = None, using: str = "default") -> int:
    """AUD-2: the auditor role sees everything read-only: every model's ``view_<model>`` permission of the
    project's apps.

    ``app_label`` limits the grant to one app (the post_migrate handler runs once per app, after
    ``django.contrib.auth`` created that app's permissions). Idempotent; returns the number granted.
    """
    from django.contrib.auth.models import Group, Permission

    from platform_core.accounts.roles import Role

    labels = [c.label for c in apps.get_app_configs() if _is_project_app(c)]
    if app_label is not None:
        labels = [label for label in labels if label == app_label]
    auditor = Group.objects.using(using).filter(name=Role.AUDITOR).first()
    if auditor is None or not labels:
        return 0
    # only the models' default view permissions: custom ones named view_* (``staff.view_personal_data``,
    # SEC-2) are advanced permissions granted one by one, never by role
    candidates = (
        Permission.objects.using(using)
        .filter(content_type__app_label__in=labels, codename__startswith="view_")
        .select_related("content_type")
    )
    permissions = [p for p in candidates if p.codename == f"view_{p.content_type.model}"]
    auditor.permissions.add(*permissions)
    return len(permissions)


def _sync_auditor_view_permissions(
    sender: AppConfig | None = None, using: str = "default", **kwargs: Any
) -> None:
    if sender is not None:
        auditor_view_permissions_sync(app_label=sender.label, using=using)


class ReportsConfig(AppConfig):
    name = "platform_core.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Reports"

    def ready(self) -> None:
        # Every installed app's ``reports.py`` registers its report definitions and monthly sections (this
        # app's holds the kernel's), so every process — web, worker, beat — knows every report; its
        # ``queues.py`` registers the work queues of the operations console.
        autodiscover_modules("reports")
        autodiscover_modules("queues")
        # ``reports.export_<code>`` exist once the registry is known; the auditor role gets them (AUD-2).
        post_migrate.connect(_sync_permissions, sender=self, dispatch_uid="reports.sync_permissions")
        # AUD-2: the auditor role views every project model read-only. Connected for every app (no
        # sender): each app's permissions exist only after its own post_migrate (django.contrib.auth).
        post_migrate.connect(
            _sync_auditor_view_permissions, dispatch_uid="reports.sync_auditor_view_permissions"
        )
