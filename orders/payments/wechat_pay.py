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

Outbound calls (Native order, refunds) need WeChat Pay's servers, unreachable here:
``NotImplementedError``.
"""

import base64
import binascii
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from orders.payments.base import (
    CallbackRejected,
    PaymentProvider,
    RefundResult,
    VerifiedNotification,
    rsa_sha256_verify,
)

if TYPE_CHECKING:
    from orders.models import Payment, Refund

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"


def signed_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    """The bytes WeChat Pay signs for a notification (and we sign for a request)."""
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def resource_decrypt(resource: dict[str, Any], apiv3_key: str) -> dict[str, Any]:
    """AEAD_AES_256_GCM decryption of a notification's ``resource`` (ciphertext carries the 16-byte tag)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise CallbackRejected("unsupported resource algorithm")
    key = apiv3_key.encode()
    if len(key) != 32:
        raise CallbackRejected("the APIv3 key must be 32 bytes")
    try:
        plaintext = AESGCM(key).decrypt(
            str(resource["nonce"]).encode(),
            base64.b64decode(str(resource["ciphertext"]), validate=True),
            str(resource.get("associated_data") or "").encode() or None,
        )
        data = json.loads(plaintext)
    except (InvalidTag, KeyError, ValueError, binascii.Error) as exc:
        raise CallbackRejected("resource could not be decrypted") from exc
    if not isinstance(data, dict):
        raise CallbackRejected("resource is not an object")
    return data


def _payer_openid(transaction: dict[str, Any]) -> str:
    """The payer's ``openid`` (per app id) from the transaction's ``payer`` object, ``""`` if absent."""
    payer = transaction.get("payer")
    return str(payer.get("openid") or "") if isinstance(payer, dict) else ""


class WechatPayProvider(PaymentProvider):
    name = "wechat_pay"

    def native_order_params(self, payment: "Payment") -> dict[str, Any]:
        """The body of ``POST /v3/pay/transactions/native`` (amounts in fen)."""
        return {
            "appid": "",
            "mchid": settings.ORDERS_WECHAT_PAY_MCH_ID,
            "description": f"Payment {payment.out_trade_no}",
            "out_trade_no": payment.out_trade_no,
            "notify_url": "/api/v1/payments/callbacks/wechat_pay/",
            "amount": {"total": int(payment.amount * 100), "currency": "CNY"},
        }

    def create_payment(self, payment: "Payment") -> dict[str, Any]:
        raise NotImplementedError("WeChat Pay's Native order API cannot be called from here; use the sandbox")

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
        if (
            settings.ORDERS_WECHAT_PAY_PLATFORM_SERIAL
            and given.get("wechatpay-serial") != settings.ORDERS_WECHAT_PAY_PLATFORM_SERIAL
        ):
            raise CallbackRejected("signed with an unknown platform certificate")
        if not rsa_sha256_verify(
            settings.ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY, signed_message(timestamp, nonce, body), signature
        ):
            raise CallbackRejected("bad signature")
        try:
            age = abs(timezone.now().timestamp() - int(timestamp))
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

    def refund(self, refund: "Refund") -> RefundResult:
        raise NotImplementedError("WeChat Pay's refund API cannot be called from here")

    def callback_ack(self) -> str:
        return json.dumps({"code": "SUCCESS", "message": "成功"}, ensure_ascii=False)
