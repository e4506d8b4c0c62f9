"""AFS-4 (7DR Art. 18, issue 27): the return's postage is borne by whom the rule and the contract's
policy say, and when that is the shop the money goes back to the customer through the ledger."""

from decimal import Decimal
from itertools import count
from typing import Any, cast

import pytest
from django.core.management import call_command

from aftersales.models import AfterSalesRequest
from catalog.models import Category
from orders.models import Order
from platform_core.ledger.models import AccountKind, LedgerEntry
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for
from tests.conftest import client_for
from tests.factories.aftersales import completed_order
from tests.factories.catalog import CategoryFactory

pytestmark = pytest.mark.django_db

_keys = count(1)


def _request(order: Order, *, reason_kind: str) -> tuple[Any, int]:
    line = order.lines.get()
    client = client_for(order.customer)
    opened = client.post(
        "/api/v1/aftersales/",
        {
            "order": order.pk,
            "line": line.pk,
            "kind": "return_refund",
            "reason_kind": reason_kind,
            "reason": "杯盖漏水",
            "amount": str(line.line_total),
        },
        format="json",
    )
    assert opened.status_code == 201, opened.content
    request_id = opened.json()["id"]
    merchant = client_for(order.merchant.owner)
    approved = merchant.post(
        f"/api/v1/merchant/aftersales/{request_id}/approve/",
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"a{next(_keys)}",
    )
    assert approved.status_code == 200, approved.content
    return client, request_id


def _receive(order: Order, request_id: int) -> Any:
    answer = client_for(order.merchant.owner).post(
        f"/api/v1/merchant/aftersales/{request_id}/confirm-receipt/",
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"r{next(_keys)}",
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def _shop_funds(order: Order) -> Decimal:
    return sum(
        (
            ledger_balance(ledger_account_for(kind=kind, owner=order.merchant))
            for kind in (AccountKind.MERCHANT_PAYABLE, AccountKind.MERCHANT_DEPOSIT)
        ),
        Decimal("0.00"),
    )


def test_afs_4_the_shop_pays_a_quality_returns_postage_back_through_the_ledger() -> None:
    order = completed_order(category=cast(Category, CategoryFactory(deposit_amount=Decimal("500.00"))))
    client, request_id = _request(order, reason_kind="quality")
    too_much = client.post(
        f"/api/v1/aftersales/{request_id}/ship-return/",
        {"carrier": "ZTO", "tracking_number": "ZT100", "shipping_fee": "300.00"},
        format="json",
    )
    assert too_much.status_code == 400 and "shipping_fee" in too_much.json()["errors"]
    shipped = client.post(
        f"/api/v1/aftersales/{request_id}/ship-return/",
        {"carrier": "ZTO", "tracking_number": "ZT100", "shipping_fee": "12.00"},
        format="json",
    )
    assert shipped.status_code == 200, shipped.content
    assert shipped.json()["return_shipping_payer"] == "merchant"
    funds_before = _shop_funds(order)

    received = _receive(order, request_id)

    assert received["status"] == "refunded"
    assert received["return_shipping_reimbursed_at"] is not None
    assert _shop_funds(order) == funds_before - Decimal("12.00")
    postage = LedgerEntry.objects.filter(
        transaction__idempotency_key=f"aftersales:{request_id}:return-shipping"
    )
    assert postage.get(account__kind=AccountKind.REFUNDS_CLEARING).amount == Decimal("12.00")
    assert {e["action"] for e in received["events"]} >= {"return_shipping_reimbursed"}
    # received again (a replay) charges nothing twice
    request = AfterSalesRequest.objects.get(pk=request_id)
    from aftersales.services.returns import _charge_return_shipping

    _charge_return_shipping(request, actor=None)
    assert postage.count() == 2
    call_command("verify_ledger")


def test_afs_4_the_customer_bears_a_no_reason_returns_postage_unless_the_policy_says_otherwise() -> None:
    order = completed_order()
    client, request_id = _request(order, reason_kind="no_reason")
    shipped = client.post(
        f"/api/v1/aftersales/{request_id}/ship-return/",
        {"carrier": "ZTO", "tracking_number": "ZT200", "shipping_fee": "12.00"},
        format="json",
    )
    assert shipped.json()["return_shipping_payer"] == "customer"
    funds_before = _shop_funds(order)
    received = _receive(order, request_id)
    assert received["status"] == "refunded" and received["return_shipping_reimbursed_at"] is None
    assert _shop_funds(order) == funds_before
    assert not LedgerEntry.objects.filter(
        transaction__idempotency_key=f"aftersales:{request_id}:return-shipping"
    ).exists()
    call_command("verify_ledger")
