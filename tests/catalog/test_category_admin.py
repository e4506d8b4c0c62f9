"""Issue 21, MER-1, MER-5, PAY-4, AFS-2: operations maintain the category tree in the admin (deposit,
commission, 7-day-return exclusion, required licences), every change audited; MER-4: the first platform
agreement is published from the admin and takes effect at once."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from catalog.models import Category
from merchants.models import PlatformAgreement
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.catalog import CategoryFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/catalog/category/add/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**values: object) -> dict[str, object]:
    return {
        "name": "生鲜",
        "name_en": "Fresh food",
        "slug": "fresh-food",
        "parent": "",
        "deposit_amount": "5000.00",
        "commission_rate": "0.0600",
        "no_reason_return_excluded": "on",
        "required_document_kinds": ["food_licence"],
        "required_listing_fields": ["images"],
        **values,
    }


def test_mer_5_pay_4_afs_2_category_tree_is_maintained_in_the_admin_and_audited() -> None:
    operator = UserFactory.create(is_staff=True, is_superuser=True)
    client = _client(operator)
    food = CategoryFactory.create(name="食品", slug="food")
    response = client.post(ADD, _form(parent=food.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = Category.objects.get(slug="fresh-food")
    assert fresh.parent == food
    assert fresh.deposit_amount == Decimal("5000.00") and fresh.commission_rate == Decimal("0.0600")
    assert fresh.no_reason_return_excluded and not fresh.aftersales_special
    assert fresh.required_document_kinds == ["food_licence"] and fresh.required_listing_fields == ["images"]
    created = AuditEntry.objects.get(action="catalog.category_created")
    assert created.actor_id == operator.pk and (created.after or {})["deposit_amount"] == "5000.00"

    response = client.post(
        f"/admin/catalog/category/{fresh.pk}/change/", _form(parent=food.pk, commission_rate="0.08")
    )
    assert response.status_code == 302
    changed = AuditEntry.objects.get(action="catalog.category_changed")
    assert (changed.before, changed.after) == ({"commission_rate": "0.0600"}, {"commission_rate": "0.0800"})

    # the tree shows as paths; the tree stays a tree; a licence is a choice, not free text
    assert "食品 › 生鲜" in client.get("/admin/catalog/category/").content.decode()
    response = client.post(
        f"/admin/catalog/category/{food.pk}/change/", _form(name="食品", slug="food", parent=fresh.pk)
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert Category.objects.get(pk=food.pk).parent is None
    response = client.post(ADD, _form(slug="other", required_document_kinds=["a licence I made up"]))
    assert response.status_code == 200 and not Category.objects.filter(slug="other").exists()
    # categories are never deleted (merchants, listings and orders name them)
    assert client.get(f"/admin/catalog/category/{fresh.pk}/delete/").status_code == 403


def test_mer_5_staff_without_the_category_permission_cannot_change_the_tree() -> None:
    fresh = CategoryFactory.create(slug="fresh")
    staff = StaffFactory.create()
    staff.user_permissions.add(Permission.objects.get(codename="view_category"))
    client = _client(User.objects.get(pk=staff.pk))
    assert client.get(f"/admin/catalog/category/{fresh.pk}/change/").status_code == 200
    assert client.post(f"/admin/catalog/category/{fresh.pk}/change/", _form(slug="fresh")).status_code == 403
    assert client.post(ADD, _form()).status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="catalog.category_").exists()


def test_mer_4_the_first_platform_agreement_is_published_from_the_admin_and_takes_effect_at_once() -> None:
    operator = UserFactory.create(is_staff=True, is_superuser=True)
    now = timezone.localtime()
    response = _client(operator).post(
        "/admin/merchants/platformagreement/add/",
        {
            "version": "1.0",
            "title": "平台服务协议",
            "body": "商品质量、售后与责任条款。",
            "effective_at_0": now.strftime("%Y-%m-%d"),
            "effective_at_1": now.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = PlatformAgreement.objects.get(version="1.0")
    assert agreement.effective_at <= timezone.now()
    assert AuditEntry.objects.filter(action="merchant.agreement_published", actor=operator).count() == 1
