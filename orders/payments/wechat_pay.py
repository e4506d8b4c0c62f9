"""PAY-3: WeChat Pay (微信支付) adapter, shaped like API v3 (Native pay, JSON notifications).

A payment notification is verified as WeChat Pay documents it:

- the headers ``Wechatpay-Timestamp``, ``Wechatpay-Nonce``, ``Wechatpay-Signature`` (base64) and
  ``Wechatpay-Serial`` (which platform key signed); the signed message is
  ``"<timestamp>\\n<nonce>\\n<body>\\n"``, SHA256withRSA with the platform public key
  (``ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY``; a configured serial must match); a timestamp more than
  5 minutes off is refused (replay);
- the body's ``resource`` is decrypted with AEAD_AES_256_GCM, key = our APIv3 key
  (``ORDERS_WECHAT_PAY_APIV3_KEY``, 32 bytes), nonce and associated data from the resource; the
  plaintext is the transaction (``out_trade_no``, ``transaction_id``, ``trade_state``,
  ``amount.total`` in fen, ``payer.openid`` — the payer's account, kept as ``Payment.payer_account``).

Calls (``wechat_pay_client``, decision 029): Native order (``POST /v3/pay/transactions/native``: the
``code_url`` to show as a QR code), query and close by ``out_trade_no``, refund
(``POST /v3/refund/domestic/refunds``, idempotent on ``out_refund_no`` = our ``refund_no``) and refund
query (``GET /v3/refund/domestic/refunds/{out_refund_no}``). Amounts are in fen.
"""

import base64
import binascii
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings

from orders.payments.base import (
    CallbackRejected,
    PaymentProvider,
    PaymentState,
    RefundResult,
    VerifiedNotification,
    rsa_sha256_verify,
)
from orders.payments.http import ProviderRejected, ProviderUnreachable
from orders.payments.wechat_pay_client import WechatPayClient, platform_public_key, signed_message
from platform_core import clock

if TYPE_CHECKING:
    from orders.models import Payment, Refund

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
TRADE_STATES = {
    "SUCCESS": "paid",
    "REFUND": "paid",
    "NOTPAY": "open",
    "USERPAYING": "open",
    "CLOSED": "closed",
}


def resource_decrypt_bytes(resource: dict[str, Any], apiv3_key: str) -> bytes:
    """AEAD_AES_256_GCM decryption of an encrypted ``resource`` (ciphertext carries the 16-byte tag):
    notifications' transactions, downloaded platform certificates."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise CallbackRejected("unsupported resource algorithm")
    key = apiv3_key.encode()
    if len(key) != 32:
        raise CallbackRejected("the APIv3 key must be 32 bytes")
    try:
        return AESGCM(key).decrypt(
            str(resource["nonce"]).encode(),
            base64.b64decode(str(resource["ciphertext"]), validate=True),
            str(resource.get("associated_data") or "").encode() or None,
        )
    except (InvalidTag, KeyError, ValueError, binascii.Error) as exc:
        raise CallbackRejected("resource could not be decrypted") from exc


def resource_decrypt(resource: dict[str, Any], apiv3_key: str) -> dict[str, Any]:
    """A notification's decrypted ``resource`` as an object."""
    plaintext = resource_decrypt_bytes(resource, apiv3_key)
    try:
        data = json.loads(plaintext)
    except ValueError as exc:
        raise CallbackRejected("resource could not be decrypted") from exc
    if not isinstance(data, dict):
        raise CallbackRejected("resource is not an object")
    return data


def fen(amount: Decimal) -> int:
    """An amount in yuan as WeChat Pay's integer fen."""
    return int((amount * 100).to_integral_value())


def _payer_openid(transaction: dict[str, Any]) -> str:
    """The payer's ``openid`` (per app id) from the transaction's ``payer`` object, ``""`` if absent."""
    payer = transaction.get("payer")
    return str(payer.get("openid") or "") if isinstance(payer, dict) else ""


class WechatPayProvider(PaymentProvider):
    name = "wechat_pay"

    def __init__(self) -> None:
        self.client = WechatPayClient()

    def native_order_params(self, payment: "Payment") -> dict[str, Any]:
        """The body of ``POST /v3/pay/transactions/native`` (amounts in fen)."""
        return {
            "appid": settings.ORDERS_WECHAT_PAY_APPID,
            "mchid": settings.ORDERS_WECHAT_PAY_MCH_ID,
            "description": f"Payment {payment.out_trade_no}",
            "out_trade_no": payment.out_trade_no,
            "notify_url": settings.ORDERS_WECHAT_PAY_NOTIFY_URL,
            "amount": {"total": fen(payment.amount), "currency": "CNY"},
        }

    def create_payment(self, payment: "Payment") -> dict[str, Any]:
        try:
            answer = self.client.call(
                "POST", "/v3/pay/transactions/native", self.native_order_params(payment)
            )
        except (ProviderRejected, ProviderUnreachable) as exc:
            raise NotImplementedError(f"WeChat Pay could not open the payment: {exc}") from exc
        return {
            "provider": self.name,
            "out_trade_no": payment.out_trade_no,
            "amount": str(payment.amount),
            "qr_code": str(answer.get("code_url", "")),
        }

    def payment_query(self, payment: "Payment") -> PaymentState:
        path = f"/v3/pay/transactions/out-trade-no/{payment.out_trade_no}?mchid={settings.ORDERS_WECHAT_PAY_MCH_ID}"
        try:
            answer = self.client.call("GET", path)
        except ProviderRejected as exc:
            if exc.code == "ORDER_NOT_EXIST":
                return PaymentState(out_trade_no=payment.out_trade_no, state="unknown")
            raise
        total = (answer.get("amount") or {}).get("total")
        return PaymentState(
            out_trade_no=payment.out_trade_no,
            state=TRADE_STATES.get(str(answer.get("trade_state")), "open"),
            provider_trade_no=str(answer.get("transaction_id") or ""),
            amount=(Decimal(int(total)) / 100).quantize(Decimal("0.01")) if total is not None else None,
        )

    def payment_close(self, payment: "Payment") -> None:
        self.client.call(
            "POST",
            f"/v3/pay/transactions/out-trade-no/{payment.out_trade_no}/close",
            {"mchid": settings.ORDERS_WECHAT_PAY_MCH_ID},
        )

    def _refund_result(self, refund: "Refund", answer: dict[str, Any]) -> RefundResult:
        status = str(answer.get("status", ""))
        return RefundResult(
            refund_no=refund.refund_no,
            succeeded=status == "SUCCESS",
            pending=status == "PROCESSING",
            provider_reference=str(answer.get("refund_id", "")),
            error="" if status in ("SUCCESS", "PROCESSING") else f"refund {status}",
        )

    def refund(self, refund: "Refund") -> RefundResult:
        """``POST /v3/refund/domestic/refunds``: usually ``PROCESSING``; the query says when it succeeded."""
        assert refund.payment is not None
        try:
            answer = self.client.call(
                "POST",
                "/v3/refund/domestic/refunds",
                {
                    "out_trade_no": refund.payment.out_trade_no,
                    "out_refund_no": refund.refund_no,
                    "reason": refund.reason[:80],
                    "amount": {
                        "refund": fen(refund.amount),
                        "total": fen(refund.payment.amount),
                        "currency": "CNY",
                    },
                },
            )
        except ProviderRejected as exc:
            return RefundResult(refund_no=refund.refund_no, succeeded=False, error=str(exc))
        return self._refund_result(refund, answer)

    def refund_query(self, refund: "Refund") -> RefundResult:
        try:
            answer = self.client.call("GET", f"/v3/refund/domestic/refunds/{refund.refund_no}")
        except ProviderRejected as exc:
            if exc.code == "RESOURCE_NOT_EXISTS":
                return RefundResult(refund_no=refund.refund_no, succeeded=False, not_found=True)
            raise
        return self._refund_result(refund, answer)

    def verify_callback(self, headers: dict[str, str], body: bytes) -> VerifiedNotification:
        if not settings.ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY or not settings.ORDERS_WECHAT_PAY_APIV3_KEY:
            raise CallbackRejected("WeChat Pay keys are not configured")
        given = {k.lower(): v for k, v in headers.items()}
        timestamp = given.get("wechatpay-timestamp", "")
        nonce = given.get("wechatpay-nonce", "")
        signature = given.get("wechatpay-signature", "")
        if not (timestamp and nonce and signature):
            raise CallbackRejected("missing Wechatpay-* signature headers")
        if given.get("wechatpay-signature-type", SIGNATURE_TYPE) != SIGNATURE_TYPE:
            raise CallbackRejected("unsupported signature type")
        key = platform_public_key(given.get("wechatpay-serial", ""))
        if not key:
            raise CallbackRejected("signed with an unknown platform certificate")
        if not rsa_sha256_verify(key, signed_message(timestamp, nonce, body), signature):
            raise CallbackRejected("bad signature")
        try:
            age = abs(clock.real_now().timestamp() - int(timestamp))
        except ValueError as exc:
            raise CallbackRejected("bad timestamp") from exc
        if age > settings.ORDERS_WECHAT_PAY_NOTIFICATION_MAX_AGE.total_seconds():
            raise CallbackRejected("stale notification")
        try:
            envelope = json.loads(body)
            transaction = resource_decrypt(envelope["resource"], settings.ORDERS_WECHAT_PAY_APIV3_KEY)
            if (
                settings.ORDERS_WECHAT_PAY_MCH_ID
                and transaction.get("mchid") != settings.ORDERS_WECHAT_PAY_MCH_ID
            ):
                raise CallbackRejected("notification for another merchant id")
            return VerifiedNotification(
                out_trade_no=str(transaction["out_trade_no"]),
                provider_trade_no=str(transaction["transaction_id"]),
                amount=(Decimal(int(transaction["amount"]["total"])) / 100).quantize(Decimal("0.01")),
                succeeded=transaction.get("trade_state") == "SUCCESS",
                raw={"id": envelope.get("id"), "event_type": envelope.get("event_type"), **transaction},
                payer_account=_payer_openid(transaction),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CallbackRejected(f"malformed notification: {exc!r}") from exc

    def callback_ack(self) -> str:
        return json.dumps({"code": "SUCCESS", "message": "成功"}, ensure_ascii=False)
