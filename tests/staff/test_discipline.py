"""STF-9: staff discipline through the admin: misconduct recorded with evidence by the department head or
compliance revokes the permissions involved at once and counts in the performance figures (STF-7);
rewards and sanctions are recorded from a month's results."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from staff.models import Department, PermissionGrant, StaffMisconduct, StaffRewardSanction
from staff.services.grants import permission_grant
from tests.factories.reports import auditor_factory, export_csv
from tests.factories.staff import department, staff_member
from tests.staff.conftest import perm

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ADD_MISCONDUCT = "/admin/staff/staffmisconduct/add/"
ADD_DECISION = "/admin/staff/staffrewardsanction/add/"


@pytest.fixture(autouse=True)
def _no_second_factor(settings) -> None:
    settings.STAFF_REQUIRE_OTP = False  # SEC-3 is tested in test_security; here the screens


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def offender(operations_head: User) -> User:
    """An operations staff member holding the publishing permission through a grant (STF-2)."""
    person = staff_member(Department.Code.OPERATIONS, name="违规专员")
    permission_grant(
        user=person, permission=perm("staff.publish_announcement"), reason="editor", actor=operations_head
    )
    return person


def misconduct_form(offender: User, **extra: object) -> dict[str, object]:
    return {
        "staff": offender.pk,
        "kind": StaffMisconduct.Kind.FALSE_PUBLICITY,
        "description": "发布了虚假的促销公告",
        "evidence": SimpleUploadedFile("evidence.png", PNG, content_type="image/png"),
        "permissions": [perm("staff.publish_announcement").pk],
        **extra,
    }


def active_grant(user: User) -> bool:
    return PermissionGrant.objects.filter(user=user, revoked_at__isnull=True, lapsed_at__isnull=True).exists()


def test_stf_9_department_head_records_misconduct_and_the_permission_is_revoked_at_once(
    operations_head, offender
):
    client = browser(operations_head)
    assert client.get(ADD_MISCONDUCT).status_code == 200
    response = client.post(ADD_MISCONDUCT, misconduct_form(offender))
    assert response.status_code == 302, response.content.decode()[:2000]

    record = StaffMisconduct.objects.get(staff=offender)
    assert record.recorded_by == operations_head
    assert record.revoked == ["staff.publish_announcement"]
    assert record.evidence.name.startswith("staff/misconduct/")
    assert not active_grant(offender)
    assert not User.objects.get(pk=offender.pk).has_perm("staff.publish_announcement")
    entry = AuditEntry.objects.get(action="staff.misconduct_recorded")
    assert entry.after is not None
    assert entry.actor == operations_head and entry.after["revoked"] == ["staff.publish_announcement"]
    assert AuditEntry.objects.filter(action="staff.permission_revoked").exists()  # STF-3's revocation

    listing = client.get("/admin/staff/staffmisconduct/?kind=false_publicity").content.decode()
    assert "违规专员" in listing and "staff.publish_announcement" in listing
    assert client.get(f"/admin/staff/staffmisconduct/{record.pk}/change/").status_code == 200


def test_stf_9_compliance_may_record_misconduct(offender):
    officer = staff_member(Department.Code.COMPLIANCE, name="合规专员")
    response = browser(officer).post(ADD_MISCONDUCT, misconduct_form(offender))
    assert response.status_code == 302
    assert not active_grant(offender)


def test_stf_9_a_non_head_is_refused_and_nothing_is_revoked(operations_head, offender):
    colleague = staff_member(Department.Code.OPERATIONS, name="同事")
    assert browser(colleague).get(ADD_MISCONDUCT).status_code == 403  # neither head nor compliance

    other_head = staff_member(Department.Code.FINANCE, name="财务主管")
    finance = department(Department.Code.FINANCE)
    finance.head = other_head
    finance.save()
    response = browser(other_head).post(ADD_MISCONDUCT, misconduct_form(offender))
    assert response.status_code == 200  # the form again, with the refusal
    assert "Only the head of the staff member" in response.content.decode()
    assert not StaffMisconduct.objects.exists()
    assert active_grant(offender)


def test_stf_9_evidence_is_checked_by_content(operations_head, offender):
    fake = SimpleUploadedFile("evidence.png", b"MZ not an image", content_type="image/png")
    response = browser(operations_head).post(ADD_MISCONDUCT, misconduct_form(offender, evidence=fake))
    assert response.status_code == 200
    assert not StaffMisconduct.objects.exists()
    assert active_grant(offender)


def test_stf_9_the_performance_report_shows_the_misconduct(operations_head, offender):
    browser(operations_head).post(ADD_MISCONDUCT, misconduct_form(offender))
    today = timezone.localdate()
    query = f"&from={today.replace(day=1):%Y-%m-%d}&to={today:%Y-%m-%d}"
    rows, _body, _export = export_csv(auditor_factory(), "staff_performance", query)
    row = next(r for r in rows if r["Staff ID"] == str(offender.pk))
    assert row["Misconduct recorded"] == "1"


def test_stf_9_reward_or_sanction_recorded_from_last_month_results(operations_head, offender):
    client = browser(operations_head)
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    form = {"staff": offender.pk, "kind": "sanction", "decision": "通报批评,扣减当月绩效奖金"}

    client.post(ADD_DECISION, {**form, "period": f"{this_month:%Y-%m-%d}"})
    assert not StaffRewardSanction.objects.exists()  # the month has not ended: not yet

    response = client.post(ADD_DECISION, {**form, "period": f"{last_month:%Y-%m-15}"})
    assert response.status_code == 302
    record = StaffRewardSanction.objects.get(staff=offender)
    assert record.kind == StaffRewardSanction.Kind.SANCTION and record.period == last_month
    assert record.recorded_by == operations_head
    assert "misconduct" in record.figures
    assert AuditEntry.objects.filter(action="staff.reward_sanction_recorded").exists()
    assert client.get("/admin/staff/staffrewardsanction/").status_code == 200

    colleague = staff_member(Department.Code.OPERATIONS, name="同事")
    browser(colleague).post(ADD_DECISION, {**form, "period": f"{last_month:%Y-%m-%d}"})
    assert StaffRewardSanction.objects.count() == 1
