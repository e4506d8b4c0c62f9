"""MER-5: the merchant's deposit on the ledger: payments, deductions, refund."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from merchants.models import Merchant
from merchants.selectors.standing import merchant_deposit_balance, merchant_required_deposit
from merchants.services._common import C, S, _notify_owner
from merchants.services.lifecycle import closure_checks, merchant_lock, merchant_restrict, merchant_unrestrict
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, InvalidInput
from platform_core.ledger.models import AccountKind, LedgerTransaction, TransactionKind
from platform_core.ledger.services import ledger_account_for, ledger_post
from platform_core.money import is_whole_cents


def _check_amount(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal) or amount <= 0 or not is_whole_cents(amount):
        raise InvalidInput(_("The amount must be a positive sum in yuan and fen."), code="invalid_amount")
    return amount


@transaction.atomic
def merchant_deposit_credit(
    *, merchant: Merchant, amount: Decimal, payment_reference: str, idempotency_key: str, actor: User | None
) -> LedgerTransaction:
    """MER-5, PAY-7: a confirmed deposit payment: customer_payments_clearing → merchant_deposit.

    The same key posts once. Reaching the required amount lifts a deposit restriction.
    """
    _check_amount(amount)
    if (existing := LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()) is not None:
        return existing
    merchant = merchant_lock(merchant_id=merchant.pk)
    txn = ledger_post(
        idempotency_key=idempotency_key,
        kind=TransactionKind.DEPOSIT_PAYMENT,
        postings=[
            (ledger_account_for(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING), -amount),
            (ledger_account_for(kind=AccountKind.MERCHANT_DEPOSIT, owner=merchant), amount),
        ],
        memo=f"deposit payment {payment_reference}",
        subject=merchant,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="merchant.deposit_credited",
        subject=merchant,
        after={"amount": amount, "payment_reference": payment_reference, "transaction": txn.pk},
    )
    if C.DEPOSIT in merchant.restriction_causes and merchant_deposit_balance(
        merchant=merchant
    ) >= merchant_required_deposit(merchant=merchant):
        merchant_unrestrict(merchant=merchant, cause=C.DEPOSIT, reason=_("Deposit topped up."), actor=actor)
    return txn


DEDUCTION_TARGETS = {
    "penalty": (AccountKind.PENALTY_INCOME, TransactionKind.PENALTY),
    "compensation": (AccountKind.COMPENSATION, TransactionKind.COMPENSATION),
}


@transaction.atomic
def merchant_deposit_deduct(
    *, merchant: Merchant, amount: Decimal, reason: str, kind: str, idempotency_key: str, actor: User | None
) -> LedgerTransaction:
    """MER-5: draw a penalty (→ penalty_income) or compensation (→ compensation) from the deposit.

    ``Conflict`` (insufficient_funds) if the deposit cannot cover it. Falling below the required amount
    restricts new listings and tells the merchant.
    """
    _check_amount(amount)
    if kind not in DEDUCTION_TARGETS:
        raise InvalidInput(_("A deduction is a penalty or compensation."), code="invalid_deduction_kind")
    if not reason.strip():
        raise InvalidInput(_("A deduction needs a reason."), code="reason_missing")
    if (existing := LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()) is not None:
        return existing
    merchant = merchant_lock(merchant_id=merchant.pk)
    target_kind, txn_kind = DEDUCTION_TARGETS[kind]
    txn = ledger_post(
        idempotency_key=idempotency_key,
        kind=txn_kind,
        postings=[
            (ledger_account_for(kind=AccountKind.MERCHANT_DEPOSIT, owner=merchant), -amount),
            (ledger_account_for(kind=target_kind), amount),
        ],
        memo=reason,
        subject=merchant,
        actor=actor,
    )
    merchant_deposit_drawn(merchant=merchant, amount=amount, kind=kind, reason=reason, actor=actor)
    return txn


def merchant_deposit_drawn(
    *, merchant: Merchant, amount: Decimal, kind: str, reason: str, actor: User | None
) -> None:
    """MER-5: ``amount`` has just left the (locked) merchant's deposit — a penalty, compensation, or a
    refund its payable could not cover (PAY-5): record it, tell the merchant, and restrict new listings
    if the deposit is now below the required amount."""
    audit_record(
        actor=actor,
        action="merchant.deposit_deducted",
        subject=merchant,
        after={"amount": amount, "kind": kind},
        reason=reason,
    )
    balance, required = (
        merchant_deposit_balance(merchant=merchant),
        merchant_required_deposit(merchant=merchant),
    )
    _notify_owner(
        merchant,
        event="merchant_deposit_deducted",
        title=_("Deposit deduction"),
        body=_("%(amount)s CNY was deducted from your deposit: %(reason)s")
        % {"amount": amount, "reason": reason},
    )
    if balance < required and merchant.status in (S.ACTIVE, S.RESTRICTED, S.SUSPENDED):
        merchant_restrict(
            merchant=merchant,
            cause=C.DEPOSIT,
            reason=_("Deposit %(balance)s CNY is below the required %(required)s CNY.")
            % {"balance": balance, "required": required},
            actor=actor,
        )


@transaction.atomic
def merchant_deposit_refund(
    *, merchant: Merchant, idempotency_key: str, actor: User | None
) -> LedgerTransaction:
    """MER-5, MER-8: return the remaining deposit once every other obligation is settled (before closure)."""
    if (existing := LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()) is not None:
        return existing
    merchant = merchant_lock(merchant_id=merchant.pk)
    pending = [p for check in closure_checks for p in check(merchant)]
    if pending:
        raise Conflict(
            _("The deposit is returned after everything is settled: %(pending)s")
            % {"pending": " ".join(pending)},
            code="closure_pending",
            errors={"pending": pending},
        )
    deposit = ledger_account_for(kind=AccountKind.MERCHANT_DEPOSIT, owner=merchant)
    deposit.refresh_from_db()
    if deposit.balance <= 0:
        raise Conflict(_("There is no deposit to return."), code="nothing_to_refund")
    amount = deposit.balance
    txn = ledger_post(
        idempotency_key=idempotency_key,
        kind=TransactionKind.DEPOSIT_REFUND,
        postings=[(deposit, -amount), (ledger_account_for(kind=AccountKind.PAYOUT_CLEARING), amount)],
        memo="deposit refund",
        subject=merchant,
        actor=actor,
    )
    audit_record(actor=actor, action="merchant.deposit_refunded", subject=merchant, after={"amount": amount})
    if merchant.status in (S.ACTIVE, S.RESTRICTED) and merchant_required_deposit(merchant=merchant) > 0:
        merchant_restrict(merchant=merchant, cause=C.DEPOSIT, reason=_("Deposit returned."), actor=actor)
    return txn
