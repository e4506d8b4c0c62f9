"""AUD-2: staff permission changes, for auditors (registered with the kernel's report registry)."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.masking import mask_name
from platform_core.reports.registry import Column, ReportFilters, report
from staff.models import PermissionGrant


def _outcome(row: dict[str, Any]) -> str:
    if row["revoked_at"]:
        return "revoked"
    return "lapsed" if row["lapsed_at"] else "active"


@report(
    "staff_permission_changes",
    title=_("Staff permission changes"),
    description=_(
        "Every permission granted in the period: to whom, by whom, why, until when, and how it ended."
    ),
    columns=[
        Column("id", _("Grant ID")),
        Column("user_id", _("User ID")),
        Column("user__name", _("User"), mask=mask_name),
        Column(
            "permission",
            _("Permission"),
            value=lambda r: f"{r['permission__content_type__app_label']}.{r['permission__codename']}",
        ),
        Column("application_id", _("Application")),
        Column("granted_by_id", _("Granted by (ID)")),
        Column("granted_at", _("Granted at")),
        Column("expires_at", _("Expires at")),
        Column("reason", _("Reason")),
        Column("outcome", _("State"), value=_outcome),
        Column("revoked_at", _("Revoked at")),
        Column("revoked_by_id", _("Revoked by (ID)")),
        Column("revoke_reason", _("Revocation reason")),
        Column("lapsed_at", _("Lapsed at")),
    ],
    extra_filters=("permission",),
)
def staff_permission_changes_rows(filters: ReportFilters) -> QuerySet[PermissionGrant, Any]:
    qs = PermissionGrant.objects.all()
    if filters.since:
        qs = qs.filter(granted_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(granted_at__lt=filters.until)
    if filters.extra.get("permission"):
        app_label, _dot, codename = filters.extra["permission"].partition(".")
        qs = qs.filter(permission__content_type__app_label=app_label, permission__codename=codename)
    return qs.order_by("granted_at", "id").values(
        "id",
        "user_id",
        "user__name",
        "permission__content_type__app_label",
        "permission__codename",
        "application_id",
        "granted_by_id",
        "granted_at",
        "expires_at",
        "reason",
        "revoked_at",
        "revoked_by_id",
        "revoke_reason",
        "lapsed_at",
    )
