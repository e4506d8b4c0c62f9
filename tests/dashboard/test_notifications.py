"""The notifications centre: every in-app notification the platform sent the member, mark read (one or
all), the unread count in the header; nobody reads or marks another person's (SEC-1)."""

import pytest
from django.test import Client

from merchants.models import Merchant, MerchantMember
from platform_core.notifications.models import Notification
from platform_core.notifications.services import notify
from tests.dashboard.conftest import client_as, member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform_default_language")]

Role = MerchantMember.Role


def _tell(user: object, title: str = "新订单待发货") -> Notification:
    (n,) = notify(recipient=user, event="order_paid", title=title, body="订单 202612070001 已付款")
    return n


def test_notifications_are_listed_with_the_unread_count_in_the_header(
    owner_client: Client, shop: Merchant
) -> None:
    _tell(shop.owner)
    _tell(shop.owner, "顾客消息待回复")
    response = owner_client.get("/merchant/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "新订单待发货" in html and "顾客消息待回复" in html
    assert response.context["unread_notifications"] == 2
    assert 'data-testid="unread-notifications"' in html and "2 条未读通知" in html
    home = owner_client.get("/merchant/")
    assert home.context["unread_notifications"] == 2  # the badge is on every page


def test_mark_one_and_all_read(owner_client: Client, shop: Merchant) -> None:
    first, second = _tell(shop.owner), _tell(shop.owner)
    response = owner_client.post(f"/merchant/notifications/{first.pk}/read/")
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert owner_client.get("/merchant/notifications/?filter=unread").context["rows"] == [second]
    owner_client.post("/merchant/notifications/read-all/")
    second.refresh_from_db()
    assert second.read_at is not None
    page = owner_client.get("/merchant/notifications/?filter=unread")
    assert page.context["unread_notifications"] == 0 and "没有未读通知" in page.content.decode()


def test_sec_1_a_member_neither_sees_nor_marks_another_members_notification(shop: Merchant) -> None:
    owners = _tell(shop.owner, "只给店主的通知")
    staff = client_as(member_of(shop, Role.CUSTOMER_SERVICE))
    assert "只给店主的通知" not in staff.get("/merchant/notifications/").content.decode()
    assert staff.post(f"/merchant/notifications/{owners.pk}/read/").status_code == 404
    staff.post("/merchant/notifications/read-all/")
    owners.refresh_from_db()
    assert owners.read_at is None
