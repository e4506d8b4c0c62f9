"""SEC-2: personal data masked unless the viewer holds staff.view_personal_data; unmasked views audited."""

import pytest
from django.contrib.auth.models import AnonymousUser

from platform_core.accounts.masking import (
    mask_address,
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
    may_view_personal_data,
    personal_data_viewed,
)
from platform_core.audit.models import AuditEntry
from tests.factories.accounts import CustomerFactory
from tests.factories.staff import staff_member
from tests.staff.conftest import give


def test_sec_2_phone_masked():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("") == ""
    assert mask_phone(None) == ""
    assert mask_phone("1234") == "****"
    assert mask_phone("85212345") == "****2345"


def test_sec_2_id_number_keeps_first_3_and_last_4():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_id_number("123456") == "******"


def test_sec_2_name_masked():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("John Smith") == "J*** S****"
    assert mask_name("") == ""


def test_sec_2_address_keeps_region_only():
    assert mask_address("北京市朝阳区建国路88号SOHO现代城") == "北京市朝阳区****"
    assert mask_address("上海") == "****"
    assert "建国路" not in mask_address("北京市朝阳区建国路88号")


def test_sec_2_bank_account_last_four():
    assert mask_bank_account("6222 0212 3456 7890") == "**** 7890"


@pytest.mark.django_db
def test_sec_2_only_permission_holders_see_personal_data():
    assert not may_view_personal_data(AnonymousUser())
    assert not may_view_personal_data(None)
    assert not may_view_personal_data(CustomerFactory())
    officer = staff_member("compliance")
    assert not may_view_personal_data(officer)
    officer = give(officer, "staff.view_personal_data")
    assert may_view_personal_data(officer)
    officer.is_active = False
    assert not may_view_personal_data(officer)


@pytest.mark.django_db
def test_sec_2_unmasked_view_audited():
    officer = give(staff_member("compliance"), "staff.view_personal_data")
    customer = CustomerFactory.create()
    personal_data_viewed(
        viewer=officer, subject=customer, fields=["phone", "name", "phone"], purpose="complaint 42"
    )
    entry = AuditEntry.objects.get(action="personal_data.viewed")
    assert entry.actor == officer and entry.subject_id == str(customer.pk)
    assert entry.after == {"fields": ["name", "phone"]} and entry.reason == "complaint 42"
    personal_data_viewed(
        viewer=officer, subject=None, fields=["phone"], purpose="export of orders", export=True
    )
    assert AuditEntry.objects.filter(action="personal_data.exported").count() == 1
