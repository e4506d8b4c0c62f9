"""ORD-1, AFS-2, AFS-4 (issue 27): the contract keeps the shop's after-sales policy and the customer's
confirmation of non-returnable items as they were at purchase; after-sales follows the contract."""

from datetime import timedelta
from decimal import Decimal
from itertools import count
from typing import Any, cast

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Category, Listing, Sku
from merchants.models import Merchant
from orders.models import Order
from orders.services.fulfilment import order_confirm_receipt, order_ship
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for
from tests.factories.orders import pay

pytestmark = pytest.mark.django_db

SHIPPING = {"shipping_name": "李四", "shipping_phone": "13900000000", "shipping_address": "上海市浦东新区1号"}
_keys = count(1)


def _sku(
    merchant: Merchant, category: Category, *, non_returnable: bool = False, price: str = "80.00"
) -> Sku:
    listing = approved_listing(
        merchant=merchant, category=category, price=price, stock=50, is_non_returnable=non_returnable
    )
    return listing.skus.get()


def _buy(client: APIClient, skus: list[Sku], **extra: Any) -> Any:
    for sku in skus:
        assert client.post("/api/v1/cart/", {"sku": sku.pk, "quantity": 1}, format="json").status_code == 200
    return client.post(
        "/api/v1/checkout/", {**SHIPPING, **extra}, format="json", HTTP_IDEMPOTENCY_KEY=f"k{next(_keys)}"
    )


def _received(order_id: int) -> Order:
    order = pay(Order.objects.get(pk=order_id))
    order_ship(order=order, carrier="SF", tracking_number=f"SF{order.pk:08d}", actor=order.merchant.owner)
    order_confirm_receipt(order=order, actor=order.customer)
    order.refresh_from_db()
    return order


def _open(client: APIClient, order: Order, *, kind: str, reason_kind: str) -> Any:
    line = order.lines.get()
    return client.post(
        "/api/v1/aftersales/",
        {
            "order": order.pk,
            "line": line.pk,
            "kind": kind,
            "reason_kind": reason_kind,
            "reason": "不想要了",
            "amount": str(line.line_total),
        },
        format="json",
    )


def _policy(owner: User, **body: Any) -> Any:
    return client_for(owner).put("/api/v1/merchant/aftersales-policy/", body, format="json")


def test_ord_1_contract_snapshots_the_shops_policy_and_after_sales_follows_the_snapshot(time_machine) -> None:
    category = cast(Category, CategoryFactory())
    merchant = merchant_for(category)
    sku = _sku(merchant, category)
    answer = _policy(
        merchant.owner,
        pays_no_reason_return_shipping=True,
        warranty_days=30,
        exchange_repair_terms="30天内免费换新",
    )
    assert answer.status_code == 200, answer.content
    assert AuditEntry.objects.filter(action="aftersales.policy_changed").exists()
    customer = cast(User, CustomerFactory())
    client = client_for(customer)
    response = _buy(client, [sku])
    assert response.status_code == 201, response.content
    order_id = response.json()[0]["id"]
    bought_under = {
        "no_reason_return_shipping_payer": "merchant",
        "warranty_days": 30,
        "exchange_repair_terms": "30天内免费换新",
    }
    assert client.get(f"/api/v1/orders/{order_id}/contract/").json()["aftersales_policy"] == bought_under

    # the shop changes its policy after the purchase: the customer's terms do not change
    assert (
        _policy(
            merchant.owner, pays_no_reason_return_shipping=False, warranty_days=10, exchange_repair_terms=""
        ).status_code
        == 200
    )
    assert client.get(f"/api/v1/orders/{order_id}/contract/").json()["aftersales_policy"] == bought_under
    merchant_view = client_for(merchant.owner).get(f"/api/v1/orders/{order_id}/contract/").json()
    assert merchant_view["aftersales_policy"] == bought_under
    html = client.get(f"/api/v1/orders/{order_id}/contract/?render=html").content.decode()
    assert "30天内免费换新" in html
    order = _received(order_id)

    # AFS-4: the shop pays a no-reason return's shipping, as its policy at purchase said
    returned = _open(client, order, kind="return_refund", reason_kind="no_reason")
    assert returned.status_code == 201, returned.content
    assert returned.json()["return_shipping_payer"] == "merchant"
    assert (
        client.post(f"/api/v1/aftersales/{returned.json()['id']}/withdraw/", {}, format="json").status_code
        == 200
    )

    # AFS-1: the repair window is the 30-day warranty of the purchase, not today's 10 days
    time_machine.move_to(timezone.now() + timedelta(days=20))
    repair = _open(client, order, kind="repair", reason_kind="quality")
    assert repair.status_code == 201, repair.content

    # a new order gets the new policy
    later = _buy(client, [sku])
    assert later.status_code == 201
    policy = client.get(f"/api/v1/orders/{later.json()[0]['id']}/contract/").json()["aftersales_policy"]
    assert policy == {
        "no_reason_return_shipping_payer": "customer",
        "warranty_days": 10,
        "exchange_repair_terms": "",
    }


def test_ord_1_only_the_shops_owner_or_operations_set_its_policy() -> None:
    category = cast(Category, CategoryFactory())
    merchant = merchant_for(category)
    customer_answer = client_for(cast(User, CustomerFactory())).put(
        "/api/v1/merchant/aftersales-policy/",
        {"pays_no_reason_return_shipping": True, "warranty_days": 30, "exchange_repair_terms": ""},
        format="json",
    )
    assert customer_answer.status_code == 403
    bad = _policy(
        merchant.owner, pays_no_reason_return_shipping=True, warranty_days=0, exchange_repair_terms=""
    )
    assert bad.status_code == 400 and "warranty_days" in bad.json()["errors"]
    shown = client_for(merchant.owner).get("/api/v1/merchant/aftersales-policy/").json()
    assert shown["pays_no_reason_return_shipping"] is False and shown["updated_at"] is None


def test_afs_2_checkout_refuses_a_non_returnable_item_until_the_customer_confirms_it() -> None:
    category = cast(Category, CategoryFactory())
    merchant = merchant_for(category)
    custom = _sku(merchant, category, non_returnable=True)
    plain = _sku(merchant, category)
    client = client_for(cast(User, CustomerFactory()))

    refused = _buy(client, [custom, plain])
    assert refused.status_code == 400, refused.content
    body = refused.json()
    assert body["code"] == "non_returnable_not_confirmed"
    assert str(custom.pk) in body["errors"]["confirm_non_returnable"][0]
    assert not Order.objects.exists()
    # confirming another item is not confirming this one
    assert _buy(client, [], confirm_non_returnable=[plain.pk]).status_code == 400

    accepted = _buy(client, [], confirm_non_returnable=[custom.pk])
    assert accepted.status_code == 201, accepted.content
    order_id = accepted.json()[0]["id"]
    contract = client.get(f"/api/v1/orders/{order_id}/contract/").json()
    terms = {t["sku"]: t for t in contract["lines"]}
    assert terms[custom.pk]["non_returnable_confirmed"] is True
    assert terms[custom.pk]["non_returnable_confirmed_at"] == contract["signed_at"]
    assert terms[custom.pk]["no_reason_return"] is False
    assert terms[plain.pk]["non_returnable_confirmed"] is False
    html = client.get(f"/api/v1/orders/{order_id}/contract/?render=html").content.decode()
    assert "the buyer confirmed at purchase" in html


def test_afs_2_the_recorded_confirmation_decides_not_the_listings_flag_today() -> None:
    category = cast(Category, CategoryFactory())
    merchant = merchant_for(category)
    sku = _sku(merchant, category)  # returnable at purchase: nothing to confirm
    client = client_for(cast(User, CustomerFactory()))
    response = _buy(client, [sku])
    assert response.status_code == 201
    order = _received(response.json()[0]["id"])
    # the shop marks the listing non-returnable after the sale: the customer confirmed nothing
    Listing.objects.filter(pk=sku.listing_id).update(is_non_returnable=True)
    opened = _open(client, order, kind="return_refund", reason_kind="no_reason")
    assert opened.status_code == 201, opened.content
    assert Decimal(opened.json()["amount"]) == Decimal("80.00")
