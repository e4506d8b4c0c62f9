"""PAY-3: Alipay (支付宝) adapter, shaped like the open API (alipay.trade.page.pay, async notify).

Notifications are verified as Alipay documents it: RSA2 (SHA256withRSA, PKCS#1 v1.5) with Alipay's
public key (``ORDERS_ALIPAY_PUBLIC_KEY``) over the *sign string* — every parameter except ``sign`` and
``sign_type``, non-empty, sorted by key, joined as ``k=v`` with ``&`` — the signature base64 in ``sign``.
A notification for another ``app_id`` (when ours is configured) is refused. Outbound calls (page pay,
refund) need Alipay's gateway, unreachable here, so they raise ``NotImplementedError``.

The payer's account is ``buyer_id`` (``2088…``; ``buyer_open_id`` for apps in Alipay's OpenID mode).
``buyer_logon_id`` is not used: Alipay masks it (``159****5620``), so two payers can look the same.
"""

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from django.conf import settings

from orders.payments.base import (
    CallbackRejected,
    PaymentProvider,
    RefundResult,
    VerifiedNotification,
    rsa_sha256_verify,
)

if TYPE_CHECKING:
    from orders.models import Payment, Refund

GATEWAY = "https://openapi.alipay.com/gateway.do"


def sign_string(params: dict[str, Any]) -> str:
    """The canonical string Alipay signs: sorted ``k=v`` pairs without ``sign``/``sign_type`` and empties."""
    return "&".join(
        f"{key}={params[key]}"
        for key in sorted(params)
        if key not in ("sign", "sign_type") and params[key] not in (None, "")
    )


def rsa2_verify(message: str, signature: str) -> bool:
    """RSA2: SHA256withRSA of the UTF-8 sign string with Alipay's public key."""
    public_key = settings.ORDERS_ALIPAY_PUBLIC_KEY
    if not public_key:
        raise CallbackRejected("no Alipay public key configured")
    return rsa_sha256_verify(public_key, message.encode("utf-8"), signature)


class AlipayProvider(PaymentProvider):
    name = "alipay"

    def page_pay_params(self, payment: "Payment") -> dict[str, Any]:
        """The request parameters of ``alipay.trade.page.pay`` (before signing)."""
        return {
            "app_id": "",
            "method": "alipay.trade.page.pay",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": payment.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
            "notify_url": "/api/v1/payments/callbacks/alipay/",
            "biz_content": {
                "out_trade_no": payment.out_trade_no,
                "total_amount": str(payment.amount),
                "subject": f"Order {payment.order_id}",
                "product_code": "FAST_INSTANT_TRADE_PAY",
            },
        }

    def create_payment(self, payment: "Payment") -> dict[str, Any]:
        raise NotImplementedError("Alipay's gateway cannot be called from here; use the sandbox provider")

    def verify_callback(self, headers: dict[str, str], body: bytes) -> VerifiedNotification:
        try:
            params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CallbackRejected("malformed notification") from exc
        if not params.get("sign"):
            raise CallbackRejected("missing sign")
        if params.get("sign_type", "RSA2") != "RSA2":
            raise CallbackRejected("unsupported sign_type")
        if not rsa2_verify(sign_string(params), params["sign"]):
            raise CallbackRejected("bad signature")
        app_id = settings.ORDERS_ALIPAY_APP_ID
        if app_id and params.get("app_id") != app_id:
            raise CallbackRejected("notification for another app_id")
        try:
            return VerifiedNotification(
                out_trade_no=params["out_trade_no"],
                provider_trade_no=params["trade_no"],
                amount=Decimal(params["total_amount"]),
                succeeded=params.get("trade_status") in ("TRADE_SUCCESS", "TRADE_FINISHED"),
                raw=params,
                payer_account=params.get("buyer_id") or params.get("buyer_open_id") or "",
            )
        except (KeyError, InvalidOperation) as exc:
            raise CallbackRejected(f"malformed notification: {exc!r}") from exc

    def refund(self, refund: "Refund") -> RefundResult:
        raise NotImplementedError("alipay.trade.refund cannot be called from here")
