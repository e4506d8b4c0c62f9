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


def rsa_sha256_sign(private_key_pem: str, message: bytes) -> str:
    """SHA256withRSA of ``message`` with our private key (PEM, PKCS#1 or PKCS#8), base64 — how Alipay's RSA2
    and WeChat Pay v3 want our requests signed. ``ValueError`` if the key is not an RSA private key."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


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
    """What the provider says of a refund: ``succeeded`` (the money is on its way back), ``pending``
    (accepted, still processing: query again later), ``not_found`` (a query: the provider never received
    it, so it may be sent), otherwise failed for good (``error`` says why; finance takes over)."""

    refund_no: str
    succeeded: bool
    provider_reference: str = ""
    pending: bool = False
    not_found: bool = False
    error: str = ""


@dataclass(frozen=True)
class PaymentState:
    """A payment as the provider's query answers: ``paid`` / ``closed`` / ``open`` (waiting), ``unknown``
    (no such trade there)."""

    out_trade_no: str
    state: str
    provider_trade_no: str = ""
    amount: Decimal | None = None


class PaymentProvider(abc.ABC):
    name: str = ""
    #: a gateway reached over the network: called after the database transaction commits, with retries
    #: (``orders.services.refund_dispatch``); ``False`` for an in-process provider (the sandbox)
    remote: bool = True

    @abc.abstractmethod
    def create_payment(self, payment: "Payment") -> dict[str, Any]:
        """What the client needs to pay: ``pay_url`` and/or ``qr_code`` plus provider fields."""

    @abc.abstractmethod
    def verify_callback(self, headers: dict[str, str], body: bytes) -> VerifiedNotification:
        """Check the signature and parse; raise ``CallbackRejected`` if it is not authentic."""

    @abc.abstractmethod
    def refund(self, refund: "Refund") -> RefundResult:
        """Ask the provider to return ``refund.amount`` of ``refund.payment`` to the customer."""

    def refund_query(self, refund: "Refund") -> RefundResult:
        """PAY-5: ask the provider what became of ``refund`` (sent before, answer lost); idempotent."""
        raise NotImplementedError(f"{self.name} cannot query refunds")

    def payment_query(self, payment: "Payment") -> PaymentState:
        """PAY-3: the payment's state at the provider (a missed notification is found so)."""
        raise NotImplementedError(f"{self.name} cannot query payments")

    def payment_close(self, payment: "Payment") -> None:
        """PAY-3: close an unpaid payment at the provider (the order was cancelled or timed out)."""
        raise NotImplementedError(f"{self.name} cannot close payments")

    def callback_ack(self) -> str:
        """The body the provider expects in answer to a callback it should stop retrying."""
        return "success"
