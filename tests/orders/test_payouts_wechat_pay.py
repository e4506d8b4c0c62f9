"""PAY-4 (decision 045): payouts to a merchant's WeChat account through WeChat Pay's merchant transfer
(``/v3/fund-app/mch-transfer/transfer-bills``) — routed by the account's kind, the registered entity's
name sent encrypted with the platform certificate, sent after the commit through the fake gateway, a lost
answer recovered by a query (never sent twice), a refused transfer returned to the merchant's payable."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from merchants.models import Merchant
from orders.models import Payout, PayoutAccount, ProviderSettlementRecord
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
from tests.fakes.wechat_pay import FakeWechatPay
from tests.fakes.wechat_pay_transfer import TRANSFER, TRANSFER_QUERY, WechatTransfers
from tests.orders.test_payouts_alipay import _authenticator, _code, _merchant_owed, _payable

pytestmark = pytest.mark.django_db

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture
def transfers(fake_wechat_pay: FakeWechatPay, settings) -> WechatTransfers:
    settings.ORDERS_PAYOUT_PROVIDER = "alipay,wechat_pay"  # each account through the rail of its kind
    return WechatTransfers.install(fake_wechat_pay)


def _wechat_account(merchant: Merchant, time_machine, openid: str = OPENID) -> PayoutAccount:
    device = _authenticator(merchant)
    account = payout_account_set(
        merchant=merchant,
        actor=merchant.owner,
        kind="wechat",
        holder_name=merchant.legal_name,
        number=openid,
        code=_code(device),
    )
    time_machine.shift(timedelta(hours=24, seconds=1))  # the cooling-off period
    return account


def test_pay_4_wechat_account_needs_an_openid(time_machine) -> None:
    time_machine.move_to("2026-03-01 10:00:00+08:00")
    from tests.factories.orders import shop

    merchant = shop()
    device = _authenticator(merchant)
    with pytest.raises(InvalidInput) as refused:
        payout_account_set(
            merchant=merchant,
            actor=merchant.owner,
            kind="wechat",
            holder_name=merchant.legal_name,
            number="13800138000@wx",
            code=_code(device),
        )
    assert "number" in refused.value.errors


def test_pay_4_wechat_transfer_pays_the_merchants_wechat_account_with_its_name_encrypted(
    time_machine,
    fake_wechat_pay: FakeWechatPay,
    transfers: WechatTransfers,
    settings,
    django_capture_on_commit_callbacks,
) -> None:
    merchant = _merchant_owed(time_machine)
    transfers.payees[OPENID] = merchant.legal_name
    _wechat_account(merchant, time_machine)
    settings.ORDERS_PAYOUT_PROVIDER = (
        "alipay"  # no WeChat rail: a WeChat account is not paid, the money waits
    )
    assert payouts_run() == []
    assert _payable(merchant) == Decimal("190.00")
    settings.ORDERS_PAYOUT_PROVIDER = "alipay,wechat_pay"
    with django_capture_on_commit_callbacks(execute=True):
        [payout] = payouts_run()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and payout.provider == "wechat_pay"
    assert payout.provider_reference and payout.out_biz_no
    sent = transfers.transfers[payout.out_biz_no]
    assert (sent.amount, sent.openid, sent.scene) == (19000, OPENID, "1005")
    assert sent.name == merchant.legal_name  # decrypted by the gateway with its platform key
    [request] = fake_wechat_pay.calls_to(TRANSFER)
    body = json.loads(request.body)
    assert body["user_name"] != merchant.legal_name and merchant.legal_name.encode() not in request.body
    assert request.headers["Wechatpay-Serial"] == fake_wechat_pay.serial
    assert _payable(merchant) == 0
    assert AuditEntry.objects.filter(action="merchant.payout_paid", subject_id=merchant.pk).exists()
    assert Notification.objects.filter(recipient=merchant.owner, event="merchant_payout_made").exists()
    # PAY-8: WeChat Pay's signed answer is its record of the transfer; the day reconciles with no difference
    assert ProviderSettlementRecord.objects.filter(
        provider="wechat_pay", kind="payout", reference=payout.provider_reference, amount=Decimal("190.00")
    ).exists()
    assert reconciliation_run(day=timezone.localdate(payout.created_at)) == []


def test_pay_4_wechat_transfer_whose_answer_was_lost_is_queried_never_sent_twice(
    time_machine,
    fake_wechat_pay: FakeWechatPay,
    transfers: WechatTransfers,
    django_capture_on_commit_callbacks,
) -> None:
    merchant = _merchant_owed(time_machine)
    transfers.payees[OPENID] = merchant.legal_name
    _wechat_account(merchant, time_machine)
    fake_wechat_pay.inject(TRANSFER, "drop")
    with django_capture_on_commit_callbacks(execute=True):
        [payout] = payouts_run()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PENDING and payout.sent_at and payout.last_error
    assert payout.out_biz_no in transfers.transfers  # WeChat Pay did transfer; the answer was lost
    time_machine.shift(timedelta(minutes=10))
    assert payouts_sweep() == 1
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert len(fake_wechat_pay.calls_to(TRANSFER)) == 1
    assert len(fake_wechat_pay.calls_to(TRANSFER_QUERY)) == 1
    assert transfers.balance == 100_000_000_00 - 19000
    assert AuditEntry.objects.filter(action="merchant.payout_paid").count() == 1


def test_pay_4_refused_wechat_transfer_returns_the_money_to_the_payable_and_notifies_the_merchant(
    time_machine,
    fake_wechat_pay: FakeWechatPay,
    transfers: WechatTransfers,
    django_capture_on_commit_callbacks,
) -> None:
    merchant = _merchant_owed(time_machine)
    transfers.payees[OPENID] = "张三"  # the WeChat user's real name is not our entity: NAME_NOT_CORRECT
    _wechat_account(merchant, time_machine)
    with django_capture_on_commit_callbacks(execute=True):
        [payout] = payouts_run()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED and "NAME_NOT_CORRECT" in payout.last_error
    assert _payable(merchant) == Decimal("190.00")  # back in the payable
    assert ledger_balance(ledger_account_for(kind=AccountKind.PAYOUT_CLEARING)) == 0
    assert AuditEntry.objects.filter(action="merchant.payout_failed", subject_id=merchant.pk).exists()
    assert Notification.objects.filter(recipient=merchant.owner, event="merchant_payout_failed").exists()
    assert transfers.balance == 100_000_000_00  # nothing moved
    assert reconciliation_run(day=timezone.localdate(payout.created_at)) == []
    time_machine.shift(timedelta(minutes=10))
    assert payouts_sweep() == 0  # a refusal is final: not sent again


def test_pay_4_wechat_transfer_waiting_for_the_payees_confirmation_stays_pending_then_pays(
    time_machine,
    fake_wechat_pay: FakeWechatPay,
    transfers: WechatTransfers,
    django_capture_on_commit_callbacks,
) -> None:
    """WeChat Pay may require the payee to confirm receipt (``WAIT_USER_CONFIRM``): the payout stays pending
    and is queried (never re-sent) until it succeeds; one left unconfirmed is cancelled and returned."""
    merchant = _merchant_owed(time_machine)
    transfers.payees[OPENID] = merchant.legal_name
    transfers.confirm_required = True
    _wechat_account(merchant, time_machine)
    with django_capture_on_commit_callbacks(execute=True):
        [payout] = payouts_run()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PENDING
    time_machine.shift(timedelta(minutes=10))
    payouts_sweep()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PENDING
    transfers.confirm(payout.out_biz_no or "")
    time_machine.shift(timedelta(hours=2))
    payouts_sweep()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert len(fake_wechat_pay.calls_to(TRANSFER)) == 1


def test_pay_4_wechat_payee_name_is_encrypted_for_the_newest_platform_certificate_after_a_rotation(
    time_machine,
    fake_wechat_pay: FakeWechatPay,
    transfers: WechatTransfers,
    django_capture_on_commit_callbacks,
) -> None:
    """WeChat Pay rotated its platform certificate and we downloaded the new one: the name is encrypted for
    the new certificate and its serial named in ``Wechatpay-Serial`` — no deployment."""
    from orders.payments.wechat_pay_client import certificates_refresh

    merchant = _merchant_owed(time_machine)
    transfers.payees[OPENID] = merchant.legal_name
    _wechat_account(merchant, time_machine)
    old_serial, new_serial = fake_wechat_pay.serial, fake_wechat_pay.rotate()
    assert new_serial in certificates_refresh()
    with django_capture_on_commit_callbacks(execute=True):
        [payout] = payouts_run()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    [request] = fake_wechat_pay.calls_to(TRANSFER)
    assert request.headers["Wechatpay-Serial"] == new_serial != old_serial
    assert transfers.transfers[payout.out_biz_no or ""].name == merchant.legal_name
