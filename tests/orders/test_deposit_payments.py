"""MER-5, PAY-3: a merchant pays its category deposit through the same payment gateway as orders; the signed
callback credits the deposit exactly once; a wrong amount or bad signature moves nothing."""

import json
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from catalog.models import Category
from merchants.models import Merchant
from merchants.selectors.standing import merchant_deposit_balance
from merchants.services.lifecycle import merchant_restrict
from orders.models import Payment, PaymentCallbackLog
from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_complete
from orders.services.payments import deposit_pay_start, payment_callback_receive
from orders.services.reconciliation import reconciliation_run
from platform_core.errors import Conflict, InvalidInput
from platform_core.ledger.models import LedgerTransaction, TransactionKind
from tests.conftest import client_for
from tests.factories.merchants import MerchantFactory
from tests.factories.orders import shop_category

pytestmark = pytest.mark.django_db

CALLBACK = "/api/v1/payments/callbacks/sandbox/"


def _merchant_without_deposit(deposit: str = "1000.00") -> tuple[Merchant, Category]:
    category = shop_category(deposit=deposit)
    return MerchantFactory.create(categories=[category]), category


def _callback(client, headers: dict[str, str], body: bytes):
    return client.generic(
        "POST",
        CALLBACK,
        body,
        content_type="application/json",
        HTTP_X_SANDBOX_SIGNATURE=headers[SIGNATURE_HEADER],
    )


def _deposit_credits(merchant: Merchant) -> int:
    return LedgerTransaction.objects.filter(
        kind=TransactionKind.DEPOSIT_PAYMENT, subject_id=merchant.pk
    ).count()


def test_mer_5_deposit_paid_through_gateway_once(api_client) -> None:
    merchant, category = _merchant_without_deposit()
    merchant = merchant_restrict(
        merchant=merchant, cause=Merchant.Cause.DEPOSIT, reason="no deposit", actor=None
    )
    response = client_for(merchant.owner).post(
        "/api/v1/merchant/deposits/pay/",
        {"category": category.pk, "provider": "sandbox"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="dep-1",
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "1000.00"
    assert response.json()["payload"]["pay_url"] and response.json()["payload"]["qr_code"]
    payment = Payment.objects.get(out_trade_no=response.json()["out_trade_no"])
    assert (payment.purpose, payment.merchant_id, payment.order_id) == ("deposit", merchant.pk, None)

    headers, body = sandbox_complete(payment)
    statuses = [_callback(api_client, headers, body).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert merchant_deposit_balance(merchant=merchant) == Decimal("1000.00")
    assert _deposit_credits(merchant) == 1
    assert list(PaymentCallbackLog.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "accepted",
        "duplicate",
        "duplicate",
    ]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    merchant.refresh_from_db()  # the deposit restriction is lifted
    assert (
        merchant.status == Merchant.Status.ACTIVE
        and Merchant.Cause.DEPOSIT not in merchant.restriction_causes
    )
    # PAY-8: the deposit payment reconciles with the sandbox's settlement file
    assert reconciliation_run(day=timezone.localdate(payment.succeeded_at)) == []
    call_command("verify_ledger")


def test_mer_5_deposit_callback_with_wrong_amount_or_bad_signature_moves_nothing(api_client) -> None:
    merchant, category = _merchant_without_deposit()
    payment = deposit_pay_start(
        merchant=merchant, category_id=category.pk, provider="sandbox", actor=merchant.owner
    )
    headers, body = sandbox_complete(payment, amount=Decimal("1.00"))
    wrong_amount = _callback(api_client, headers, body)
    headers, body = sandbox_complete(payment)
    forged = json.loads(body)
    forged["total_amount"] = "1.00"
    bad_signature = _callback(api_client, headers, json.dumps(forged).encode())

    assert (wrong_amount.status_code, bad_signature.status_code) == (400, 400)
    assert wrong_amount.json()["code"] == "amount_mismatch"
    assert merchant_deposit_balance(merchant=merchant) == Decimal("0.00")
    assert _deposit_credits(merchant) == 0
    assert set(PaymentCallbackLog.objects.values_list("outcome", flat=True)) == {"rejected"}


def test_mer_5_deposit_payment_is_for_a_category_of_the_shop_and_only_what_is_lacking() -> None:
    merchant, category = _merchant_without_deposit(deposit="800.00")
    other = shop_category(deposit="500.00")
    with pytest.raises(InvalidInput) as refused:
        deposit_pay_start(merchant=merchant, category_id=other.pk, provider="sandbox", actor=merchant.owner)
    assert "category" in refused.value.errors
    first = deposit_pay_start(
        merchant=merchant, category_id=category.pk, provider="sandbox", actor=merchant.owner
    )
    assert first.amount == Decimal("800.00")
    headers, body = sandbox_complete(first)
    payment_callback_receive(provider="sandbox", headers=headers, body=body)
    with pytest.raises(Conflict) as covered:
        deposit_pay_start(
            merchant=merchant, category_id=category.pk, provider="sandbox", actor=merchant.owner
        )
    assert covered.value.code == "deposit_covered"


def test_mer_5_deposit_pay_api_is_for_owner_and_finance_only() -> None:
    merchant, category = _merchant_without_deposit()
    from merchants.models import MerchantMember
    from tests.factories.accounts import UserFactory

    service = UserFactory.create()
    MerchantMember.objects.create(merchant=merchant, user=service, role=MerchantMember.Role.CUSTOMER_SERVICE)
    response = client_for(service).post(
        "/api/v1/merchant/deposits/pay/", {"category": category.pk}, format="json", HTTP_IDEMPOTENCY_KEY="d"
    )
    assert response.status_code == 403
    assert not Payment.objects.filter(merchant=merchant).exists()


@pytest.mark.urls("platform_core.urls")
def test_mer_5_dashboard_pay_deposit_button_goes_to_the_cashier_and_credits_once(
    settings, django_capture_on_commit_callbacks
) -> None:
    settings.STATICFILES_DIRS = [django_settings.BASE_DIR / "static"]
    merchant, category = _merchant_without_deposit(deposit="300.00")
    client = Client()
    client.force_login(merchant.owner, backend="platform_core.accounts.backends.PhoneOrEmailBackend")
    onboarding = client.get("/merchant/onboarding/")
    assert b'data-testid="deposit-pay"' in onboarding.content

    started = client.post("/merchant/money/deposit/pay/", {"category": category.pk})
    payment = Payment.objects.get(merchant=merchant)
    assert (
        started.status_code == 302
        and started["Location"] == f"/merchant/money/deposit/{payment.out_trade_no}/"
    )
    cashier = client.get(started["Location"])
    assert cashier.status_code == 200 and "¥300.00" in cashier.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(started["Location"])
    assert paid.status_code == 302
    assert merchant_deposit_balance(merchant=merchant) == Decimal("300.00")
    assert _deposit_credits(merchant) == 1
    assert b'data-testid="deposit-pay"' not in client.get("/merchant/onboarding/").content
