"""CAT-8: units sold follow paid orders; REP-3, VIO-6: orders feed the merchant's shipping KPIs."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from catalog.models import Listing
from merchants.models import MerchantKpi
from merchants.selectors.figures import kpi_sources, merchant_figures
from merchants.services.kpis import merchant_kpis_compute
from orders.selectors.orders import order_kpi_figures
from orders.services.fulfilment import order_ship, tracking_event_record
from orders.services.refunds import order_cancel, order_refund
from tests.factories.orders import paid_order, pay, pending_order, shop, sku_for_sale

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()


def _sales(listing_id: int) -> int:
    return Listing.objects.get(pk=listing_id).sales_count


def test_cat_8_sales_count_grows_when_paid_and_goes_back_when_cancelled_unshipped() -> None:
    sku = sku_for_sale(stock=20)
    order = pending_order(sku=sku, quantity=3)
    assert _sales(sku.listing_id) == 0  # an unpaid order sells nothing
    pay(order)
    assert _sales(sku.listing_id) == 3
    other = paid_order(sku=sku, quantity=2)
    assert _sales(sku.listing_id) == 5

    order_cancel(
        order=other,
        reason="out of stock in the warehouse",
        actor=other.merchant.owner,
        as_merchant=True,
    )
    assert _sales(sku.listing_id) == 3

    shipped = order_ship(order=order, carrier="sandbox", tracking_number="SF1", actor=order.merchant.owner)
    order_refund(order=shipped, amount=shipped.total, reason="returned", idempotency_key="ret-1", actor=None)
    assert _sales(sku.listing_id) == 3  # goods that left stay sold


def test_vio_6_late_shipments_give_the_late_shipment_and_tracking_kpis(time_machine) -> None:
    assert order_kpi_figures in kpi_sources
    start = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
    time_machine.move_to(start, tick=False)
    merchant = shop()
    sku = sku_for_sale(merchant=merchant, stock=20)
    orders = [paid_order(sku=sku) for _ in range(10)]

    time_machine.move_to(start + timedelta(hours=1), tick=False)
    for n, order in enumerate(orders[:7]):
        order_ship(order=order, carrier="sandbox", tracking_number=f"SF{n}", actor=merchant.owner)
        if n < 5:  # the carrier confirmed five parcels
            tracking_event_record(
                order=order,
                kind="picked_up",
                at=timezone.now(),
                source="carrier",
                carrier="sandbox",
                external_id=f"EV{n}",
                actor=None,
            )
    time_machine.move_to(start + timedelta(hours=72, seconds=1), tick=False)  # past the ship-by deadline
    for n, order in enumerate(orders[7:]):
        order_ship(order=order, carrier="sandbox", tracking_number=f"SFL{n}", actor=merchant.owner)

    day = (start + timedelta(days=3)).date()
    since = datetime(2026, 2, 1, tzinfo=SHANGHAI)
    until = datetime(2026, 4, 1, tzinfo=SHANGHAI)
    assert order_kpi_figures(merchant, since, until) == {
        "orders": 10,
        "shipments": 10,
        "shipments_late": 3,
        "shipments_tracked": 5,
    }
    assert merchant_figures(merchant=merchant, since=since, until=until)["shipments_late"] == 3
    rows = {row.kpi: row for row in merchant_kpis_compute(merchant=merchant, day=day)}
    assert str(rows["late_shipment_rate"].value) == "0.3000"
    assert rows["late_shipment_rate"].sample == 10
    assert rows["late_shipment_rate"].level == MerchantKpi.Level.LIMIT  # above the 10 % limit
    assert str(rows["tracking_rate"].value) == "0.5000"
    assert merchant.violations.filter(kind="kpi_late_shipment_rate").count() == 1
    # outside the window nothing counts
    assert order_kpi_figures(merchant, until, until + timedelta(days=30))["shipments"] == 0
    # paid before the window and shipped in it: a shipment of the window, not one of its orders
    shipped_only = order_kpi_figures(merchant, start + timedelta(minutes=30), until)
    assert shipped_only == {"orders": 0, "shipments": 10, "shipments_late": 3, "shipments_tracked": 5}


def test_rep_3_vio_6_credit_inputs_take_one_query_per_source_statements() -> None:
    """The figures behind credit and KPIs: one query per source, whatever it counts (orders, delivery
    cases, after-sales and complaints, messages, disputes), one for the ratings, one for the points."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from merchants.selectors.credit import merchant_credit_inputs

    order = paid_order()
    order_ship(order=order, carrier="sandbox", tracking_number="SF1", actor=order.merchant.owner)
    merchant_credit_inputs(merchant=order.merchant)  # content types cached
    with CaptureQueriesContext(connection) as ctx:
        inputs = merchant_credit_inputs(merchant=order.merchant)
    assert inputs["figures"]["orders"] == inputs["figures"]["shipments"] == 1
    assert len(ctx.captured_queries) == 8, "\n".join(q["sql"] for q in ctx.captured_queries)
