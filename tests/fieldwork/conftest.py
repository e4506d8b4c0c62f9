import pytest

from platform_core.accounts.models import User
from staff.models import Department
from staff.services.profiles import department_head_set
from tests.factories.staff import department, staff_member


@pytest.fixture
def operations_head(db: None) -> User:
    head = staff_member(Department.Code.OPERATIONS, name="运营负责人")
    department_head_set(department=department(Department.Code.OPERATIONS), head=head, actor=None)
    return head
