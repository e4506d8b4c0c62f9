"""PAY-3: the gateway interface every payment provider implements.

A provider turns a ``Payment`` into what the customer's app needs to pay (a URL or QR code), verifies
the provider's asynchronous notification (the callback) and asks for refunds. Providers never touch the
ledger or the order: ``orders.services`` does that once a notification is verified.
"""

import abc
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orders.models import Payment, Refund


class CallbackRejected(Exception):
    """The callback is not authentic or not well-formed (bad signature, missing fields)."""


@dataclass(frozen=True)
class VerifiedNotification:
    """A provider notification whose signature checked out."""

    out_trade_no: str
    provider_trade_no: str
    amount: Decimal
    succeeded: bool
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    refund_no: str
    succeeded: bool
    provider_reference: str = ""


class PaymentProvider(abc.ABC):
    name: str = ""

    @abc.abstractmethod
    def create_payment(self, payment: "Payment") -> dict[str, Any]:
        """What the client needs to pay: ``pay_url`` and/or ``qr_code`` plus provider fields."""

    @abc.abstractmethod
    def verify_callback(self, headers: dict[str, str], body: bytes) -> VerifiedNotification:
        """Check the signature and parse; raise ``CallbackRejected`` if it is not authentic."""

    @abc.abstractmethod
    def refund(self, refund: "Refund") -> RefundResult:
        """Ask the provider to return ``refund.amount`` of ``refund.payment`` to the customer."""

    def callback_ack(self) -> str:
        """The body the provider expects in answer to a callback it should stop retrying."""
        return "success"
