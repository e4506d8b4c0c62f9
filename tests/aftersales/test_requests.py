"""AFS-1 … AFS-6: after-sales requests, enforced by the deadline engine only (no human action)."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import cast

import pytest
from django.utils import timezone

from aftersales.models import AfterSalesRequest
from aftersales.selectors import request_deadlines
from aftersales.services.requests import request_approve, request_escalate, request_refuse, request_withdraw
from aftersales.services.returns import request_confirm_receipt, request_return_delivered, request_ship_return
from catalog.models import Category, Listing
from merchants.models import Violation
from orders.models import Order
from orders.selectors.money import order_holds_open, order_refunded_amount
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Conflict, InvalidInput
from platform_core.ledger.models import AccountKind
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for
from tests.factories.aftersales import completed_order, first_line, open_request
from tests.factories.catalog import CategoryFactory

pytestmark = pytest.mark.django_db

RS = AfterSalesRequest.Status


def _at(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment


def _escrow(order: Order) -> Decimal:
    return ledger_balance(ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=order))


def test_afs_1_request_holds_escrow_and_starts_24h_clock() -> None:
    order = completed_order()
    request = open_request(order, kind="refund_only", amount="30.00")
    assert request.status == RS.REQUESTED
    assert request.response_hours == 24
    assert request.respond_by == request.created_at + timedelta(hours=24)
    assert order_holds_open(order=order).filter(pk=request.hold_id).exists()
    assert request.return_shipping_payer == "merchant"  # quality problem (7DR Art. 18)


def test_afs_3_merchant_silent_24h_refund_only_refunded_automatically(time_machine) -> None:
    order = completed_order()
    escrow_before = _escrow(order)
    request = open_request(order, kind="refund_only", amount="40.00")
    time_machine.move_to(_at(request.respond_by) - timedelta(seconds=1))
    deadlines_sweep()
    request.refresh_from_db()
    assert request.status == RS.REQUESTED  # not a second early
    time_machine.move_to(_at(request.respond_by) + timedelta(seconds=1))
    deadlines_sweep()
    request.refresh_from_db()
    assert request.status == RS.REFUNDED
    assert request.auto_approved and request.responded_in_time is False
    assert request.refund is not None and request.refund.amount == Decimal("40.00")
    assert _escrow(order) == escrow_before - Decimal("40.00")
    assert order_refunded_amount(order=order) == Decimal("40.00")
    refunds = ledger_account_for(kind=AccountKind.REFUNDS_CLEARING)
    assert refunds.entries.filter(
        transaction__idempotency_key=f"order-refund:aftersales:{request.pk}:refund"
    ).exists()
    assert Violation.objects.filter(merchant=order.merchant, kind="aftersales_sla_missed").count() == 1
    assert not order_holds_open(order=order).exists()
    deadlines_sweep()  # idempotent
    assert Violation.objects.filter(merchant=order.merchant, kind="aftersales_sla_missed").count() == 1


def test_afs_3_special_category_gives_48h(time_machine) -> None:
    order = completed_order(category=CategoryFactory(aftersales_special=True))
    request = open_request(order, kind="return_refund")
    assert request.response_hours == 48
    time_machine.move_to(request.created_at + timedelta(hours=24, minutes=1))
    deadlines_sweep()
    request.refresh_from_db()
    assert request.status == RS.REQUESTED
    time_machine.move_to(request.created_at + timedelta(hours=48, minutes=1))
    deadlines_sweep()
    request.refresh_from_db()
    assert request.status == RS.AWAITING_RETURN and request.auto_approved


def test_afs_3_special_period_gives_48h() -> None:
    from tests.factories.aftersales import SpecialPeriodFactory

    now = timezone.now()
    SpecialPeriodFactory(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1))
    request = open_request(completed_order(), kind="refund_only", amount="1.00")
    assert request.response_hours == 48


def test_afs_3_exchange_unanswered_escalates_to_customer_service(time_machine) -> None:
    order = completed_order()
    request = open_request(order, kind="exchange")
    time_machine.move_to(_at(request.respond_by) + timedelta(seconds=1))
    deadlines_sweep()
    request.refresh_from_db()
    assert request.status == RS.ESCALATED and request.escalated_to == "customer_service"
    from aftersales.selectors import request_queue_for_customer_service

    assert list(request_queue_for_customer_service()) == [request]
    assert order_holds_open(order=order).exists()


def test_afs_4_return_not_shipped_within_7_days_lapses(time_machine) -> None:
    order = completed_order()
    request = open_request(order)
    request = request_approve(request=request, actor=order.merchant.owner)
    assert request.status == RS.AWAITING_RETURN and request.responded_in_time
    time_machine.move_to(_at(request.return_ship_by) + timedelta(seconds=1))
    deadlines_sweep()
    request.refresh_from_db()
    assert request.status == RS.LAPSED
    assert not order_holds_open(order=order).exists()
    assert order_refunded_amount(order=order) == 0


def test_afs_4_receipt_not_confirmed_is_automatic_and_refunded(time_machine) -> None:
    order = completed_order()
    escrow_before = _escrow(order)
    request = open_request(order, reason_kind="no_reason", amount="100.00")
    assert request.return_shipping_payer == "customer"
    request = request_approve(request=request, actor=order.merchant.owner)
    request = request_ship_return(
        request=request, carrier="ZTO", tracking_number="ZT123", actor=order.customer
    )
    request = request_return_delivered(request=request)  # the carrier's report
    time_machine.move_to(_at(request.receipt_due_at) + timedelta(seconds=1))
    deadlines_sweep()
    request.refresh_from_db()
    assert request.status == RS.REFUNDED
    assert request.receipt_auto_confirmed
    assert dict(request_deadlines(request=request).values_list("rule", "status")) == {
        "aftersales.merchant_response": "met",
        "aftersales.return_ship_by": "met",
        "aftersales.return_receipt": "enforced",
        "aftersales.refund_due": "met",
    }
    assert _at(request.refunded_at) - _at(request.return_received_at) <= timedelta(days=7)
    assert _escrow(order) == escrow_before - Decimal("100.00")
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED  # fully refunded


def test_afs_4_merchant_confirms_receipt_refund_issued_at_once() -> None:
    order = completed_order(prices=("80.00", "20.00"))
    request = open_request(order, amount="80.00")
    request_approve(request=request, actor=order.merchant.owner)
    request_ship_return(request=request, carrier="ZTO", tracking_number="ZT1", actor=order.customer)
    request = request_confirm_receipt(request=request, actor=order.merchant.owner)
    assert request.status == RS.REFUNDED and not request.receipt_auto_confirmed
    assert order_refunded_amount(order=order) == Decimal("80.00")


def test_afs_2_excluded_category_refused_for_no_reason_return() -> None:
    order = completed_order(category=CategoryFactory(no_reason_return_excluded=True))
    with pytest.raises(Conflict) as exc:
        open_request(order, reason_kind="no_reason")
    assert exc.value.code == "no_reason_return_excluded"
    assert "cannot be returned without a reason" in exc.value.message
    assert open_request(order, reason_kind="quality").status == RS.REQUESTED  # quality is still open


def test_afs_2_non_returnable_listing_refused_for_no_reason_return() -> None:
    order = completed_order(non_returnable=True)
    with pytest.raises(Conflict) as exc:
        open_request(order, reason_kind="no_reason")
    assert exc.value.code == "no_reason_return_non_returnable"
    assert "non-returnable" in exc.value.message


def test_afs_2_confirmation_in_the_contract_holds_after_the_listing_drops_the_mark() -> None:
    """What the customer confirmed at purchase is in the contract; the listing's flag today does not undo it."""
    order = completed_order(non_returnable=True)
    line = first_line(order)
    (term,) = [t for t in order.contract["lines"] if t["sku"] == line.sku_id]
    assert term["non_returnable_confirmed"] is True
    Listing.objects.filter(pk=line.listing_id).update(is_non_returnable=False)  # the merchant lifts the mark
    with pytest.raises(Conflict) as exc:
        open_request(order, reason_kind="no_reason")
    assert exc.value.code == "no_reason_return_non_returnable"
    assert open_request(order, reason_kind="quality").status == RS.REQUESTED  # quality is still open


def test_afs_1_no_reason_window_is_7_days_from_the_day_after_signing(time_machine) -> None:
    order = completed_order()
    signed = timezone.localtime(_at(order.delivered_at or order.completed_at))
    last_moment = timezone.make_aware(
        datetime.combine(signed.date() + timedelta(days=8), time.min)
    ) - timedelta(seconds=1)
    time_machine.move_to(last_moment)
    assert open_request(order, reason_kind="no_reason", amount="1.00").status == RS.REQUESTED
    time_machine.move_to(last_moment + timedelta(seconds=2))
    with pytest.raises(Conflict) as exc:
        open_request(order, reason_kind="no_reason", amount="1.00")
    assert exc.value.code == "window_closed"
    assert open_request(order, reason_kind="quality", amount="1.00").status == RS.REQUESTED  # 15 days


def test_afs_1_repair_within_warranty(time_machine, settings) -> None:
    settings.AFTERSALES_WARRANTY_DAYS = 30
    order = completed_order()
    time_machine.move_to(timezone.now() + timedelta(days=20))
    assert open_request(order, kind="repair").amount == 0
    time_machine.move_to(timezone.now() + timedelta(days=15))
    with pytest.raises(Conflict):
        open_request(order, kind="repair")


def test_afs_1_amount_over_line_refused() -> None:
    order = completed_order(prices=("50.00", "50.00"))
    with pytest.raises(Conflict) as exc:
        open_request(order, amount="50.01")
    assert exc.value.code == "amount_exceeds_paid"
    open_request(order, amount="30.00")
    with pytest.raises(Conflict):
        open_request(order, amount="20.01")
    assert open_request(order, amount="20.00").amount == Decimal("20.00")


def test_afs_1_only_delivered_orders() -> None:
    from tests.factories.aftersales import paid_order

    order = paid_order()
    with pytest.raises(Conflict) as exc:
        open_request(order)
    assert exc.value.code == "order_not_eligible"


def test_afs_5_refusal_needs_reason_then_escalation_keeps_hold() -> None:
    from aftersales.services.requests import request_escalated

    order = completed_order()
    request = open_request(order)
    with pytest.raises(InvalidInput):
        request_refuse(request=request, reason="  ", actor=order.merchant.owner)
    request = request_refuse(request=request, reason="已超出质保范围", actor=order.merchant.owner)
    assert request.status == RS.REFUSED
    called = []
    with request_escalated.registered(lambda **kw: called.append(kw["request"].pk)):
        request = request_escalate(request=request, reason="商品确有质量问题", actor=order.customer)
    assert request.status == RS.ESCALATED and request.escalated_to == "dispute"
    assert called == [request.pk]
    assert order_holds_open(order=order).exists()


def test_afs_5_unescalated_refusal_closes_and_releases_hold(time_machine) -> None:
    order = completed_order()
    request = request_refuse(request=open_request(order), reason="不符合退货条件", actor=order.merchant.owner)
    time_machine.move_to(_at(request.escalate_until) + timedelta(seconds=1))
    deadlines_sweep()
    request.refresh_from_db()
    assert request.status == RS.CLOSED
    assert not order_holds_open(order=order).exists()


def test_afs_6_withdraw_stops_clocks_and_releases_hold(time_machine) -> None:
    order = completed_order()
    request = request_withdraw(request=open_request(order), actor=order.customer)
    assert request.status == RS.WITHDRAWN
    assert not order_holds_open(order=order).exists()
    time_machine.move_to(timezone.now() + timedelta(days=3))
    deadlines_sweep()
    assert Violation.objects.filter(merchant=order.merchant).count() == 0


def test_afs_6_exchange_branch_to_closed() -> None:
    from aftersales.services.returns import request_close, request_reship

    order = completed_order()
    request = request_approve(request=open_request(order, kind="exchange"), actor=order.merchant.owner)
    request_ship_return(request=request, carrier="ZTO", tracking_number="Z9", actor=order.customer)
    request_confirm_receipt(request=request, actor=order.merchant.owner)
    request = request_reship(request=request, carrier="SF", tracking_number="SF9", actor=order.merchant.owner)
    assert request.status == RS.RESHIPPED
    assert request_close(request=request, actor=order.customer).status == RS.CLOSED
    assert list(request.events.values_list("action", flat=True)) == [
        "requested",
        "approved",
        "awaiting_return",
        "return_shipped",
        "return_received",
        "reshipped",
        "closed",
    ]


def test_afs_1_line_category_snapshot_used() -> None:
    order = completed_order()
    assert Category.objects.filter(pk=first_line(order).category_id_snapshot).exists()


def test_pay_5_refund_that_cannot_be_paid_waits_then_customer_service_is_told(time_machine) -> None:
    from orders.services.refunds import order_refund
    from platform_core.accounts.models import User
    from platform_core.accounts.roles import Role
    from platform_core.notifications.models import Notification
    from staff.models import Department
    from tests.factories.accounts import StaffFactory

    head = cast(User, StaffFactory(role=Role.STAFF_CUSTOMER_SERVICE))
    Department.objects.filter(code=Department.Code.CUSTOMER_SERVICE).update(head=head)
    order = completed_order(prices=("50.00",))
    request = request_approve(request=open_request(order, amount="50.00"), actor=order.merchant.owner)
    request_ship_return(request=request, carrier="ZTO", tracking_number="Z1", actor=order.customer)
    # meanwhile the money went back another way (e.g. a staff goodwill refund): nothing is left to pay
    order_refund(order=order, amount=Decimal("50.00"), reason="goodwill", idempotency_key="other", actor=None)
    request = request_confirm_receipt(request=request, actor=order.merchant.owner)
    assert request.status == RS.RETURN_RECEIVED
    assert request.events.filter(action="refund_failed").exists()
    time_machine.move_to(_at(request.refund_due_at) + timedelta(seconds=1))
    deadlines_sweep()
    request.refresh_from_db()
    assert request.status == RS.RETURN_RECEIVED
    assert Notification.objects.filter(recipient=head, event="aftersales_refund_overdue").exists()
    assert order_refunded_amount(order=order) == Decimal("50.00")  # never more than paid
