"""Journeys over HTTP for the test-clock tests (decision 026): a customer buys and pays through the API,
staff advance the sandbox clock through the API."""

from typing import Any, cast

from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from catalog.models import Sku
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from tests.conftest import client_for
from tests.factories.accounts import StaffFactory


def clock_keeper() -> User:
    """Operations staff holding ``sandbox.advance_test_clock``."""
    user = cast(User, StaffFactory(role=Role.STAFF_OPERATIONS))
    user.user_permissions.add(Permission.objects.get(codename="advance_test_clock"))
    return User.objects.get(pk=user.pk)


def advance(hours: int, *, by: User | None = None) -> dict[str, Any]:
    """Staff advance the clock through the API; the answer's JSON."""
    response = client_for(by or clock_keeper()).post(
        "/api/v1/sandbox/clock/advance/", {"hours": hours}, format="json"
    )
    assert response.status_code == 200, response.content
    return cast(dict[str, Any], response.json())


def paid_order_over_http(customer: APIClient, sku: Sku, *, key: str) -> dict[str, Any]:
    """Cart, checkout and pay through the sandbox cashier, as the customer's app does; the order's JSON."""
    assert customer.post("/api/v1/cart/", {"sku": sku.pk, "quantity": 1}, format="json").status_code == 200
    checkout = customer.post(
        "/api/v1/checkout/",
        {"shipping_name": "顾客", "shipping_phone": "13800000000", "shipping_address": "北京市1号"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"{key}-checkout",
    )
    assert checkout.status_code == 201, checkout.content
    order_id = checkout.json()[0]["id"]
    payment = customer.post(
        f"/api/v1/orders/{order_id}/pay/",
        {"provider": "sandbox"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"{key}-pay",
    )
    assert payment.status_code in (200, 201), payment.content
    cashier = customer.post(f"/api/v1/payments/sandbox/{payment.json()['out_trade_no']}/pay/")
    assert cashier.status_code == 202, cashier.content
    order = customer.get(f"/api/v1/orders/{order_id}/").json()
    assert order["status"] == "paid", order
    return cast(dict[str, Any], order)
