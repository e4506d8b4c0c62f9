"""Field-work arrangement: care-service partners, coordinators covering areas, and service orders paid
through the real checkout and sandbox payment (so the ORDER_PAID hook assigns them as in production)."""

from typing import Any

from django.contrib.auth.models import Permission

from catalog.models import Sku
from fieldwork.models import CoverageArea, FieldCoordinator
from merchants.models import Merchant
from orders.models import Order
from platform_core.accounts.models import User
from staff.models import Department
from tests.factories.orders import paid_order, shop, shop_category, sku_for_sale
from tests.factories.staff import staff_member

AREA = "北京市朝阳区"


def care_partner(**merchant_fields: Any) -> Merchant:
    """A care-service partner institution (合作机构) in a service category, holding its deposit."""
    merchant = shop(shop_category(is_service=True, name="居家养老服务"))
    if merchant_fields:
        Merchant.objects.filter(pk=merchant.pk).update(**merchant_fields)
        merchant.refresh_from_db()
    return merchant


def care_sku(*, area: str = AREA, merchant: Merchant | None = None, price: str = "120.00") -> Sku:
    return sku_for_sale(
        merchant=merchant or care_partner(),
        price=price,
        stock=100,
        kind="service",
        service_area=area,
        service_duration_minutes=120,
        title="上门助浴 2小时",
        description="专业护理员上门为老人助浴。",
    )


def coordinator(*areas: str, display_name: str = "", **user_fields: Any) -> FieldCoordinator:
    """An operations staff member covering ``areas`` (default: the test area)."""
    user = staff_member(Department.Code.OPERATIONS, **user_fields)
    fc = FieldCoordinator.objects.create(user=user, display_name=display_name)
    for area in areas or (AREA,):
        CoverageArea.objects.create(coordinator=fc, area=area)
    return fc


def manager() -> User:
    """Operations staff holding ``fieldwork.manage_assignments`` (reassign, see every assignment)."""
    user = staff_member(Department.Code.OPERATIONS)
    user.user_permissions.add(Permission.objects.get(codename="manage_assignments"))
    return User.objects.get(pk=user.pk)  # no stale permission cache


def paid_service_order(*, sku: Sku | None = None, customer: User | None = None) -> Order:
    return paid_order(sku=sku or care_sku(), customer=customer)
