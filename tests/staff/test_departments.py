"""STF-1: departments are seeded; a staff profile puts a person in a department and its role."""

import pytest

from platform_core.audit.models import AuditEntry
from platform_core.errors import Conflict
from staff.models import Department
from staff.services.profiles import department_head_set, staff_profile_create
from tests.factories.accounts import UserFactory
from tests.factories.staff import department

pytestmark = pytest.mark.django_db


def test_stf_1_departments_seeded():
    assert set(Department.objects.values_list("code", flat=True)) == set(Department.Code.values)
    assert department("customer_service").name == "客服部"


def test_stf_1_profile_puts_person_in_department_role(reviewer):
    person = UserFactory.create()
    profile = staff_profile_create(
        user=person, department=department("finance"), title="会计", actor=reviewer
    )
    person.refresh_from_db()
    assert person.is_staff and person.has_role("staff_finance")
    assert profile.is_active and profile.department.code == "finance"
    with pytest.raises(Conflict):
        staff_profile_create(user=person, department=department("hr"), actor=reviewer)


def test_stf_1_department_head_set_audited(reviewer):
    head = UserFactory.create(is_staff=True)
    department_head_set(department=department("finance"), head=head, actor=reviewer)
    assert department("finance").head == head
    assert AuditEntry.objects.filter(action="staff.department_head_set").exists()
