"""PAY-4 (decision 037): the merchant's payout account and payouts through Alipay's transfer API — the
account set by the owner with a second factor, its holder checked against the registered entity, a
cooling-off period; the transfer sent after the commit through the fake gateway, a lost answer recovered by
a query (never sent twice), and a refused transfer returned to the merchant's payable."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from merchants.models import Merchant
from orders.models import Payout, PayoutAccount
from orders.services.fulfilment import order_confirm_receipt
from orders.services.payout_accounts import payout_account_set
from orders.services.payout_dispatch import payouts_sweep
from orders.services.payouts import payouts_run
from orders.services.reconciliation import reconciliation_run
from platform_core.audit.models import AuditEntry
from platform_core.errors import InvalidInput
from platform_core.ledger.models import AccountKind
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for
from platform_core.notifications.models import Notification
from tests.factories.orders import shipped_order, shop, shop_category, sku_for_sale
from tests.fakes.alipay import FakeAlipay
from tests.fakes.alipay_transfer import TRANSFER, TRANSFER_QUERY, AlipayTransfers

pytestmark = pytest.mark.django_db

ALIPAY_LOGIN = "shop-finance@example.com"


def _code(device: TOTPDevice) -> str:
    """What the owner's authenticator app shows now (django-otp reads the same, time-machined, clock)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def _authenticator(merchant: Merchant) -> TOTPDevice:
    return TOTPDevice.objects.create(user=merchant.owner, name="phone", confirmed=True)


def _payable(merchant: Merchant) -> Decimal:
    return ledger_balance(ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=merchant))


def _merchant_owed(time_machine, price: str = "200.00") -> Merchant:
    """A shop whose completed order was settled to its payable (190.00 after 5 % commission)."""
    from platform_core.deadlines.services import deadlines_sweep

    time_machine.move_to("2026-03-01 10:00:00+08:00")
    merchant = shop(shop_category(commission_rate="0.0500"))
    order = shipped_order(sku=sku_for_sale(merchant=merchant, price=price))
    order = order_confirm_receipt(order=order, actor=order.customer)
    time_machine.move_to(order.completed_at + timedelta(days=15, seconds=1))  # type: ignore[operator]
    deadlines_sweep()
    assert _payable(merchant) == Decimal("190.00")
    return merchant


def _account(
    merchant: Merchant, time_machine, *, kind: str = "alipay", number: str = ALIPAY_LOGIN
) -> PayoutAccount:
    device = _authenticator(merchant)
    account = payout_account_set(
        merchant=merchant,
        actor=merchant.owner,
        kind=kind,
        holder_name=merchant.legal_name,
        number=number,
        bank_name="招商银行" if kind == "bank" else "",
        code=_code(device),
    )
    time_machine.shift(timedelta(hours=24, seconds=1))  # the cooling-off period
    return account


@pytest.fixture
def transfers(fake_alipay: FakeAlipay, settings) -> AlipayTransfers:
    settings.ORDERS_PAYOUT_PROVIDER = "alipay"
    return AlipayTransfers.install(fake_alipay)


def test_pay_4_payout_account_holder_must_be_the_registered_entity_and_needs_the_owners_second_factor(
    time_machine,
) -> None:
    """The holder is compared with the registered entity after normalisation; a wrong second-factor code
    refuses the change; the number is encrypted at rest and masked in the audit."""
    time_machine.move_to("2026-03-01 10:00:00+08:00")
    merchant = shop()
    device = _authenticator(merchant)
    with pytest.raises(InvalidInput) as refused:
        payout_account_set(
            merchant=merchant,
            actor=merchant.owner,
            kind="alipay",
            holder_name="别的公司",
            number=ALIPAY_LOGIN,
            code=_code(device),
        )
    assert "holder_name" in refused.value.errors
    with pytest.raises(InvalidInput) as wrong_code:
        payout_account_set(
            merchant=merchant,
            actor=merchant.owner,
            kind="alipay",
            holder_name=merchant.legal_name,
            number=ALIPAY_LOGIN,
            code="000000" if _code(device) != "000000" else "111111",
        )
    assert "code" in wrong_code.value.errors
    assert not PayoutAccount.objects.exists()
    assert AuditEntry.objects.filter(action="account.second_factor_failed").exists()
    time_machine.shift(timedelta(seconds=5))  # django-otp throttles the next try after a wrong code
    # full-width brackets and spaces normalise away: the same entity
    merchant.legal_name = "演示商贸(上海)有限公司"
    merchant.save(update_fields=["legal_name"])
    account = payout_account_set(
        merchant=merchant,
        actor=merchant.owner,
        kind="bank",
        holder_name=" 演示商贸（上海）有限公司 ",
        number="6225 8801 2345 6789",
        bank_name="招商银行",
        code=_code(device),
    )
    account.refresh_from_db()
    assert account.number == "6225880123456789" and account.masked == "****6789"
    assert account.active_from == account.created_at + timedelta(hours=24)
    entry = AuditEntry.objects.get(action="merchant.payout_account_changed")
    assert entry.after is not None and entry.after["account"] == "****6789"
    assert "6225880123456789" not in str(entry.after)
    from django.db import connection

    with connection.cursor() as cursor:  # SEC-2: encrypted at rest
        cursor.execute("SELECT number FROM orders_payoutaccount WHERE id = %s", [account.pk])
        assert "6225880123456789" not in cursor.fetchone()[0]


def test_pay_4_alipay_transfer_pays_the_merchants_account_after_the_cooling_off(
    time_machine, fake_alipay: FakeAlipay, transfers: AlipayTransfers, django_capture_on_commit_callbacks
) -> None:
    merchant = _merchant_owed(time_machine)
    transfers.payees[ALIPAY_LOGIN] = merchant.legal_name
    device = _authenticator(merchant)
    payout_account_set(
        merchant=merchant,
        actor=merchant.owner,
        kind="alipay",
        holder_name=merchant.legal_name,
        number=ALIPAY_LOGIN,
        code=_code(device),
    )
    assert payouts_run() == []  # the new account is cooling off: the money waits
    assert _payable(merchant) == Decimal("190.00")
    time_machine.shift(timedelta(hours=24, seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        [payout] = payouts_run()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and payout.provider == "alipay"
    assert payout.provider_reference and payout.out_biz_no
    assert transfers.transfers[payout.out_biz_no].amount == Decimal("190.00")
    assert transfers.transfers[payout.out_biz_no].name == merchant.legal_name
    assert _payable(merchant) == 0
    assert AuditEntry.objects.filter(action="merchant.payout_paid", subject_id=merchant.pk).exists()
    assert Notification.objects.filter(recipient=merchant.owner, event="merchant_payout_made").exists()
    # PAY-8: Alipay's answer is its record of the transfer: the day's reconciliation finds no difference
    assert reconciliation_run(day=timezone.localdate(payout.created_at)) == []


def test_pay_4_alipay_transfer_whose_answer_was_lost_is_queried_never_sent_twice(
    time_machine, fake_alipay: FakeAlipay, transfers: AlipayTransfers, django_capture_on_commit_callbacks
) -> None:
    merchant = _merchant_owed(time_machine)
    transfers.payees[ALIPAY_LOGIN] = merchant.legal_name
    _account(merchant, time_machine)
    fake_alipay.inject(TRANSFER, "drop")
    with django_capture_on_commit_callbacks(execute=True):
        [payout] = payouts_run()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PENDING and payout.sent_at and payout.last_error
    assert payout.out_biz_no in transfers.transfers  # Alipay did transfer; the answer was lost
    time_machine.shift(timedelta(minutes=10))
    assert payouts_sweep() == 1
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert len(fake_alipay.calls_to(TRANSFER)) == 1 and len(fake_alipay.calls_to(TRANSFER_QUERY)) == 1
    assert transfers.balance == Decimal("1000000.00") - Decimal("190.00")
    assert AuditEntry.objects.filter(action="merchant.payout_paid").count() == 1


def test_pay_4_failed_payout_returns_the_money_to_the_payable_and_notifies_the_merchant(
    time_machine, fake_alipay: FakeAlipay, transfers: AlipayTransfers, django_capture_on_commit_callbacks
) -> None:
    merchant = _merchant_owed(time_machine)
    transfers.payees[ALIPAY_LOGIN] = "另一个人"  # Alipay's holder is not our entity: PAYEE_USER_INFO_ERROR
    _account(merchant, time_machine)
    with django_capture_on_commit_callbacks(execute=True):
        [payout] = payouts_run()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED and "PAYEE_USER_INFO_ERROR" in payout.last_error
    assert _payable(merchant) == Decimal("190.00")  # back in the payable
    assert ledger_balance(ledger_account_for(kind=AccountKind.PAYOUT_CLEARING)) == 0
    assert AuditEntry.objects.filter(action="merchant.payout_failed", subject_id=merchant.pk).exists()
    assert Notification.objects.filter(recipient=merchant.owner, event="merchant_payout_failed").exists()
    assert not transfers.transfers
    # PAY-8: the failed payout's posting was reversed: nothing for the day's reconciliation to match
    assert reconciliation_run(day=timezone.localdate(payout.created_at)) == []
    # a sweep later sends nothing again; the next period's run pays the money once the account is right
    time_machine.shift(timedelta(minutes=10))
    assert payouts_sweep() == 0
    transfers.payees[ALIPAY_LOGIN] = merchant.legal_name
    time_machine.shift(timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        [again] = payouts_run()
    again.refresh_from_db()
    assert again.status == Payout.Status.PAID and again.amount == Decimal("190.00")
    assert _payable(merchant) == 0


def test_pay_4_bank_card_transfer_and_no_account_means_no_payout(
    time_machine, fake_alipay: FakeAlipay, transfers: AlipayTransfers, django_capture_on_commit_callbacks
) -> None:
    merchant = _merchant_owed(time_machine)
    assert payouts_run() == []  # no payout account at all: nothing leaves
    transfers.payees["6225880123456789"] = merchant.legal_name
    _account(merchant, time_machine, kind="bank", number="6225880123456789")
    with django_capture_on_commit_callbacks(execute=True):
        [payout] = payouts_run()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    sent = fake_alipay.calls_to(TRANSFER)[0]
    assert b"TRANS_BANKCARD_NO_PWD" in sent.body and b"BANKCARD_ACCOUNT" in sent.body
