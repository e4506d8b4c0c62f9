"""STF-9 through the admin as in production (issue 21): the department head, signed in with the second
factor, records misconduct with evidence; the permission involved is revoked at once and audited; a
colleague who is neither head nor compliance gets 403 (the screens themselves: test_discipline.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from staff.models import Department, PermissionGrant, StaffMisconduct
from staff.services.grants import permission_grant
from tests.factories.staff import staff_member
from tests.helpers.admin_otp import otp_admin_client as admin_signed_in
from tests.staff.conftest import perm

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ADD = "/admin/staff/staffmisconduct/add/"


def test_stf_9_head_records_misconduct_with_second_factor_in_admin(settings, operations_head) -> None:
    settings.STAFF_REQUIRE_OTP = True
    offender = staff_member(Department.Code.OPERATIONS, name="违规专员")
    permission_grant(
        user=offender, permission=perm("staff.publish_announcement"), reason="editor", actor=operations_head
    )
    form = {
        "staff": offender.pk,
        "kind": StaffMisconduct.Kind.ABUSE_OF_AUTHORITY,
        "description": "越权修改商家资料",
        "evidence": SimpleUploadedFile("evidence.png", PNG, content_type="image/png"),
        "permissions": [perm("staff.publish_announcement").pk],
    }
    colleague = admin_signed_in(staff_member(Department.Code.OPERATIONS, name="同事"))
    assert colleague.get(ADD).status_code == 403
    assert colleague.post(ADD, form).status_code == 403
    assert not StaffMisconduct.objects.exists()

    form["evidence"] = SimpleUploadedFile("evidence.png", PNG, content_type="image/png")
    response = admin_signed_in(operations_head).post(ADD, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    record = StaffMisconduct.objects.get(staff=offender)
    assert record.revoked == ["staff.publish_announcement"]
    assert not User.objects.get(pk=offender.pk).has_perm("staff.publish_announcement")
    assert not PermissionGrant.objects.filter(user=offender, revoked_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="staff.misconduct_recorded")
    assert entry.actor == operations_head
