"""PAY-3: WeChat Pay (微信支付) adapter, shaped like the v2 API (unifiedorder, XML notify, HMAC-SHA256).

The signature is ``HMAC-SHA256(api_key, "k1=v1&k2=v2…&key=<api_key>")`` upper-case hex over the non-empty
parameters except ``sign``, sorted by key — implemented here. Network calls raise ``NotImplementedError``.
Amounts are in fen (``total_fee``).
"""

import hashlib
import hmac
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from django.conf import settings

from orders.payments.base import CallbackRejected, PaymentProvider, RefundResult, VerifiedNotification

if TYPE_CHECKING:
    from orders.models import Payment, Refund


def api_key() -> str:
    return str(getattr(settings, "ORDERS_WECHAT_PAY_API_KEY", ""))


def sign(params: dict[str, Any], key: str) -> str:
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] not in (None, ""))
    return hmac.new(key.encode(), f"{text}&key={key}".encode(), hashlib.sha256).hexdigest().upper()


class WechatPayProvider(PaymentProvider):
    name = "wechat_pay"

    def unifiedorder_params(self, payment: "Payment") -> dict[str, Any]:
        return {
            "appid": "",
            "mch_id": "",
            "nonce_str": payment.out_trade_no,
            "body": f"Order {payment.order_id}",
            "out_trade_no": payment.out_trade_no,
            "total_fee": int(payment.amount * 100),
            "notify_url": "/api/v1/payments/callbacks/wechat_pay/",
            "trade_type": "NATIVE",
            "sign_type": "HMAC-SHA256",
        }

    def create_payment(self, payment: "Payment") -> dict[str, Any]:
        raise NotImplementedError("WeChat Pay's unifiedorder cannot be called from here; use the sandbox")

    def verify_callback(self, headers: dict[str, str], body: bytes) -> VerifiedNotification:
        key = api_key()
        if not key:
            raise CallbackRejected("no WeChat Pay API key configured")
        try:
            root = ElementTree.fromstring(body)  # noqa: S314 - signed provider XML, no entities expanded
        except ElementTree.ParseError as exc:
            raise CallbackRejected("malformed XML") from exc
        params = {child.tag: (child.text or "") for child in root}
        if not hmac.compare_digest(params.get("sign", ""), sign(params, key)):
            raise CallbackRejected("bad signature")
        return VerifiedNotification(
            out_trade_no=params["out_trade_no"],
            provider_trade_no=params["transaction_id"],
            amount=(Decimal(params["total_fee"]) / 100).quantize(Decimal("0.01")),
            succeeded=params.get("result_code") == "SUCCESS",
            raw=params,
        )

    def refund(self, refund: "Refund") -> RefundResult:
        raise NotImplementedError("WeChat Pay's refund API cannot be called from here")

    def callback_ack(self) -> str:
        return "<xml><return_code><![CDATA[SUCCESS]]></return_code></xml>"
