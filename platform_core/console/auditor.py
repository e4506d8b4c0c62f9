"""AUD-2: the auditor role sees everything read-only: every project model's ``view_<model>`` permission."""

from pathlib import Path
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings


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


def auditor_view_permissions_sync_after_migrate(
    sender: AppConfig | None = None, using: str = "default", **kwargs: Any
) -> None:
    """The ``post_migrate`` receiver: once per migrated app, after that app's permissions exist."""
    if sender is not None:
        auditor_view_permissions_sync(app_label=sender.label, using=using)
