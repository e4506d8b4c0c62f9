"""Operations staff's order screens, one module per sub-domain: ``order`` (orders, tracking, follow-ups,
delivery cases), ``money`` (payments, callbacks, payouts, reconciliation), ``reviews`` (moderation).
Importing the sub-modules here lets admin autodiscovery find them."""

from orders.admin import money, order, reviews  # noqa: F401
