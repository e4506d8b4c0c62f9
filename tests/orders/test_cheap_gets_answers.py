"""Issue 26 (decision 049, s9): the order detail, the order list and the cart answer from serializers
built once per process and statements compiled once (``orders.selectors.customer_reads``); each answer
must equal, field for field, what the plain serializers give for the rows the plain querysets read — with
an open hold and delivery case, then with the refund, in two time zones (ORD-1, ORD-10, PAY-5, PAY-6)."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from orders.api._common import OrderSerializer
from orders.api.cart import CartOutputSerializer
from orders.api.customer_orders import OrderDetailSerializer
from orders.models import Order
from orders.selectors.orders import cart_items_for_customer, order_get_for_customer, order_list_for_customer
from orders.services.cart import cart_item_add
from platform_core.deadlines.services import deadlines_sweep
from tests.conftest import client_for
from tests.factories.orders import shipped_order, sku_for_sale
from tests.orders.test_delivery_cases import CASE, _exception_case, _refund

pytestmark = pytest.mark.django_db


def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _assert_answers_are_the_plain_serializers(order: Order) -> dict[str, Any]:
    customer = order.customer
    client = client_for(customer)
    for zone in ("Asia/Shanghai", "UTC"):
        with timezone.override(zone):
            detail = client.get(f"/api/v1/orders/{order.pk}/")
            assert detail.status_code == 200, detail.content
            fresh = order_get_for_customer(customer=customer, order_id=order.pk, money=True)
            assert detail.json() == _plain(OrderDetailSerializer(fresh).data)
            assert list(detail.json()) == list(OrderDetailSerializer(fresh).data)  # the fields' order too
            listed = client.get("/api/v1/orders/").json()["results"]
            assert listed == _plain(
                OrderSerializer(order_list_for_customer(customer=customer), many=True).data
            )
            cart = client.get("/api/v1/cart/").json()
            items = list(cart_items_for_customer(customer=customer))
            total = sum((item.sku.price * item.quantity for item in items), 0)
            assert cart == _plain(CartOutputSerializer({"items": items, "total": total}).data)
    return dict(detail.json())


def test_iss_26_order_detail_list_and_cart_answer_what_the_plain_serializers_give(time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    order = shipped_order(sku=sku_for_sale(price="88.50"))
    cart_item_add(
        customer=order.customer, sku_id=sku_for_sale(price="12.00").pk, quantity=3, actor=order.customer
    )
    case = _exception_case(order)
    answer = _assert_answers_are_the_plain_serializers(order)
    assert len(answer["holds"]) == 1 and answer["delivery_cases"][0]["status"] == "open"
    assert len(answer["events"]) >= 2 and answer["paid_amount"] == "88.50"
    time_machine.move_to(case.opened_at + CASE + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    assert _refund(order, "take-refund")[0] == 200
    answer = _assert_answers_are_the_plain_serializers(order)
    assert answer["refunded_amount"] == "88.50" and answer["refunds"][0]["amount"] == "88.50"
    assert answer["delivery_cases"][0]["refund_amount"] == "88.50" and answer["holds"] == []


def test_iss_26_sec_1_order_detail_of_another_customer_is_404() -> None:
    order = shipped_order()
    other = shipped_order()
    assert client_for(other.customer).get(f"/api/v1/orders/{order.pk}/").status_code == 404
    assert client_for(order.customer).get(f"/api/v1/orders/{order.pk}/").status_code == 200


def _listing_as_before(listing_id: int) -> Any:
    """The listing detail's queryset before issue 26's s9 (``prefetch_related`` of the active SKUs)."""
    from django.db.models import OuterRef, Prefetch

    from catalog import selectors
    from catalog.models import Favourite, Follow, Listing, Sku

    return (
        Listing.objects.filter(selectors.listing_visible_q(), pk=listing_id)
        .select_related("live_version", "merchant", "category")
        .annotate(
            available=selectors._in_stock(),
            favourites_counted=selectors._count_of(
                Favourite.objects.filter(listing=OuterRef("pk")), "listing"
            ),
            followers_counted=selectors._count_of(
                Follow.objects.filter(merchant=OuterRef("merchant_id")), "merchant"
            ),
        )
        .prefetch_related(Prefetch("skus", queryset=Sku.objects.filter(is_active=True).order_by("pk")))
        .get()
    )


def test_iss_26_cat_8_listing_detail_answers_what_the_plain_serializer_gives() -> None:
    from catalog.api.listings import ListingDetailSerializer
    from catalog.models import Sku
    from catalog.services.favourites import favourite_add, follow_add
    from tests.factories.accounts import CustomerFactory
    from tests.factories.orders import completed_order, review_for

    order = completed_order(sku=sku_for_sale(price="30.00", stock=4))
    review_for(order)
    sku = order.lines.get().sku
    assert sku is not None
    listing_id = sku.listing_id
    Sku.objects.create(listing_id=listing_id, code="off", price="1.00", stock=1, is_active=False)
    fan: Any = CustomerFactory()
    favourite_add(user=fan, listing_id=listing_id, actor=fan)
    follow_add(user=fan, merchant_id=order.merchant_id, actor=fan)
    for zone in ("Asia/Shanghai", "UTC"):
        with timezone.override(zone):
            answer = client_for(fan).get(f"/api/v1/listings/{listing_id}/").json()
            assert answer == _plain(ListingDetailSerializer(_listing_as_before(listing_id)).data)
    assert answer["favourite_count"] == 1 and answer["merchant_follower_count"] == 1
    assert answer["review_summary"]["count"] == 1 and [s["id"] for s in answer["skus"]] == [sku.pk]


def test_iss_26_cat_2_listing_detail_hides_what_customers_may_not_see() -> None:
    """The prepared listing statement keeps CAT-2 and MER-8: a deposit below the category's, a restricted
    shop or a listing off sale answers 404, at the next request."""
    from decimal import Decimal

    from rest_framework.test import APIClient

    from catalog.models import Category, Listing
    from merchants.models import Merchant
    from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for

    category: Any = CategoryFactory(deposit_amount=Decimal("500.00"))
    listing = approved_listing(merchant=merchant_for(category))
    url = f"/api/v1/listings/{listing.pk}/"
    client = APIClient()
    assert client.get(url).status_code == 200
    Category.objects.filter(pk=category.pk).update(deposit_amount=Decimal("800.00"))
    assert client.get(url).status_code == 404  # the shop holds only 500.00 now
    Category.objects.filter(pk=category.pk).update(deposit_amount=Decimal("500.00"))
    assert client.get(url).status_code == 200
    Merchant.objects.filter(pk=listing.merchant_id).update(status=Merchant.Status.RESTRICTED)
    assert client.get(url).status_code == 404
    Merchant.objects.filter(pk=listing.merchant_id).update(status=Merchant.Status.ACTIVE)
    Listing.objects.filter(pk=listing.pk).update(on_sale=False)
    assert client.get(url).status_code == 404
