"""Orders: the cart, the order and its lifecycle (ORD-1 … ORD-8), payments, refunds, logistics,
settlement statements and payouts (PAY-1 … PAY-8).

Models hold fields, constraints and transitions only; every write goes through ``orders.services``.
Money is never a field that is trusted: what an order's customer paid, what was refunded and what was
released are derived from the ledger (``orders.selectors``); ``Order.total`` is the price agreed at
checkout, the amount a payment must match.

One module per part of the domain; this package imports every model (in the order they were always
registered), so ``orders.models.Order`` and ``from orders.models import Order`` keep working.
"""

# In the order the models were always registered in (the app registry keeps it), not sorted:
# isort: off
from orders.models.cart import Cart, CartItem
from orders.models.order import Order, OrderEvent, OrderLine
from orders.models.payments import Payment, PaymentCallbackLog, ProviderCertificate, Refund
from orders.models.fulfilment import FollowUp, TrackingEvent
from orders.models.settlement import (
    Payout,
    PayoutStatement,
    ProviderSettlementRecord,
    ProviderStatement,
    ReconciliationDifference,
)
from orders.models.reviews import Review, ReviewFlag, ReviewLike, ReviewPhoto
from orders.models.delivery import DeliveryCase, DeliveryCaseEvent
from orders.models.payout_accounts import PayoutAccount
# isort: on

__all__ = [
    "Cart",
    "CartItem",
    "DeliveryCase",
    "DeliveryCaseEvent",
    "FollowUp",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payment",
    "PaymentCallbackLog",
    "Payout",
    "PayoutAccount",
    "PayoutStatement",
    "ProviderCertificate",
    "ProviderSettlementRecord",
    "ProviderStatement",
    "ReconciliationDifference",
    "Refund",
    "Review",
    "ReviewFlag",
    "ReviewLike",
    "ReviewPhoto",
    "TrackingEvent",
]
