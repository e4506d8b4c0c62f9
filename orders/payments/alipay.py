"""PAY-3: Alipay (支付宝) adapter, shaped like the open API (alipay.trade.page.pay, async notify).

Signing is RSA2 (RSA PKCS#1 v1.5 over SHA-256) of the *sign string*: every parameter except ``sign`` and
``sign_type``, non-empty, sorted by key, joined as ``k=v`` with ``&``, base64 signature. The sign string
and the field names are implemented; the RSA operation needs the merchant's key pair and the network
calls need Alipay's gateway, neither available here, so they raise ``NotImplementedError``.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from orders.payments.base import CallbackRejected, PaymentProvider, RefundResult, VerifiedNotification

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


def rsa2_verify(message: str, signature: str) -> bool:  # pragma: no cover - needs Alipay's public key
    raise NotImplementedError("RSA2 verification needs Alipay's public key and an RSA library")


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
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        if "sign" not in params:
            raise CallbackRejected("missing sign")
        if not rsa2_verify(sign_string(params), params["sign"]):
            raise CallbackRejected("bad signature")
        return VerifiedNotification(
            out_trade_no=params["out_trade_no"],
            provider_trade_no=params["trade_no"],
            amount=Decimal(params["total_amount"]),
            succeeded=params.get("trade_status") in ("TRADE_SUCCESS", "TRADE_FINISHED"),
            raw=params,
        )

    def refund(self, refund: "Refund") -> RefundResult:
        raise NotImplementedError("alipay.trade.refund cannot be called from here")
