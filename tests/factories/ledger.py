"""Ledger test helpers. Accounts are made through the service (as the app does); owners are users."""

from decimal import Decimal
from itertools import count

from platform_core.accounts.models import User
from platform_core.ledger.models import AccountKind, LedgerAccount, LedgerTransaction, TransactionKind
from platform_core.ledger.services import ledger_account_for, ledger_post
from tests.factories.accounts import UserFactory

_keys = count(1)


def unique_key(prefix: str = "test") -> str:
    return f"{prefix}:{next(_keys)}"


def owner() -> User:
    """A stand-in for an order or a merchant: the generic owner accepts any saved model."""
    return UserFactory(password=None)  # an unusable password: no slow hashing for a stand-in


def escrow_account(order: User | None = None) -> LedgerAccount:
    return ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=order or owner())


def payable_account(merchant: User | None = None) -> LedgerAccount:
    return ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=merchant or owner())


def platform_account(kind: str) -> LedgerAccount:
    return ledger_account_for(kind=kind)


def fund_escrow(escrow: LedgerAccount, amount: Decimal | str, *, key: str | None = None) -> LedgerTransaction:
    """A customer's payment into ``escrow`` from the payments clearing account."""
    amount = Decimal(amount)
    clearing = platform_account(AccountKind.CUSTOMER_PAYMENTS_CLEARING)
    return ledger_post(
        idempotency_key=key or unique_key("payment"),
        kind=TransactionKind.PAYMENT,
        postings=[(clearing, -amount), (escrow, amount)],
    )
