"""AUD-2: the staff permission-changes report lists every grant with its outcome."""

from typing import Any

import pytest
from django.contrib.auth.models import Permission

from platform_core.reports.registry import ReportFilters, report_get
from staff.services._common import permission_resolve
from staff.services.grants import permission_grant, permission_revoke
from tests.factories.staff import staff_member

pytestmark = pytest.mark.django_db


def test_aud_2_staff_permission_changes_report_lists_grants_and_revocations():
    admin = staff_member()
    admin.user_permissions.add(Permission.objects.get(codename="review_permission_application"))
    holder = staff_member()
    kept = permission_grant(
        user=holder,
        permission=permission_resolve("staff.publish_announcement"),
        reason="needs it",
        actor=admin,
    )
    revoked = permission_grant(
        user=holder,
        permission=permission_resolve("staff.review_permission_application"),
        reason="cover",
        actor=admin,
    )
    permission_revoke(grant=revoked, reason="cover ended", actor=admin)

    source: Any = report_get("staff_permission_changes").rows(ReportFilters())
    rows = {r["id"]: r for r in source}

    assert set(rows) == {kept.pk, revoked.pk}
    assert rows[revoked.pk]["revoke_reason"] == "cover ended"
    assert rows[kept.pk]["permission__codename"] == "publish_announcement"
