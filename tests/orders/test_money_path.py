"""Issue 26: the money path (cart, checkout, pay, signed callback) shares no lock between unrelated orders
and costs a bounded number of SQL statements per request (ORD-1, ORD-2, PAY-1, PAY-3, AUD-1)."""

import json
import re
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Sku
from orders.models import CartItem, Order, Payment
from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_complete
from orders.services.cart import cart_item_add
from orders.services.checkout import order_checkout
from platform_core.accounts.models import User
from platform_core.accounts.services import user_token_issue
from platform_core.audit.models import AuditEntry
from platform_core.audit.selectors import audit_chain_verify
from platform_core.audit.services import audit_seal
from platform_core.errors import Conflict
from platform_core.ledger.models import AccountKind
from platform_core.ledger.selectors import ledger_verify
from platform_core.ledger.services import ledger_account_for
from tests.factories.accounts import CustomerFactory
from tests.factories.orders import shop, shop_category, sku_for_sale

CALLBACK = "/api/v1/payments/callbacks/sandbox/"
SHIPPING = {"shipping_name": "李四", "shipping_phone": "13900000000", "shipping_address": "上海市浦东新区1号"}


def _token_client(user: User) -> APIClient:
    """The customer's client as the app uses it: a real API token on every request."""
    _token, raw = user_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def _cart_add(client: APIClient, sku_id: int) -> Any:
    return client.post("/api/v1/cart/", {"sku": sku_id, "quantity": 1}, format="json")


def _checkout(client: APIClient, key: str) -> Any:
    return client.post("/api/v1/checkout/", SHIPPING, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _pay(client: APIClient, order_id: int, key: str) -> Any:
    return client.post(
        f"/api/v1/orders/{order_id}/pay/", {"provider": "sandbox"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def _callback(out_trade_no: str) -> Any:
    headers, body = sandbox_complete(Payment.objects.get(out_trade_no=out_trade_no))
    return APIClient().generic(
        "POST",
        CALLBACK,
        body,
        content_type="application/json",
        **{"HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_"): headers[SIGNATURE_HEADER]},
    )


def _one_order(client: APIClient, sku_id: int, tag: str) -> int:
    assert _cart_add(client, sku_id).status_code == 200
    checkout = _checkout(client, f"co-{tag}")
    assert checkout.status_code == 201, checkout.content
    order_id: int = checkout.json()[0]["id"]
    pay = _pay(client, order_id, f"pay-{tag}")
    assert pay.status_code == 201, pay.content
    callback = _callback(pay.json()["out_trade_no"])
    assert callback.status_code == 200, callback.content
    return order_id


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pay_3_aud_1_two_checkouts_of_different_shops_never_wait_on_each_other(settings) -> None:
    """Order A's whole money path (audit entries and ledger postings to the platform-wide accounts
    written) stays uncommitted while order B of another shop goes through cart, checkout, pay and the
    signed callback: B must finish without waiting for any lock A holds (no global audit lock, no hot
    ledger row). ``lock_timeout`` turns a wait into an error instead of a hang."""
    settings.ORDERS_PAYMENT_SANDBOX = {**settings.ORDERS_PAYMENT_SANDBOX, "auto": False}
    category = shop_category()
    sku_a = sku_for_sale(merchant=shop(category), price="59.00", stock=5)
    sku_b = sku_for_sale(merchant=shop(category), price="30.50", stock=5)
    client_a, client_b = _token_client(CustomerFactory()), _token_client(CustomerFactory())
    a_written, a_release = threading.Event(), threading.Event()
    a_result: dict[str, Any] = {}

    def order_a() -> None:
        try:
            with transaction.atomic():
                a_result["order"] = _one_order(client_a, sku_a.pk, "a")
                a_written.set()
                a_release.wait(timeout=30)  # the transaction stays open, its locks held
        except BaseException as exc:
            a_result["error"] = exc
        finally:
            a_written.set()
            connections.close_all()

    thread = threading.Thread(target=order_a)
    thread.start()
    try:
        assert a_written.wait(timeout=60) and "error" not in a_result, a_result
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        started = time.monotonic()
        order_b = _one_order(client_b, sku_b.pk, "b")
        waited = time.monotonic() - started
    finally:
        a_release.set()
        thread.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert "error" not in a_result, a_result
    assert waited < 3
    assert set(
        Order.objects.filter(pk__in=[a_result["order"], order_b]).values_list("status", flat=True)
    ) == {Order.Status.PAID}
    audit_seal()
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()
    assert audit_chain_verify().ok
    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_aud_1_the_sealer_chains_entries_committed_out_of_id_order() -> None:
    """An entry written first but committed last is sealed after the later ids: the chain follows the
    sealer's order (seq), not the ids, and has no gap from a transaction that rolled back."""
    from platform_core.audit.services import audit_record

    held, release = threading.Event(), threading.Event()
    slow: dict[str, int] = {}

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                slow["id"] = audit_record(actor=None, action="order.paid").pk
                held.set()
                release.wait(timeout=30)
        finally:
            held.set()
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert held.wait(timeout=30)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            audit_record(actor=None, action="order.cancelled")
            raise RuntimeError("rolled back")
        fast = audit_record(actor=None, action="order.shipped")
        audit_seal()
        fast = AuditEntry.objects.get(pk=fast.pk)
        assert fast.seq is not None and fast.pk > slow["id"]
    finally:
        release.set()
        thread.join()
    audit_seal()
    late = AuditEntry.objects.get(pk=slow["id"])
    assert (late.seq, late.prev_hash) == (fast.seq + 1, fast.hash)
    assert audit_chain_verify().ok


# --- statements per request (issue 26) ----------------------------------------------------------------

#: measured with a real customer token (one token look-up per request), inside the test's transaction (each
#: request's BEGIN/COMMIT shows as SAVEPOINT/RELEASE and is counted); the issue's goal is 40 for all four.
#: 109 before decision 027's addendum, 61 after it, 40 after its second addendum (what each statement is
#: for is listed there). Exact figures: one statement more in any request turns this red.
BUDGET = {"cart": 4, "checkout": 12, "pay": 8, "callback": 16}


@pytest.mark.postgres
@pytest.mark.django_db
def test_ord_1_ord_2_pay_3_statements_per_request_of_one_order_are_pinned(settings) -> None:
    settings.ORDERS_PAYMENT_SANDBOX = {**settings.ORDERS_PAYMENT_SANDBOX, "auto": False}
    sku = sku_for_sale(price="59.00", stock=50)
    client = _token_client(CustomerFactory())
    _one_order(client, sku.pk, "warm")  # first use creates the platform's ledger accounts
    captured: dict[str, CaptureQueriesContext] = {}
    with CaptureQueriesContext(connection) as captured["cart"]:
        assert _cart_add(client, sku.pk).status_code == 200
    with CaptureQueriesContext(connection) as captured["checkout"]:
        checkout = _checkout(client, "co-measured")
    assert checkout.status_code == 201, checkout.content
    with CaptureQueriesContext(connection) as captured["pay"]:
        pay = _pay(client, checkout.json()[0]["id"], "pay-measured")
    assert pay.status_code == 201, pay.content
    out_trade_no = pay.json()["out_trade_no"]
    headers, body = sandbox_complete(Payment.objects.get(out_trade_no=out_trade_no))
    with CaptureQueriesContext(connection) as captured["callback"]:
        callback = APIClient().generic(
            "POST",
            CALLBACK,
            body,
            content_type="application/json",
            **{"HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_"): headers[SIGNATURE_HEADER]},
        )
    assert callback.status_code == 200, callback.content
    order = Order.objects.get(pk=checkout.json()[0]["id"])
    assert order.status == Order.Status.PAID and order.total == Decimal("59.00")
    over = {
        name: [f"{i + 1}. {q['sql'][:160]}" for i, q in enumerate(captured[name].captured_queries)]
        for name, budget in BUDGET.items()
        if len(captured[name].captured_queries) > budget
    }
    counts = {
        name: (len(over[name]), BUDGET[name]) for name in over
    }  # (used, budget) first: pytest truncates
    assert not over, f"{counts} {over}"
    assert sum(len(context.captured_queries) for context in captured.values()) <= 40  # issue 26's goal
    # no statement of the money path takes the audit chain's lock or locks a platform-wide ledger account
    every = [q["sql"] for context in captured.values() for q in context.captured_queries]
    assert not [sql for sql in every if "pg_advisory" in sql]
    clearing = ledger_account_for(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING).pk
    touching_ledger_rows = [
        sql
        for sql in every
        if sql.startswith('UPDATE "ledger_ledgeraccount"')
        or ("ledger_ledgeraccount" in sql and "FOR UPDATE" in sql)
    ]
    assert touching_ledger_rows  # the order's escrow account is locked and updated
    for sql in touching_ledger_rows:
        ids = re.findall(r'"ledger_ledgeraccount"\."id" (?:= (\d+)|IN \(([\d, ]+)\))', sql)
        locked = {int(i) for single, many in ids for i in ([single] if single else many.split(","))}
        assert clearing not in locked, sql


# --- no savepoint in the request's transaction, and nothing weaker for it (issue 26) -------------------


@pytest.mark.django_db
def test_pay_7_cat_5_a_refusal_after_a_reservation_rolls_it_back_and_is_replayed() -> None:
    """Checkout runs in the key's transaction without a savepoint of its own: the first SKU is reserved,
    the second is out of stock; the refusal must undo the reservation, be kept under the key and be
    replayed, even once the stock is back."""
    plenty = sku_for_sale(stock=5)
    scarce = sku_for_sale(merchant=shop(), stock=1)
    assert plenty.pk < scarce.pk  # reserved in SKU order: the write comes before the refusal
    client = _token_client(CustomerFactory())
    client.post("/api/v1/cart/", {"sku": plenty.pk, "quantity": 2}, format="json")
    client.post("/api/v1/cart/", {"sku": scarce.pk, "quantity": 2}, format="json")
    first = _checkout(client, "co-refused")
    assert first.status_code == 409 and first.json()["code"] == "out_of_stock"
    plenty.refresh_from_db()
    assert plenty.stock == 5
    Sku.objects.filter(pk=scarce.pk).update(stock=10)
    again = _checkout(client, "co-refused")
    assert (again.status_code, again.content) == (409, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert not Order.objects.exists()
    assert Sku.objects.get(pk=plenty.pk).stock == 5


@pytest.mark.django_db
def test_ord_1_cat_5_a_service_called_in_a_callers_transaction_still_undoes_only_its_own_writes() -> None:
    """Outside the idempotency wrapper's transaction, ``@atomic_service`` opens its savepoint as
    ``atomic`` does: a caller that catches the refusal goes on in a usable transaction, with the
    reservation undone and its own write kept."""
    plenty = sku_for_sale(stock=5)
    scarce = sku_for_sale(merchant=shop(), stock=1)
    customer = CustomerFactory.create()
    cart_item_add(customer=customer, sku_id=plenty.pk, quantity=2, actor=customer)
    cart_item_add(customer=customer, sku_id=scarce.pk, quantity=2, actor=customer)
    with transaction.atomic():
        Sku.objects.filter(pk=scarce.pk).update(code="KEPT")  # the caller's own write
        with pytest.raises(Conflict):
            order_checkout(customer=customer, actor=customer, **SHIPPING)
        assert Sku.objects.get(pk=plenty.pk).stock == 5  # usable, and the reservation is undone
    assert Sku.objects.get(pk=scarce.pk).code == "KEPT"
    assert CartItem.objects.filter(cart__customer_id=customer.pk).count() == 2


# --- the answers are the serializers' own (issue 26: built from one instance per process) --------------


@pytest.mark.django_db
def test_ord_1_pay_3_the_cart_checkout_and_pay_answers_are_what_their_serializers_give(settings) -> None:
    """The cart, checkout and pay answers come from serializers whose fields are built once per process
    (``orders.api._common.represent``): each must equal, field for field, what a fresh serializer gives for
    the rows as stored — also in another time zone, which the representation applies per call."""
    from orders.api._common import OrderSerializer, PaymentSerializer
    from orders.api.cart import CartOutputSerializer
    from orders.selectors.orders import cart_items_for_customer

    settings.ORDERS_PAYMENT_SANDBOX = {**settings.ORDERS_PAYMENT_SANDBOX, "auto": False}
    customer = CustomerFactory()
    client = _token_client(customer)
    sku = sku_for_sale(price="59.00", stock=5)
    cart = _cart_add(client, sku.pk)
    items = list(cart_items_for_customer(customer=customer))
    fresh_cart = CartOutputSerializer({"items": items, "total": sum(i.sku.price * i.quantity for i in items)})
    assert cart.json() == json.loads(json.dumps(fresh_cart.data, cls=DjangoJSONEncoder))
    for zone in ("Asia/Shanghai", "UTC"):
        with timezone.override(zone):
            checkout = _checkout(client, f"co-{zone}")
            assert checkout.status_code == 201, checkout.content
            order = Order.objects.get(pk=checkout.json()[0]["id"])
            assert checkout.json() == [
                json.loads(json.dumps(OrderSerializer(order).data, cls=DjangoJSONEncoder))
            ]
            pay = _pay(client, order.pk, f"pay-{zone}")
            assert pay.status_code == 201, pay.content
            payment = Payment.objects.get(out_trade_no=pay.json()["out_trade_no"])
            assert pay.json() == json.loads(
                json.dumps(PaymentSerializer(payment).data, cls=DjangoJSONEncoder)
            )
        _cart_add(client, sku.pk)
