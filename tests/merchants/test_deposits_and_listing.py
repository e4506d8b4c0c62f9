"""MER-5 deposits and the listing gate ``merchant_may_list`` (MER-4, MER-5, MER-7, MER-8)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from merchants.models import AgreementAcceptance, DocumentKind, Merchant
from merchants.selectors.standing import merchant_deposit_balance, merchant_may_list
from merchants.services.deposits import merchant_deposit_credit, merchant_deposit_deduct
from platform_core.errors import Conflict
from platform_core.ledger.models import AccountKind
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for
from platform_core.notifications.models import Notification
from tests.factories.merchants import (
    CategoryFactory,
    MerchantFactory,
    PlatformAgreementFactory,
    QualificationDocumentFactory,
)

pytestmark = pytest.mark.django_db


def _fund(merchant: Merchant, amount: str, key: str = "dep-1") -> None:
    merchant_deposit_credit(
        merchant=merchant, amount=Decimal(amount), payment_reference="PAY-1", idempotency_key=key, actor=None
    )


def test_mer_5_deposit_credit_posts_once_per_key() -> None:
    merchant = MerchantFactory.create()
    _fund(merchant, "1000.00")
    _fund(merchant, "1000.00")  # a retried confirmation
    assert merchant_deposit_balance(merchant=merchant) == Decimal("1000.00")
    clearing = ledger_account_for(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING)
    assert ledger_balance(clearing) == Decimal("-1000.00")


def test_mer_5_deduction_below_required_restricts_and_notifies() -> None:
    category = CategoryFactory.create(deposit_amount=Decimal("1000.00"))
    merchant = MerchantFactory.create(categories=[category])
    _fund(merchant, "1000.00")
    merchant_deposit_deduct(
        merchant=merchant,
        amount=Decimal("300.00"),
        reason="late shipment penalty",
        kind="penalty",
        idempotency_key="pen-1",
        actor=None,
    )
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.RESTRICTED
    assert merchant.restriction_causes == [Merchant.Cause.DEPOSIT]
    assert ledger_balance(ledger_account_for(kind=AccountKind.PENALTY_INCOME)) == Decimal("300.00")
    assert Notification.objects.filter(recipient=merchant.owner, event="merchant_restricted").exists()
    # topping up lifts the restriction, as it was the only cause
    _fund(merchant, "300.00", key="dep-2")
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE
    assert merchant.restriction_causes == []


def test_mer_5_compensation_goes_to_compensation_account_and_cannot_overdraw() -> None:
    merchant = MerchantFactory.create()
    _fund(merchant, "100.00")
    merchant_deposit_deduct(
        merchant=merchant,
        amount=Decimal("40.00"),
        reason="buyer compensated",
        kind="compensation",
        idempotency_key="comp-1",
        actor=None,
    )
    assert ledger_balance(ledger_account_for(kind=AccountKind.COMPENSATION)) == Decimal("40.00")
    with pytest.raises(Conflict):
        merchant_deposit_deduct(
            merchant=merchant,
            amount=Decimal("100.00"),
            reason="too much",
            kind="compensation",
            idempotency_key="comp-2",
            actor=None,
        )
    assert merchant_deposit_balance(merchant=merchant) == Decimal("60.00")


def test_mer_5_may_list_needs_the_category_deposit() -> None:
    category = CategoryFactory.create(deposit_amount=Decimal("5000.00"))
    merchant = MerchantFactory.create(categories=[category])
    ok, reason = merchant_may_list(merchant=merchant, category=category)
    assert not ok and "5000.00" in reason
    _fund(merchant, "5000.00")
    assert merchant_may_list(merchant=merchant, category=category) == (True, "")


def test_mer_5_may_list_only_in_approved_categories_and_their_children() -> None:
    parent = CategoryFactory.create(deposit_amount=Decimal("0.00"))
    child = CategoryFactory.create(parent=parent, deposit_amount=Decimal("0.00"))
    other = CategoryFactory.create(deposit_amount=Decimal("0.00"))
    merchant = MerchantFactory.create(categories=[parent])
    assert merchant_may_list(merchant=merchant, category=child)[0]
    assert not merchant_may_list(merchant=merchant, category=other)[0]


def test_mer_8_may_list_refused_unless_active() -> None:
    category = CategoryFactory.create(deposit_amount=Decimal("0.00"))
    for status in (Merchant.Status.RESTRICTED, Merchant.Status.SUSPENDED, Merchant.Status.ONBOARDING):
        merchant = MerchantFactory.create(categories=[category], status=status)
        ok, reason = merchant_may_list(merchant=merchant, category=category)
        assert not ok and reason


def test_mer_4_may_list_needs_the_agreement_in_force_accepted() -> None:
    category = CategoryFactory.create(deposit_amount=Decimal("0.00"))
    merchant = MerchantFactory.create(categories=[category])
    agreement = PlatformAgreementFactory.create()
    assert not merchant_may_list(merchant=merchant, category=category)[0]
    AgreementAcceptance.objects.create(agreement=agreement, merchant=merchant, user=merchant.owner)
    assert merchant_may_list(merchant=merchant, category=category)[0]


def test_mer_7_may_list_needs_valid_required_documents() -> None:
    category = CategoryFactory.create(
        deposit_amount=Decimal("0.00"), required_document_kinds=[DocumentKind.FOOD_LICENCE]
    )
    merchant = MerchantFactory.create(categories=[category])
    ok, reason = merchant_may_list(merchant=merchant, category=category)
    assert not ok and "food_licence" in reason
    expired = QualificationDocumentFactory.create(
        merchant=merchant,
        kind=DocumentKind.FOOD_LICENCE,
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    assert not merchant_may_list(merchant=merchant, category=category)[0]
    QualificationDocumentFactory.create(merchant=merchant, kind=DocumentKind.FOOD_LICENCE)
    assert merchant_may_list(merchant=merchant, category=category) == (True, "")
    assert expired.pk
