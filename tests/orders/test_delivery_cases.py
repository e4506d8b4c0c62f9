"""ORD-10: delivery problems. A carrier exception, or 72 h without tracking movement, opens a delivery case;
the merchant has 48 h to reship or agree a refund; unresolved, the customer takes a full refund at once and
the case counts against the merchant (VIO-6). Through the carrier webhook, the deadline engine, the
customer API, the seller centre and the admin."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from merchants.models import MerchantKpi
from merchants.services.kpis import merchant_kpis_compute
from orders.logistics import sandbox_webhook
from orders.models import DeliveryCase, Order, Refund
from orders.selectors.delivery import delivery_case_kpi_figures
from orders.selectors.money import order_escrow_account, order_holds_open, order_refunded_amount
from platform_core.accounts.models import User
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.notifications.models import Notification
from tests.conftest import client_for
from tests.dashboard.conftest import client_as
from tests.factories.accounts import StaffFactory
from tests.factories.orders import shipped_order, sku_for_sale

pytestmark = pytest.mark.django_db

STALL = timedelta(hours=72)
CASE = timedelta(hours=48)
MINUTE = timedelta(minutes=1)


def _webhook(order: Order, *, kind: str, event_id: str, at: datetime | None = None) -> int:
    headers, body = sandbox_webhook(
        event_id=event_id,
        tracking_number=order.tracking_number,
        kind=kind,
        at=at or timezone.now(),
        location="杭州转运中心",
        description="包裹破损" if kind == "exception" else "",
    )
    response = Client().post(
        "/api/v1/logistics/callbacks/sandbox/",
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )
    return response.status_code


def _exception_case(order: Order) -> DeliveryCase:
    assert _webhook(order, kind="exception", event_id=f"ex-{order.pk}") == 200
    return DeliveryCase.objects.get(order=order)


def _clock(rule: str, order: Order) -> Deadline:
    return Deadline.objects.filter(rule=rule, subject_id=str(order.pk)).latest("pk")


def _refund(order: Order, key: str) -> tuple[int, dict]:
    response = client_for(order.customer).post(
        f"/api/v1/orders/{order.pk}/delivery-case/refund/", HTTP_IDEMPOTENCY_KEY=key
    )
    return response.status_code, response.json()


def test_ord_10_carrier_exception_opens_one_case_holds_escrow_and_notifies_both(time_machine) -> None:
    order = shipped_order(sku=sku_for_sale(price="120.00"))
    case = _exception_case(order)
    assert case.cause == DeliveryCase.Cause.EXCEPTION and case.status == DeliveryCase.Status.OPEN
    assert case.respond_by == case.opened_at + CASE
    assert _clock("orders.delivery_case", order).due_at == case.respond_by
    # PAY-6: the escrow is held, with the case as its visible reason
    (hold,) = order_holds_open(order=order)
    assert "Delivery problem" in hold.reason and hold.pk == case.hold_id
    assert Notification.objects.filter(recipient=order.merchant.owner, event="delivery_case_opened").exists()
    assert Notification.objects.filter(recipient=order.customer, event="delivery_case_opened").exists()
    # the same webhook again (and a second exception) opens nothing more
    assert _webhook(order, kind="exception", event_id=f"ex-{order.pk}") == 200
    assert _webhook(order, kind="exception", event_id=f"ex2-{order.pk}") == 200
    assert DeliveryCase.objects.filter(order=order).count() == 1
    # the customer sees it on the order detail, a stranger does not
    detail = client_for(order.customer).get(f"/api/v1/orders/{order.pk}/").json()
    assert [c["status"] for c in detail["delivery_cases"]] == ["open"]
    assert detail["delivery_cases"][0]["refundable"] is False
    stranger = client_for(User.objects.create_user(phone="13700000001", password="x" * 12))
    assert stranger.get(f"/api/v1/orders/{order.pk}/delivery-case/").status_code == 404


def test_ord_10_no_movement_for_72h_opens_a_case_not_a_minute_before_and_once(time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    order = shipped_order()
    assert order.shipped_at is not None
    time_machine.move_to(order.shipped_at + STALL - MINUTE, tick=False)
    deadlines_sweep()
    assert not DeliveryCase.objects.filter(order=order).exists()  # not yet
    time_machine.move_to(order.shipped_at + STALL + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    case = DeliveryCase.objects.get(order=order)
    assert case.cause == DeliveryCase.Cause.NO_MOVEMENT
    assert _clock("orders.delivery_stall", order).status == Deadline.Status.ENFORCED
    deadlines_sweep()  # exactly once
    assert DeliveryCase.objects.filter(order=order).count() == 1


def test_ord_10_each_tracking_movement_restarts_the_72h_clock(time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    order = shipped_order()
    assert order.shipped_at is not None
    moved = order.shipped_at + timedelta(hours=48)
    time_machine.move_to(moved, tick=False)
    assert _webhook(order, kind="in_transit", event_id=f"t-{order.pk}") == 200
    time_machine.move_to(order.shipped_at + STALL + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    assert not DeliveryCase.objects.filter(order=order).exists()  # it moved 24 h ago
    time_machine.move_to(moved + STALL - MINUTE, tick=False)
    deadlines_sweep()
    assert not DeliveryCase.objects.filter(order=order).exists()
    time_machine.move_to(moved + STALL + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    assert DeliveryCase.objects.get(order=order).cause == DeliveryCase.Cause.NO_MOVEMENT


def test_ord_10_delivery_stops_the_stall_clock(time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    order = shipped_order()
    assert _webhook(order, kind="delivered", event_id=f"d-{order.pk}") == 200
    assert _clock("orders.delivery_stall", order).status == Deadline.Status.MET
    time_machine.move_to(order.shipped_at + STALL * 2, tick=False)  # type: ignore[operator]
    deadlines_sweep()
    assert not DeliveryCase.objects.filter(order=order).exists()


def test_ord_10_unresolved_case_lapses_at_48h_and_the_customer_takes_a_full_refund_once(time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    order = shipped_order(sku=sku_for_sale(price="88.50"))
    case = _exception_case(order)
    assert _refund(order, "too-early")[0] == 409  # still the merchant's turn
    time_machine.move_to(case.opened_at + CASE - MINUTE, tick=False)
    deadlines_sweep()
    case.refresh_from_db()
    assert case.status == DeliveryCase.Status.OPEN  # not yet
    time_machine.move_to(case.opened_at + CASE + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    case.refresh_from_db()
    assert case.status == DeliveryCase.Status.LAPSED and case.counts_against_merchant
    assert Notification.objects.filter(recipient=order.customer, event="delivery_case_lapsed").exists()
    deadlines_sweep()
    assert _clock("orders.delivery_case", order).status == Deadline.Status.ENFORCED

    status, body = _refund(order, "take-refund-1")
    assert status == 200, body
    assert body["status"] == "refunded" and body["refund_amount"] == "88.50"
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED
    assert order_refunded_amount(order=order) == Decimal("88.50")
    assert order_escrow_account(order=order).balance == 0  # type: ignore[union-attr]
    assert not order_holds_open(order=order).exists()
    # PAY-7: the same key replays the first answer; another key cannot refund again
    assert _refund(order, "take-refund-1") == (200, body)
    assert _refund(order, "take-refund-2")[0] == 409
    assert Refund.objects.filter(order=order).count() == 1


def test_ord_10_merchant_reships_in_the_seller_centre_and_the_case_never_lapses(time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    order = shipped_order()
    case = _exception_case(order)
    owner = client_as(order.merchant.owner)
    page = owner.get(f"/merchant/orders/{order.pk}/").content.decode()
    assert 'data-testid="delivery-case"' in page and "Reship" in page
    home = owner.get("/merchant/").content.decode()
    assert f"Resolve the delivery problem of order {order.number}" in home

    response = owner.post(
        f"/merchant/delivery-cases/{case.pk}/reship/", {"carrier": "sandbox", "tracking_number": "SF-NEW-1"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    order.refresh_from_db()
    assert case.status == DeliveryCase.Status.RESHIPPED and case.reship_tracking_number == "SF-NEW-1"
    assert order.tracking_number == "SF-NEW-1" and order.status == Order.Status.SHIPPED
    assert _clock("orders.delivery_case", order).status == Deadline.Status.MET
    assert not order_holds_open(order=order).exists()
    assert "Resolve the delivery problem" not in owner.get("/merchant/").content.decode()
    # the new parcel is watched from the reshipment on
    time_machine.move_to(case.opened_at + CASE + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    case.refresh_from_db()
    assert case.status == DeliveryCase.Status.RESHIPPED and not case.counts_against_merchant
    assert _clock("orders.delivery_stall", order).due_at == case.resolved_at + STALL  # type: ignore[operator]
    # a second reship of the resolved case is refused
    again = owner.post(
        f"/merchant/delivery-cases/{case.pk}/reship/", {"carrier": "sandbox", "tracking_number": "SF-NEW-2"}
    )
    assert again.status_code == 302
    order.refresh_from_db()
    assert order.tracking_number == "SF-NEW-1"


def test_ord_10_merchant_agrees_a_refund_in_the_seller_centre(time_machine) -> None:
    order = shipped_order(sku=sku_for_sale(price="60.00"))
    case = _exception_case(order)
    owner = client_as(order.merchant.owner)
    assert owner.post(f"/merchant/delivery-cases/{case.pk}/agree-refund/").status_code == 302
    case.refresh_from_db()
    order.refresh_from_db()
    assert case.status == DeliveryCase.Status.REFUND_AGREED and case.refund is not None
    assert order.status == Order.Status.CLOSED and order_refunded_amount(order=order) == Decimal("60.00")
    assert _clock("orders.delivery_case", order).status == Deadline.Status.MET
    owner.post(f"/merchant/delivery-cases/{case.pk}/agree-refund/")  # twice: refunded once
    assert Refund.objects.filter(order=order).count() == 1


def test_ord_10_merchant_api_reship_needs_a_new_tracking_number_and_other_shops_get_404() -> None:
    order = shipped_order()
    case = _exception_case(order)
    owner = client_for(order.merchant.owner)
    same = owner.post(
        f"/api/v1/merchant/delivery-cases/{case.pk}/reship/",
        {"carrier": order.carrier, "tracking_number": order.tracking_number},
        format="json",
    )
    assert same.status_code == 400 and "tracking_number" in same.json()["errors"]
    other = client_for(shipped_order().merchant.owner)
    assert other.post(
        f"/api/v1/merchant/delivery-cases/{case.pk}/reship/", {}, format="json"
    ).status_code in (
        400,
        404,
    )
    other_404 = other.post(
        f"/api/v1/merchant/delivery-cases/{case.pk}/reship/",
        {"carrier": "sandbox", "tracking_number": "X1"},
        format="json",
    )
    assert other_404.status_code == 404


def test_ord_10_auto_confirmation_does_not_release_escrow_while_a_case_is_open(
    time_machine, settings
) -> None:
    settings.ORDERS_AFTERSALES_WINDOW = timedelta(hours=1)  # the window closes while the case is open
    time_machine.move_to(timezone.now(), tick=False)
    order = shipped_order(sku=sku_for_sale(price="100.00"))
    assert order.shipped_at is not None
    time_machine.move_to(order.shipped_at + timedelta(days=9, hours=20), tick=False)
    case = _exception_case(order)
    time_machine.move_to(order.shipped_at + timedelta(days=10, seconds=1), tick=False)
    deadlines_sweep()  # ORD-6: confirmed automatically
    time_machine.move_to(order.shipped_at + timedelta(days=10, hours=2), tick=False)
    deadlines_sweep()  # PAY-4: the after-sales window closed
    order.refresh_from_db()
    case.refresh_from_db()
    assert order.status == Order.Status.COMPLETED and order.aftersales_closed_at is not None
    assert case.status == DeliveryCase.Status.OPEN
    assert order.settled_at is None  # PAY-6: held by the case, with its reason
    assert order_escrow_account(order=order).balance == Decimal("100.00")  # type: ignore[union-attr]
    assert [h.pk for h in order_holds_open(order=order)] == [case.hold_id]
    time_machine.move_to(case.respond_by + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    case.refresh_from_db()
    assert case.status == DeliveryCase.Status.LAPSED
    status, body = _refund(order, "after-auto-confirm")
    assert status == 200, body
    assert order_refunded_amount(order=order) == Decimal("100.00")


def test_ord_10_a_refund_never_taken_ends_with_the_aftersales_window_and_escrow_settles(time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    order = shipped_order(sku=sku_for_sale(price="100.00"))
    case = _exception_case(order)
    assert order.shipped_at is not None
    time_machine.move_to(order.shipped_at + timedelta(days=10, seconds=1), tick=False)
    deadlines_sweep()  # lapsed long ago; now confirmed automatically
    order.refresh_from_db()
    assert order.completed_at is not None
    window_closes = order.completed_at + timedelta(days=15)
    time_machine.move_to(window_closes - MINUTE, tick=False)
    deadlines_sweep()
    case.refresh_from_db()
    assert case.status == DeliveryCase.Status.LAPSED  # not yet: the customer may still take the refund
    time_machine.move_to(window_closes + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    case.refresh_from_db()
    order.refresh_from_db()
    assert case.status == DeliveryCase.Status.CLOSED and case.counts_against_merchant
    assert not order_holds_open(order=order).exists() and order.settled_at is not None
    assert _refund(order, "too-late")[0] == 409


def test_ord_10_lapsed_cases_count_against_the_merchant_kpi(time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    order = shipped_order()
    case = _exception_case(order)
    since, until = case.opened_at - timedelta(days=1), case.opened_at + timedelta(days=1)
    assert delivery_case_kpi_figures(order.merchant, since, until) == {
        "delivery_cases": 1,
        "delivery_cases_lapsed": 0,
    }
    time_machine.move_to(case.opened_at + CASE + timedelta(seconds=1), tick=False)
    deadlines_sweep()
    assert delivery_case_kpi_figures(order.merchant, since, until)["delivery_cases_lapsed"] == 1
    rows = {
        row.kpi: row
        for row in merchant_kpis_compute(
            merchant=order.merchant, day=timezone.localdate() + timedelta(days=1)
        )
    }
    assert rows["delivery_case_rate"].value == Decimal("1")
    assert rows["delivery_case_rate"].level == MerchantKpi.Level.OK  # one shipment: below the sample


def test_ord_10_admin_lists_delivery_cases_read_only_with_filters(client: Client) -> None:
    order = shipped_order()
    case = _exception_case(order)
    user = StaffFactory.create()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_deliverycase"]))
    client.force_login(User.objects.get(pk=user.pk))
    listing = client.get("/admin/orders/deliverycase/?status__exact=open&cause__exact=exception")
    assert listing.status_code == 200 and order.number in listing.content.decode()
    detail = client.get(f"/admin/orders/deliverycase/{case.pk}/change/")
    assert detail.status_code == 200
    assert client.post(f"/admin/orders/deliverycase/{case.pk}/change/", {}).status_code == 403


def test_ord_10_the_stall_clock_reads_the_parcel_in_one_query_statements(monkeypatch) -> None:
    """A running case, the latest movement and the latest reshipment: one query, then the clock."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.services import delivery

    order = shipped_order()
    restarted: list[dict] = []
    monkeypatch.setattr(delivery, "deadline_restart", lambda **kwargs: restarted.append(kwargs))
    with CaptureQueriesContext(connection) as ctx:
        delivery.delivery_stall_clock_restart(order=order)
    assert len(ctx.captured_queries) == 1
    assert restarted[0]["due_at"] == order.shipped_at + STALL  # type: ignore[operator]
