"""PAY-3: the gateway interface every payment provider implements.

A provider turns a ``Payment`` into what the customer's app needs to pay (a URL or QR code), verifies
the provider's asynchronous notification (the callback) and asks for refunds. Providers never touch the
ledger or the order: ``orders.services`` does that once a notification is verified.
"""

import abc
import base64
import binascii
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orders.models import Payment, Refund


class CallbackRejected(Exception):
    """The callback is not authentic or not well-formed (bad signature, missing fields)."""


def rsa_sha256_verify(public_key_pem: str, message: bytes, signature_b64: str) -> bool:
    """SHA256withRSA (RSASSA-PKCS1-v1_5 over SHA-256) — Alipay's RSA2 and WeChat Pay v3 both sign so.

    ``False`` for a wrong signature, undecodable base64 or a key that is not an RSA public key.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
        signature = base64.b64decode(signature_b64, validate=True)
    except (ValueError, binascii.Error, TypeError):
        return False
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class VerifiedNotification:
    """A provider notification whose signature checked out.

    ``payer_account`` is the payer's account at the provider as the provider gives it (Alipay
    ``buyer_id``, WeChat Pay ``payer.openid``, the sandbox's ``payer_account``): an opaque id, empty when
    the notification carries none. REP-2 and DSP-6 compare it; displays mask it.
    """

    out_trade_no: str
    provider_trade_no: str
    amount: Decimal
    succeeded: bool
    raw: dict[str, Any] = field(default_factory=dict)
    payer_account: str = ""


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
