"""ORD-2 in the staff admin: orders with ledger postings, deadlines and events inline, read-only;
interventions only through actions that take a reason and run a service."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from orders.models import Order, OrderEvent
from orders.selectors.money import order_refunded_amount
from platform_core.accounts.models import User
from tests.factories.accounts import StaffFactory
from tests.factories.orders import paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    user = StaffFactory.create()
    # PAY-5: cancelling with a refund is finance's permission (issue 20)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_order", "change_order", "refund_order"])
    )
    client.force_login(User.objects.get(pk=user.pk))
    return client


def test_ord_2_admin_shows_the_order_with_ledger_and_deadlines_and_acts_only_with_a_reason(
    staff_client: Client,
) -> None:
    order = paid_order()
    page = staff_client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "order-payment:sandbox:" in html  # the payment posting
    assert "orders.ship_by" in html  # the running deadline
    assert "paid" in html

    # without a reason nothing happens
    staff_client.post(
        "/admin/orders/order/", {"action": "cancel_with_refund", "_selected_action": [order.pk], "reason": ""}
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    staff_client.post(
        "/admin/orders/order/",
        {"action": "cancel_with_refund", "_selected_action": [order.pk], "reason": "customer asked by phone"},
    )
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order_refunded_amount(order=order) == order.total
    assert OrderEvent.objects.get(order=order, action="cancelled").reason == "customer asked by phone"
