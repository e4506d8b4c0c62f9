"""Fixtures of the staff chapter: departments with heads, a reviewer, staff and customer applicants."""

import pytest
from django.contrib.auth.models import Permission

from platform_core.accounts.models import User
from staff.models import Department
from tests.factories.accounts import CustomerFactory
from tests.factories.staff import department, staff_member


def give(user: User, key: str) -> User:
    """Give ``user`` the permission directly (test arrangement; production goes through a grant)."""
    app_label, codename = key.split(".")
    user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)  # fresh instance: no cached permissions


def perm(key: str) -> Permission:
    app_label, codename = key.split(".")
    return Permission.objects.select_related("content_type").get(
        content_type__app_label=app_label, codename=codename
    )


@pytest.fixture
def operations_head(db: None) -> User:
    head = staff_member(Department.Code.OPERATIONS, name="运营主管")
    ops = department(Department.Code.OPERATIONS)
    ops.head = head
    ops.save()
    return head


@pytest.fixture
def reviewer(db: None) -> User:
    return give(staff_member(Department.Code.HR, name="人事审核员"), "staff.review_permission_application")


@pytest.fixture
def applicant(db: None, operations_head: User) -> User:
    return staff_member(Department.Code.OPERATIONS, name="运营专员")


@pytest.fixture
def customer_applicant(db: None) -> User:
    return CustomerFactory()
