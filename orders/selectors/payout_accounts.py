"""PAY-4 (decision 037): a merchant's payout account as it may be shown (masked) and as payouts use it."""

from typing import Any

from merchants.models import Merchant
from orders.models import PayoutAccount
from platform_core import clock


def payout_account_current(*, merchant: Merchant) -> PayoutAccount | None:
    """The account the owner set last (it may still be cooling off)."""
    return PayoutAccount.objects.filter(merchant=merchant, replaced_at__isnull=True).first()


def payout_account_active(*, merchant: Merchant) -> PayoutAccount | None:
    """The account payouts go to now: the current one once its cooling-off period is over (``None``
    while a new account cools off: the money waits in the payable)."""
    account = payout_account_current(merchant=merchant)
    return account if account is not None and account.active_from <= clock.now() else None


def payout_account_display(account: PayoutAccount | None) -> dict[str, Any] | None:
    """What the seller centre and the API show: never the number, only its last four characters."""
    if account is None:
        return None
    return {
        "kind": account.kind,
        "kind_display": account.get_kind_display(),
        "holder_name": account.holder_name,
        "bank_name": account.bank_name,
        "number_masked": account.masked,
        "active_from": account.active_from,
        "active": account.active_from <= clock.now(),
        "created_at": account.created_at,
    }
