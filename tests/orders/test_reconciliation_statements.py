"""PAY-8 (decision 038): reconciliation from Alipay's and WeChat Pay's own daily statements, through their
fake gateways — the day's bill (Alipay: a zip of GBK CSVs; WeChat Pay: a backticked CSV checked against
its SHA1) is downloaded by the daily job, every line matched with our payments, refunds and ledger, a
difference case opened for each mismatch; and the segregated funds check (the escrow ledger equals what
the provider holds for the customers), whose difference is an alarm."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from orders.models import (
    Order,
    ProviderSettlementRecord,
    ProviderStatement,
    ReconciliationDifference,
    Refund,
)
from orders.services.fulfilment import order_confirm_receipt, order_ship
from orders.services.reconciliation_bills import customer_funds
from orders.tasks import reconcile_statements_task
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.services import deadlines_sweep
from platform_core.notifications.models import Notification
from tests.factories.accounts import DEFAULT_PASSWORD, StaffFactory
from tests.fakes.alipay import FakeAlipay
from tests.fakes.wechat_pay import FakeWechatPay
from tests.orders.test_gateways import _merchant_cancels, _paid_through, _settle, _sweep_later
from tests.security.test_sec_3_staff_second_factor import code_of

pytestmark = pytest.mark.django_db

R = ReconciliationDifference.Reason
DAY = "2026-03-10"


@pytest.fixture
def only(settings):
    """Enable the sandbox and just the one provider under test (the other has no fake behind it)."""

    def enable(provider: str) -> None:
        settings.ORDERS_PAYMENT_PROVIDERS = ["sandbox", provider]

    return enable


def _trade_no(order: Order) -> str:
    return str(order.payments.get().provider_trade_no)


def _a_day_of_trade(api_client, provider, fake, time_machine, capture) -> tuple[list[Order], Order]:
    """On 10 March: three orders paid through the gateway, a fourth paid and cancelled by the shop (refunded
    at the gateway). Returns the three paid orders and the refunded one."""
    time_machine.move_to(f"{DAY} 10:00:00+08:00")
    paid = [_paid_through(api_client, provider, fake, price=price) for price in ("200.00", "88.50", "35.10")]
    refunded = _paid_through(api_client, provider, fake, price="60.00")
    _merchant_cancels(refunded, capture)
    _settle(fake)
    _sweep_later(time_machine)
    return paid, refunded


def _reconcile_the_next_morning(time_machine, day: str = DAY) -> int:
    """Beat's ``orders.reconcile_statements`` at 10:30 the next day (the statements are published by then)."""
    time_machine.move_to(f"{day} 10:30:00+08:00")
    time_machine.shift(timedelta(days=1))
    return reconcile_statements_task()


def _cases() -> set[tuple[str, str, str]]:
    return set(ReconciliationDifference.objects.values_list("kind", "reference", "reason"))


def _clean_day(api_client, provider, fake, time_machine, capture) -> None:
    paid, refunded = _a_day_of_trade(api_client, provider, fake, time_machine, capture)
    assert _reconcile_the_next_morning(time_machine) == 0
    assert not ReconciliationDifference.objects.exists()
    statement = ProviderStatement.objects.get(provider=provider, day=DAY)
    assert (statement.lines, statement.paid, statement.refunded) == (5, Decimal("383.60"), Decimal("60.00"))
    # Alipay and WeChat Pay charge 0.6% (rounded to the fen) and return it on a refund: 1.20 + 0.53 + 0.21
    # + 0.36 charged, 0.36 returned
    assert statement.fees == Decimal("1.94")
    records = ProviderSettlementRecord.objects.filter(provider=provider)
    assert set(records.values_list("kind", "reference")) == {
        *(("payment", _trade_no(order)) for order in [*paid, refunded]),
        ("refund", refunded.refunds.get().refund_no),
    }
    entry = AuditEntry.objects.get(action="reconciliation.statement_imported")
    assert (entry.after or {})["lines"] == 5
    ledger_escrow, held = customer_funds(provider=provider, day=statement.day)
    assert ledger_escrow == held == Decimal("323.60")


def _one_difference_of_each_kind(api_client, provider, fake, time_machine, capture) -> None:
    (missing, changed, fee), _refunded = _a_day_of_trade(api_client, provider, fake, time_machine, capture)
    stranger = "2026099999999999" if provider == "alipay" else "4200099999999999999999999999"
    fake.bills.drop(_trade_no(missing))  # the bill lacks a payment we have
    fake.bills.add("payment", trade_no=stranger, out_trade_no="NOT-OURS-1", amount=Decimal("50.00"))
    fake.bills.change_amount(_trade_no(changed), Decimal("85.50"))
    fake.bills.change_fee(_trade_no(fee), Decimal("0.99"))

    assert _reconcile_the_next_morning(time_machine) == 5
    lines = {case for case in _cases() if case[0] != "funds"}
    assert lines == {
        ("payment", _trade_no(missing), R.MISSING_THEIRS),
        ("payment", stranger, R.MISSING_OURS),
        ("payment", _trade_no(changed), R.AMOUNT),
        ("payment", _trade_no(fee), R.FEE),
    }
    by_reason = {d.reason: d for d in ReconciliationDifference.objects.all()}
    assert (by_reason[R.MISSING_THEIRS].ledger_amount, by_reason[R.MISSING_THEIRS].provider_amount) == (
        Decimal("200.00"),
        None,
    )
    assert (by_reason[R.MISSING_OURS].ledger_amount, by_reason[R.MISSING_OURS].provider_amount) == (
        None,
        Decimal("50.00"),
    )
    assert by_reason[R.AMOUNT].provider_amount == Decimal("85.50")
    assert (by_reason[R.FEE].expected_fee, by_reason[R.FEE].provider_fee) == (
        Decimal("0.21"),
        Decimal("0.99"),
    )
    # the provider's money differs from the ledger's by the same movements: the funds alarm too
    funds = by_reason[R.FUNDS]
    assert (funds.ledger_amount, funds.provider_amount) == (
        Decimal("323.60"),
        Decimal("323.60") - 200 + 50 - 3,
    )
    assert all(d.status == ReconciliationDifference.Status.OPEN for d in by_reason.values())

    # the job runs again (a retry): nothing is opened twice
    time_machine.shift(timedelta(minutes=5))
    reconcile_statements_task(DAY)
    assert ReconciliationDifference.objects.count() == 5


# --- Alipay ------------------------------------------------------------------------------------------------


def test_pay_8_alipay_bill_of_a_day_reconciles_with_zero_differences(
    api_client, only, fake_alipay: FakeAlipay, time_machine, django_capture_on_commit_callbacks
) -> None:
    only("alipay")
    _clean_day(api_client, "alipay", fake_alipay, time_machine, django_capture_on_commit_callbacks)
    (_route, request), *_ = [c for c in fake_alipay.calls if c[0] == "/downloadBillFile.resource"]
    assert "bizType=trade" in request.path


def test_pay_8_alipay_bill_with_one_difference_of_each_kind_opens_exactly_those_cases(
    api_client, only, fake_alipay: FakeAlipay, time_machine, django_capture_on_commit_callbacks
) -> None:
    only("alipay")
    _one_difference_of_each_kind(
        api_client, "alipay", fake_alipay, time_machine, django_capture_on_commit_callbacks
    )


# --- WeChat Pay ----------------------------------------------------------------------------------------


def test_pay_8_wechat_pay_bill_of_a_day_reconciles_with_zero_differences(
    api_client, only, fake_wechat_pay: FakeWechatPay, time_machine, django_capture_on_commit_callbacks
) -> None:
    only("wechat_pay")
    _clean_day(api_client, "wechat_pay", fake_wechat_pay, time_machine, django_capture_on_commit_callbacks)


def test_pay_8_wechat_pay_bill_with_one_difference_of_each_kind_opens_exactly_those_cases(
    api_client, only, fake_wechat_pay: FakeWechatPay, time_machine, django_capture_on_commit_callbacks
) -> None:
    only("wechat_pay")
    _one_difference_of_each_kind(
        api_client, "wechat_pay", fake_wechat_pay, time_machine, django_capture_on_commit_callbacks
    )


def test_pay_8_wechat_pay_bill_that_fails_its_hash_is_not_reconciled(
    api_client, only, fake_wechat_pay: FakeWechatPay, time_machine, django_capture_on_commit_callbacks, caplog
) -> None:
    """The bill file is not signed: its SHA1 is the proof. A file that does not match is not used — the day
    waits for the next run rather than calling every payment missing."""
    only("wechat_pay")
    _a_day_of_trade(
        api_client, "wechat_pay", fake_wechat_pay, time_machine, django_capture_on_commit_callbacks
    )
    fake_wechat_pay.bills.corrupt_files = True
    with caplog.at_level(logging.ERROR):
        assert _reconcile_the_next_morning(time_machine) == 0
    assert "SHA1" in caplog.text
    # nothing imported, nothing opened: the statement waits to be downloaded again (decision 038, addendum)
    waiting = ProviderStatement.objects.get()
    assert (waiting.status, waiting.lines) == (ProviderStatement.Status.WAITING, 0)
    assert not ReconciliationDifference.objects.exists()
    fake_wechat_pay.bills.corrupt_files = False
    assert reconcile_statements_task(DAY) == 0
    assert ProviderStatement.objects.get(provider="wechat_pay").lines == 5


# --- the segregated funds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["alipay", "wechat_pay"])
def test_pay_8_segregated_funds_equal_the_escrow_ledger_across_days_and_a_release(
    api_client, only, provider, request, time_machine, django_capture_on_commit_callbacks
) -> None:
    """Day 1: payments and a refund. Later the first order is completed and its escrow released to the
    merchant (the money stays at the provider until the payout), and the two orders never shipped are
    compensated (ORD-4, refunds through the provider paid by the platform, not from escrow): the provider
    still holds, for the customers, exactly what the escrow ledger holds."""
    only(provider)
    fake = request.getfixturevalue("fake_alipay" if provider == "alipay" else "fake_wechat_pay")
    (first, *_rest), _refunded = _a_day_of_trade(
        api_client, provider, fake, time_machine, django_capture_on_commit_callbacks
    )
    assert _reconcile_the_next_morning(time_machine) == 0
    order_ship(order=first, carrier="SF", tracking_number="SF100", actor=first.merchant.owner)
    first = order_confirm_receipt(order=first, actor=first.customer)
    time_machine.move_to(first.completed_at + timedelta(days=15, seconds=1))  # type: ignore[operator]
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep()  # the release; and ORD-4: the two unshipped orders are compensated (refunds)
    _settle(fake)
    _sweep_later(time_machine)
    first.refresh_from_db()
    assert first.settled_at is not None
    compensations = Refund.objects.filter(kind=Refund.Kind.COMPENSATION, status=Refund.Status.SUCCEEDED)
    assert compensations.count() == 2
    release_day = first.settled_at.astimezone(fake.bills.movements[0].at.tzinfo).date()
    assert _reconcile_the_next_morning(time_machine, release_day.isoformat()) == 0
    assert ProviderStatement.objects.get(day=release_day).lines == 2  # the compensations
    ledger_escrow, held = customer_funds(provider=provider, day=release_day)
    # 88.50 + 35.10 still in escrow; the compensations came from the platform, not the customers' funds
    assert ledger_escrow == held == Decimal("123.60")
    assert not ReconciliationDifference.objects.filter(reason=R.FUNDS).exists()


@pytest.mark.parametrize("provider", ["alipay", "wechat_pay"])
def test_pay_8_segregated_funds_that_differ_raise_an_alarm_to_finance(
    api_client, only, provider, request, time_machine, django_capture_on_commit_callbacks, caplog
) -> None:
    """The provider refunded money the ledger never took out of escrow: the customers' money at the provider
    is less than the escrow says — a difference case, an error log, an audit entry and finance notified."""
    only(provider)
    fake = request.getfixturevalue("fake_alipay" if provider == "alipay" else "fake_wechat_pay")
    finance = StaffFactory.create(email="finance@example.com")
    finance.groups.add(Group.objects.get(name="staff_finance"))
    (first, *_rest), _refunded = _a_day_of_trade(
        api_client, provider, fake, time_machine, django_capture_on_commit_callbacks
    )
    fake.bills.add(
        "refund",
        trade_no=_trade_no(first),
        out_trade_no=first.payments.get().out_trade_no,
        amount=Decimal("30.00"),
        refund_no="UNKNOWN-R1",
    )
    with caplog.at_level(logging.ERROR):
        assert _reconcile_the_next_morning(time_machine) == 2
    assert _cases() == {("refund", "UNKNOWN-R1", R.MISSING_OURS), ("funds", "escrow", R.FUNDS)}
    alarm = ReconciliationDifference.objects.get(reason=R.FUNDS)
    assert (alarm.provider, alarm.ledger_amount, alarm.provider_amount) == (
        provider,
        Decimal("323.60"),
        Decimal("293.60"),
    )
    assert "segregated funds" in caplog.text
    audit = AuditEntry.objects.get(action="reconciliation.funds_differ")
    assert (audit.after or {})["held"] == "293.60"
    sent = Notification.objects.filter(recipient=finance, event="reconciliation_funds_differ")
    assert set(sent.values_list("channel", flat=True)) == {"inapp", "email"}
    assert "323.60" in sent.first().body  # type: ignore[union-attr]
    reconcile_statements_task(DAY)  # again: the alarm is not repeated
    assert sent.count() == 2 and AuditEntry.objects.filter(action="reconciliation.funds_differ").count() == 1


# --- finance resolves a case in the admin ------------------------------------------------------------------


def test_pay_8_finance_resolves_a_fee_difference_in_the_admin_with_a_note_audited(settings) -> None:
    """A finance staff member, signed in to the admin with the second factor, sees the case with its reason
    and fees and resolves it with a note: through the service, with its audit row."""
    settings.STAFF_REQUIRE_OTP = True  # as in production
    difference = ReconciliationDifference.objects.create(
        day=DAY,
        provider="alipay",
        kind="payment",
        reference="2026000000000003",
        reason=R.FEE,
        ledger_amount=Decimal("35.10"),
        provider_amount=Decimal("35.10"),
        expected_fee=Decimal("0.21"),
        provider_fee=Decimal("0.99"),
    )
    finance = StaffFactory.create()
    finance.set_password(DEFAULT_PASSWORD)
    finance.save()
    finance.groups.add(Group.objects.get(name="staff_finance"))
    finance.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_reconciliationdifference", "change_reconciliationdifference"]
        )
    )
    device = TOTPDevice.objects.create(user=finance, name="phone", confirmed=True)
    browser = Client()
    signed_in = browser.post(
        "/admin/login/",
        {
            "username": finance.email,
            "password": DEFAULT_PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": code_of(device),
        },
    )
    assert signed_in.status_code == 302, signed_in.content
    listing = browser.get("/admin/orders/reconciliationdifference/?reason__exact=fee").content.decode()
    assert "2026000000000003" in listing and "0.99" in listing
    response = browser.post(
        f"/admin/orders/reconciliationdifference/{difference.pk}/change/",
        {"status": "resolved", "note": "Alipay charged the old rate; refund of 0.78 requested"},
    )
    assert response.status_code == 302, response.content
    difference.refresh_from_db()
    assert difference.status == ReconciliationDifference.Status.RESOLVED
    assert (difference.reason, difference.provider_fee) == (R.FEE, Decimal("0.99"))  # read-only
    entry = AuditEntry.objects.get(action="reconciliation.difference_settled")
    assert entry.actor_id == finance.pk
    assert (entry.after or {})["note"].startswith("Alipay charged the old rate")
