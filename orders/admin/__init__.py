"""Operations staff's order screens, one module per sub-domain: ``order`` (orders, tracking, follow-ups,
delivery cases), ``money`` (payments, callbacks, payouts, reconciliation), ``payout_accounts`` (masked, read-only),
``reviews`` (moderation).
Importing the sub-modules here lets admin autodiscovery find them."""

from orders.admin import money, order, payout_accounts, reviews  # noqa: F401
