"""AFS-1, PAY-5: a line is never refunded more than was paid for it, whatever partial requests come."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.models import AfterSalesRequest
from aftersales.services.requests import request_approve, request_withdraw
from orders.models import Order
from orders.selectors.money import order_paid_amount, order_refunded_amount
from platform_core.errors import Conflict
from tests.factories.aftersales import completed_order, open_request

pytestmark = pytest.mark.django_db

RS = AfterSalesRequest.Status
OUTCOMES = ("refund", "withdraw", "open")

operations = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=1),  # which line
        st.integers(min_value=1, max_value=9000),  # amount in fen
        st.sampled_from(OUTCOMES),
    ),
    min_size=1,
    max_size=8,
)


@pytest.fixture
def order(db: None) -> Order:
    return completed_order(prices=("30.00", "45.50"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_afs_1_refund_never_exceeds_line_across_partial_requests(
    order: Order, ops: list[tuple[int, int, str]]
) -> None:
    lines = list(order.lines.order_by("pk"))
    with transaction.atomic():  # each example runs in a savepoint that is rolled back
        claimed = {line.pk: Decimal("0.00") for line in lines}
        for index, fen, outcome in ops:
            line = lines[index]
            amount = Decimal(fen) / 100
            fits = claimed[line.pk] + amount <= line.line_total
            try:
                request = open_request(order, line=line, kind="refund_only", amount=amount)
            except Conflict as exc:
                assert not fits, f"{amount} refused with {claimed[line.pk]} claimed of {line.line_total}"
                if exc.code == "order_not_eligible":  # a full refund closed the order (ORD-2)
                    assert sum(claimed.values()) == order_paid_amount(order=order)
                else:
                    assert exc.code == "amount_exceeds_paid"
                continue
            assert fits, f"{amount} accepted with {claimed[line.pk]} claimed of {line.line_total}"
            if outcome == "refund":
                request = request_approve(request=request, actor=order.merchant.owner)
                assert request.status == RS.REFUNDED
                claimed[line.pk] += amount
            elif outcome == "withdraw":
                request_withdraw(request=request, actor=order.customer)
            else:
                claimed[line.pk] += amount  # an open claim counts until it is withdrawn or refused
        for line in lines:
            refunded = AfterSalesRequest.objects.filter(line=line, status=RS.REFUNDED).aggregate(
                s=Sum("amount")
            )["s"] or Decimal("0")
            assert refunded <= line.line_total
        assert order_refunded_amount(order=order) <= order_paid_amount(order=order)
        transaction.set_rollback(True)
