"""Issue 24: ``seed_demo``'s trade — listings in every review state, orders in every state the demo
promises (late and compensated, auto-confirmed, settled and paid out, refunded, reviewed), ending now."""

import pytest
from django.core.management import call_command

from catalog.models import Listing
from merchants.models import Merchant, Violation
from orders.models import Order, Payout, Review
from platform_core import clock

pytestmark = pytest.mark.django_db


def test_demo_seed_listings_in_every_review_state_and_orders_in_every_state() -> None:
    call_command("seed_demo", verbosity=0)
    shop = Merchant.objects.get(owner__email="merchant@demo.local")
    assert set(Listing.objects.filter(merchant=shop).values_list("status", flat=True)) == set(
        Listing.Status.values
    )
    orders = Order.objects.filter(merchant=shop, customer__email="customer@demo.local")
    assert {"pending_payment", "paid", "shipped", "completed", "cancelled"} <= set(
        orders.values_list("status", flat=True)
    )
    assert orders.filter(status="paid", customer_may_cancel_with_refund=True).exists()  # late (ORD-4)
    assert Violation.objects.filter(merchant=shop, kind="late_shipment").exists()
    assert orders.filter(settled_at__isnull=False).exists()  # PAY-4
    assert Payout.objects.filter(merchant=shop).exists()
    # ORD-6: one was confirmed by nobody (automatically, 10 days after shipping)
    assert orders.filter(events__to_status="completed", events__actor__isnull=True).exists()
    assert Review.objects.filter(order__merchant=shop).count() >= 2
    latest = orders.order_by("-created_at").first()
    assert latest is not None and latest.created_at <= clock.now()  # the clock ends at the present

    call_command("seed_demo", verbosity=0)  # idempotent
    assert Order.objects.filter(merchant=shop).count() == orders.count()
