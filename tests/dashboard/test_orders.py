"""ORD-2..ORD-5 and money through the dashboard: filters, detail with timeline, ship (one and CSV),
packing slip; escrow, payable, deposit and statements on the money page."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from merchants.models import Merchant
from orders.models import Order, PayoutStatement
from orders.services.settlement import order_escrow_hold
from tests.dashboard.conftest import client_as, member_of

pytestmark = pytest.mark.django_db


def test_dashboard_home_lists_orders_to_ship_with_the_countdown(
    owner_client: Client, make_paid_order: Callable[..., Order]
) -> None:
    order = make_paid_order()
    html = owner_client.get("/merchant/").content.decode()
    assert f"/merchant/orders/{order.pk}/" in html
    assert "data-countdown" in html


def test_ord_5_to_ship_filter_and_ship_an_order_with_its_tracking_number(
    owner_client: Client, make_paid_order: Callable[..., Order]
) -> None:
    order = make_paid_order()
    listing = owner_client.get("/merchant/orders/?filter=to_ship").content.decode()
    assert order.number in listing
    response = owner_client.post(
        f"/merchant/orders/{order.pk}/ship/", {"carrier": "SF", "tracking_number": "SF100200300"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED and order.tracking_number == "SF100200300"

    def shown(filter_name: str) -> list[str]:
        response = owner_client.get(f"/merchant/orders/?filter={filter_name}")
        return [row_order.number for row_order, _countdown in response.context["rows"]]

    assert shown("to_ship") == []
    assert shown("shipped") == [order.number]
    detail = owner_client.get(f"/merchant/orders/{order.pk}/").content.decode()
    assert "shipped" in detail and "SF100200300" in detail  # the timeline and the tracking number


def test_ord_2_shipping_twice_is_refused_with_an_error_not_a_crash(
    owner_client: Client, make_paid_order: Callable[..., Order]
) -> None:
    order = make_paid_order()
    owner_client.post(f"/merchant/orders/{order.pk}/ship/", {"carrier": "SF", "tracking_number": "1"})
    response = owner_client.post(
        f"/merchant/orders/{order.pk}/ship/", {"carrier": "SF", "tracking_number": "2"}, follow=True
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.tracking_number == "1"


def test_ord_5_bulk_csv_ship_records_each_tracking_number_and_reports_each_line(
    owner_client: Client, make_paid_order: Callable[..., Order]
) -> None:
    first, second = make_paid_order(), make_paid_order()
    csv = f"order_number,carrier,tracking_number\n{first.number},SF,T1\n{second.number},YTO,T2\nNOPE,SF,T3\n"
    response = owner_client.post(
        "/merchant/orders/ship/", {"file": SimpleUploadedFile("ship.csv", csv.encode())}
    )
    assert response.status_code == 200
    results = {r["number"]: r["ok"] for r in response.context["results"]}
    assert results == {first.number: True, second.number: True, "NOPE": False}
    assert Order.objects.filter(status=Order.Status.SHIPPED).count() == 2
    shipped = {
        o.number: (o.carrier, o.tracking_number) for o in Order.objects.filter(status=Order.Status.SHIPPED)
    }
    assert shipped == {first.number: ("SF", "T1"), second.number: ("YTO", "T2")}


def test_packing_slip_prints_lines_and_address(
    owner_client: Client, make_paid_order: Callable[..., Order]
) -> None:
    order = make_paid_order()
    html = owner_client.get(f"/merchant/orders/{order.pk}/packing-slip/").content.decode()
    assert order.number in html and "世纪大道" in html and "@media print" not in html


def test_sec_2_order_page_shows_the_customers_phone_and_name_masked(
    owner_client: Client, make_paid_order: Callable[..., Order]
) -> None:
    order = make_paid_order()
    assert (order.shipping_name, order.shipping_phone) == ("李四", "13900000000")
    account_phone = order.customer.phone
    assert account_phone
    for url in (f"/merchant/orders/{order.pk}/", f"/merchant/orders/{order.pk}/packing-slip/"):
        response = owner_client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "13900000000" not in html and account_phone not in html
        assert "139****0000" in html
        assert "李四" not in html and "李*" in html


def test_sec_1_another_shops_order_is_not_found(
    make_paid_order: Callable[..., Order], category: object
) -> None:
    from tests.factories.catalog import merchant_for

    order = make_paid_order()
    other = merchant_for(category)
    assert client_as(other.owner).get(f"/merchant/orders/{order.pk}/").status_code == 404
    assert (
        client_as(other.owner)
        .post(f"/merchant/orders/{order.pk}/ship/", {"carrier": "SF", "tracking_number": "1"})
        .status_code
        == 404
    )


def test_pay_6_money_page_shows_escrow_and_hold_reasons(
    shop: Merchant, make_paid_order: Callable[..., Order]
) -> None:
    order = make_paid_order()
    order_escrow_hold(order=order, reason="售后申请处理中", subject=order)
    client = client_as(member_of(shop, "finance"))
    response = client.get("/merchant/money/")
    html = response.content.decode()
    assert response.context["escrow_total"] == Decimal("59.00")
    assert "售后申请处理中" in html and order.number in html


def test_pay_4_statement_csv_download(owner_client: Client, shop: Merchant) -> None:
    statement = PayoutStatement.objects.create(
        merchant=shop,
        period=date(2026, 11, 1),
        lines=[
            {
                "at": "2026-11-01T10:00:00+08:00",
                "kind": "release",
                "order": "N1",
                "gross": "59.00",
                "commission": "2.95",
                "amount": "56.05",
                "transaction": 1,
            }
        ],
        gross=Decimal("59.00"),
        commission=Decimal("2.95"),
        net=Decimal("56.05"),
    )
    assert "2026-11-01" in owner_client.get("/merchant/money/").content.decode()
    response = owner_client.get(f"/merchant/money/statements/{statement.pk}.csv")
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "release" in body and "56.05" in body
