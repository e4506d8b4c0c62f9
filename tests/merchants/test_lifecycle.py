"""MER-8: the merchant lifecycle, each change with cause, actor and reason; closure refused while pending."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django_fsm import TransitionNotAllowed

from merchants.models import Merchant, MerchantStatusChange
from merchants.services.deposits import merchant_deposit_credit, merchant_deposit_refund
from merchants.services.lifecycle import (
    closure_checks,
    merchant_ban,
    merchant_close,
    merchant_reinstate,
    merchant_restrict,
    merchant_suspend,
    merchant_unrestrict,
)
from platform_core.audit.models import AuditEntry
from platform_core.errors import Conflict
from tests.factories.accounts import StaffFactory
from tests.factories.merchants import MerchantFactory

pytestmark = pytest.mark.django_db

C = Merchant.Cause


@pytest.fixture
def open_order_check() -> Iterator[object]:
    """A stand-in for the orders app's closure check: one open order."""

    def check(merchant: Merchant) -> list[str]:
        return [f"Order #1 of {merchant.name} is still open."]

    with closure_checks.registered(check):
        yield check


def test_mer_8_restrict_records_cause_actor_reason_and_audit() -> None:
    staff = StaffFactory.create()
    merchant = MerchantFactory.create()
    merchant = merchant_restrict(merchant=merchant, cause=C.STAFF, reason="complaints", actor=staff)
    assert merchant.status == Merchant.Status.RESTRICTED
    change = MerchantStatusChange.objects.get(merchant=merchant)
    assert (change.from_status, change.to_status, change.cause, change.actor, change.reason) == (
        "active",
        "restricted",
        "staff",
        staff,
        "complaints",
    )
    assert AuditEntry.objects.filter(action="merchant.restricted", subject_id=str(merchant.pk)).exists()


def test_mer_8_restriction_lifts_only_when_the_last_cause_is_gone() -> None:
    merchant = MerchantFactory.create()
    merchant_restrict(merchant=merchant, cause=C.STAFF, reason="a", actor=None)
    merchant_restrict(merchant=merchant, cause=C.AGREEMENT, reason="b", actor=None)
    merchant = merchant_unrestrict(merchant=merchant, cause=C.AGREEMENT, reason="accepted", actor=None)
    assert merchant.status == Merchant.Status.RESTRICTED
    merchant = merchant_unrestrict(merchant=merchant, cause=C.STAFF, reason="ok", actor=None)
    assert merchant.status == Merchant.Status.ACTIVE


def test_mer_8_reinstated_merchant_keeps_its_restrictions() -> None:
    merchant = MerchantFactory.create()
    merchant_restrict(merchant=merchant, cause=C.DEPOSIT, reason="low", actor=None)
    merchant = merchant_suspend(merchant=merchant, cause=C.STAFF, reason="investigation", actor=None)
    assert merchant.status == Merchant.Status.SUSPENDED
    merchant = merchant_reinstate(merchant=merchant, cause=C.STAFF, reason="cleared", actor=None)
    assert merchant.status == Merchant.Status.RESTRICTED
    assert list(merchant.status_changes.values_list("to_status", flat=True)) == [
        "restricted",
        "suspended",
        "restricted",
    ]


def test_mer_8_closure_refused_while_order_open(open_order_check: object) -> None:
    merchant = MerchantFactory.create()
    with pytest.raises(Conflict) as excinfo:
        merchant_close(merchant=merchant, reason="leaving", actor=merchant.owner)
    assert excinfo.value.code == "closure_pending"
    assert excinfo.value.errors["pending"] == [f"Order #1 of {merchant.name} is still open."]
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE


def test_mer_8_closure_refused_while_deposit_held_then_refunded_and_closed() -> None:
    merchant = MerchantFactory.create()
    merchant_deposit_credit(
        merchant=merchant, amount=Decimal("500.00"), payment_reference="P", idempotency_key="d1", actor=None
    )
    with pytest.raises(Conflict) as excinfo:
        merchant_close(merchant=merchant, reason="leaving", actor=None)
    assert "500.00" in excinfo.value.errors["pending"][0]
    merchant_deposit_refund(merchant=merchant, idempotency_key="r1", actor=None)
    merchant = merchant_close(merchant=merchant, reason="leaving", actor=None)
    assert merchant.status == Merchant.Status.CLOSED
    assert merchant.closed_at is not None


def test_mer_8_deposit_not_refunded_while_order_open(open_order_check: object) -> None:
    merchant = MerchantFactory.create()
    merchant_deposit_credit(
        merchant=merchant, amount=Decimal("500.00"), payment_reference="P", idempotency_key="d1", actor=None
    )
    with pytest.raises(Conflict):
        merchant_deposit_refund(merchant=merchant, idempotency_key="r1", actor=None)


def test_mer_8_banned_is_terminal() -> None:
    merchant = merchant_ban(
        merchant=MerchantFactory.create(), reason="counterfeits", actor=StaffFactory.create()
    )
    assert merchant.status == Merchant.Status.BANNED
    with pytest.raises(TransitionNotAllowed):
        merchant.reinstate()
    with pytest.raises(Conflict):
        merchant_suspend(merchant=merchant, cause=C.STAFF, reason="x", actor=None)


def test_mer_8_status_field_is_protected() -> None:
    merchant = MerchantFactory.create()
    with pytest.raises(AttributeError):
        merchant.status = Merchant.Status.BANNED
