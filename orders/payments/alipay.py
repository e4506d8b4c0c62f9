"""PAY-3: Alipay (支付宝) adapter, shaped like the open API (alipay.trade.page.pay, async notify).

Notifications are verified as Alipay documents it: RSA2 (SHA256withRSA, PKCS#1 v1.5) with Alipay's
public key (``ORDERS_ALIPAY_PUBLIC_KEY``, or in certificate mode the key of Alipay's public-key certificate,
``orders.payments.alipay_certs``) over the *sign string* — every parameter except ``sign`` and
``sign_type``, non-empty, sorted by key, joined as ``k=v`` with ``&`` — the signature base64 in ``sign``.
A notification for another ``app_id`` (when ours is configured) is refused.

Calls (decision 029) go to ``ORDERS_ALIPAY_GATEWAY`` as Alipay's open API has them: the common parameters
and ``biz_content`` (JSON) form-encoded, signed RSA2 with our application private key
(``ORDERS_ALIPAY_APP_PRIVATE_KEY``) over every parameter but ``sign``, sorted ``k=v`` joined by ``&``. The
answer ``{"<method>_response": {...}, "sign": "..."}`` is verified with Alipay's public key over the raw
text of the response node; an answer that does not verify counts as no answer. ``code`` ``10000`` is
success, ``40004`` a business refusal (``sub_code``), ``20000`` (service unavailable) no answer.
Page pay (``alipay.trade.page.pay``) is a signed URL the customer's browser opens; QR pay is
``alipay.trade.precreate``; query ``alipay.trade.query``; close ``alipay.trade.close``; refund
``alipay.trade.refund`` (idempotent on ``out_request_no`` = our ``refund_no``) and refund query
``alipay.trade.fastpay.refund.query``. Further calls (``alipay.fund.trans.uni.transfer``, the bill
download) are ``AlipayClient.call(method, biz_content)``.

The payer's account is ``buyer_id`` (``2088…``; ``buyer_open_id`` for apps in Alipay's OpenID mode).
``buyer_logon_id`` is not used: Alipay masks it (``159****5620``), so two payers can look the same.
"""

import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from django.conf import settings

from orders.payments.alipay_certs import CertificateMode, alipay_public_key, certificate_mode
from orders.payments.base import (
    CallbackRejected,
    PaymentProvider,
    PaymentState,
    RefundResult,
    VerifiedNotification,
    rsa_sha256_sign,
    rsa_sha256_verify,
)
from orders.payments.http import ProviderRejected, ProviderUnreachable, http_call
from platform_core import clock

if TYPE_CHECKING:
    from orders.models import Payment, Refund

BEIJING = ZoneInfo("Asia/Shanghai")
#: sub_codes after which the same request may simply be tried again later (nothing happened)
RETRYABLE = frozenset({"ACQ.SYSTEM_ERROR", "ACQ.SELLER_BALANCE_NOT_ENOUGH", "aop.ACQ.SYSTEM_ERROR"})
TRADE_STATES = {
    "WAIT_BUYER_PAY": "open",
    "TRADE_SUCCESS": "paid",
    "TRADE_FINISHED": "paid",
    "TRADE_CLOSED": "closed",
}


def sign_string(params: dict[str, Any]) -> str:
    """The canonical string Alipay signs: sorted ``k=v`` pairs without ``sign``/``sign_type`` and empties."""
    return "&".join(
        f"{key}={params[key]}"
        for key in sorted(params)
        if key not in ("sign", "sign_type") and params[key] not in (None, "")
    )


def rsa2_verify(message: str, signature: str) -> bool:
    """RSA2: SHA256withRSA of the UTF-8 sign string with Alipay's public key (in certificate mode: the key
    of Alipay's public-key certificate)."""
    try:
        public_key = alipay_public_key()
    except (ValueError, OSError) as exc:
        raise CallbackRejected("Alipay's certificate cannot be read") from exc
    if not public_key:
        raise CallbackRejected("no Alipay public key configured")
    return rsa_sha256_verify(public_key, message.encode("utf-8"), signature)


def _certificate_mode() -> CertificateMode | None:
    try:
        return certificate_mode()
    except (ValueError, OSError) as exc:
        raise ProviderUnreachable("the Alipay certificates (ORDERS_ALIPAY_*_CERT) cannot be read") from exc


def request_sign_string(params: dict[str, Any]) -> str:
    """What we sign in a request: like ``sign_string`` but ``sign_type`` is signed too (Alipay's rule)."""
    return "&".join(f"{key}={params[key]}" for key in sorted(params) if key != "sign" and params[key] != "")


def response_node(text: str, method: str) -> tuple[dict[str, Any], str, str, str]:
    """The ``<method>_response`` node of an answer (or ``error_response``), its raw text (what Alipay
    signed), the ``sign`` and (certificate mode) the ``alipay_cert_sn`` it was signed under;
    ``ProviderUnreachable`` if the answer is not shaped so."""
    try:
        data = json.loads(text)
        for key in (method.replace(".", "_") + "_response", "error_response"):
            if key in data:
                at = text.index(f'"{key}"') + len(key) + 2
                at = text.index(":", at) + 1
                while text[at] in " \t\r\n":
                    at += 1
                node, end = json.JSONDecoder().raw_decode(text, at)
                return node, text[at:end], str(data.get("sign") or ""), str(data.get("alipay_cert_sn") or "")
    except (ValueError, IndexError) as exc:
        raise ProviderUnreachable(f"{method}: unreadable answer") from exc
    raise ProviderUnreachable(f"{method}: no response node")


class AlipayClient:
    """The signed calls to Alipay's open API gateway (``ORDERS_ALIPAY_GATEWAY``)."""

    def params(self, method: str, biz_content: dict[str, Any], *, notify: bool = False) -> dict[str, str]:
        params = {
            "app_id": settings.ORDERS_ALIPAY_APP_ID,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": clock.real_now()
            .astimezone(BEIJING)
            .strftime("%Y-%m-%d %H:%M:%S"),  # the gateway's own clock
            "version": "1.0",
            "biz_content": json.dumps(biz_content, ensure_ascii=False, separators=(",", ":")),
        }
        if notify and settings.ORDERS_ALIPAY_NOTIFY_URL:
            params["notify_url"] = settings.ORDERS_ALIPAY_NOTIFY_URL
        if (mode := _certificate_mode()) is not None:  # certificate mode: which certificates we hold, signed
            params["app_cert_sn"] = mode.app_cert_sn
            params["alipay_root_cert_sn"] = mode.alipay_root_cert_sn
        try:
            params["sign"] = rsa_sha256_sign(
                settings.ORDERS_ALIPAY_APP_PRIVATE_KEY, request_sign_string(params).encode("utf-8")
            )
        except ValueError as exc:
            raise ProviderUnreachable("ORDERS_ALIPAY_APP_PRIVATE_KEY is not a usable RSA key") from exc
        return params

    def url(self, method: str, biz_content: dict[str, Any], *, notify: bool = False) -> str:
        """A signed GET URL (page pay: the customer's browser goes there)."""
        return (
            f"{settings.ORDERS_ALIPAY_GATEWAY}?{urlencode(self.params(method, biz_content, notify=notify))}"
        )

    def call(self, method: str, biz_content: dict[str, Any], *, notify: bool = False) -> dict[str, Any]:
        """POST the signed request; the verified response node on ``code=10000``. ``ProviderRejected``
        (``sub_code``) for a business refusal, ``ProviderUnreachable`` for no or an unverifiable answer."""
        body = urlencode(self.params(method, biz_content, notify=notify)).encode("utf-8")
        answer = http_call(
            "POST",
            f"{settings.ORDERS_ALIPAY_GATEWAY}?charset=utf-8",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
        )
        node, raw, signature, alipay_cert_sn = response_node(answer.body.decode("utf-8", "replace"), method)
        mode = _certificate_mode()
        if mode is not None and alipay_cert_sn != mode.alipay_cert_sn:
            # Alipay signed under another certificate (it rotated): unverifiable until the new file is set
            raise ProviderUnreachable(
                f"{method}: answer signed under Alipay certificate {alipay_cert_sn or '(none)'}, "
                f"ours is {mode.alipay_cert_sn}"
            )
        public_key = mode.alipay_public_key if mode is not None else settings.ORDERS_ALIPAY_PUBLIC_KEY
        if not signature or not rsa_sha256_verify(public_key, raw.encode("utf-8"), signature):
            raise ProviderUnreachable(f"{method}: answer not signed by Alipay ({node.get('code')})")
        code, sub_code = str(node.get("code", "")), str(node.get("sub_code", ""))
        if code == "10000":
            return node
        if code == "20000" or sub_code in RETRYABLE:
            raise ProviderUnreachable(f"{method}: {code} {sub_code}")
        raise ProviderRejected(sub_code or code, str(node.get("sub_msg") or node.get("msg") or ""))


class AlipayProvider(PaymentProvider):
    name = "alipay"

    def __init__(self) -> None:
        self.client = AlipayClient()

    def _trade(self, payment: "Payment", product_code: str) -> dict[str, Any]:
        return {
            "out_trade_no": payment.out_trade_no,
            "total_amount": str(payment.amount),
            "subject": f"Order {payment.order_id}" if payment.order_id else f"Deposit {payment.out_trade_no}",
            "product_code": product_code,
        }

    def create_payment(self, payment: "Payment") -> dict[str, Any]:
        """QR pay (``alipay.trade.precreate``: the code to scan) and page pay (a signed URL)."""
        try:
            node = self.client.call(
                "alipay.trade.precreate", self._trade(payment, "FACE_TO_FACE_PAYMENT"), notify=True
            )
        except (ProviderRejected, ProviderUnreachable) as exc:
            raise NotImplementedError(f"Alipay could not open the payment: {exc}") from exc
        return {
            "provider": self.name,
            "out_trade_no": payment.out_trade_no,
            "amount": str(payment.amount),
            "qr_code": str(node.get("qr_code", "")),
            "pay_url": self.client.url(
                "alipay.trade.page.pay", self._trade(payment, "FAST_INSTANT_TRADE_PAY"), notify=True
            ),
        }

    def payment_query(self, payment: "Payment") -> PaymentState:
        try:
            node = self.client.call("alipay.trade.query", {"out_trade_no": payment.out_trade_no})
        except ProviderRejected as exc:
            if exc.code == "ACQ.TRADE_NOT_EXIST":
                return PaymentState(out_trade_no=payment.out_trade_no, state="unknown")
            raise
        return PaymentState(
            out_trade_no=payment.out_trade_no,
            state=TRADE_STATES.get(str(node.get("trade_status")), "open"),
            provider_trade_no=str(node.get("trade_no", "")),
            amount=Decimal(str(node["total_amount"])) if node.get("total_amount") else None,
        )

    def payment_close(self, payment: "Payment") -> None:
        try:
            self.client.call("alipay.trade.close", {"out_trade_no": payment.out_trade_no})
        except ProviderRejected as exc:
            if exc.code != "ACQ.TRADE_NOT_EXIST":  # a QR code never scanned: no trade at Alipay yet
                raise

    def refund(self, refund: "Refund") -> RefundResult:
        """``alipay.trade.refund``: synchronous; the same ``out_request_no`` again refunds nothing more."""
        assert refund.payment is not None
        try:
            node = self.client.call(
                "alipay.trade.refund",
                {
                    "out_trade_no": refund.payment.out_trade_no,
                    "refund_amount": str(refund.amount),
                    "out_request_no": refund.refund_no,
                    "refund_reason": refund.reason[:256],
                },
            )
        except ProviderRejected as exc:
            return RefundResult(refund_no=refund.refund_no, succeeded=False, error=str(exc))
        return RefundResult(
            refund_no=refund.refund_no, succeeded=True, provider_reference=str(node.get("trade_no", ""))
        )

    def refund_query(self, refund: "Refund") -> RefundResult:
        """``alipay.trade.fastpay.refund.query``: an empty answer means Alipay never had the refund."""
        assert refund.payment is not None
        try:
            node = self.client.call(
                "alipay.trade.fastpay.refund.query",
                {"out_trade_no": refund.payment.out_trade_no, "out_request_no": refund.refund_no},
            )
        except ProviderRejected as exc:
            if exc.code == "ACQ.TRADE_NOT_EXIST":
                return RefundResult(refund_no=refund.refund_no, succeeded=False, not_found=True)
            raise
        if not node.get("refund_amount"):
            return RefundResult(refund_no=refund.refund_no, succeeded=False, not_found=True)
        status = str(node.get("refund_status") or "REFUND_SUCCESS")
        return RefundResult(
            refund_no=refund.refund_no,
            succeeded=status == "REFUND_SUCCESS",
            pending=status != "REFUND_SUCCESS",
            provider_reference=str(node.get("trade_no", "")),
        )

    def verify_callback(self, headers: dict[str, str], body: bytes) -> VerifiedNotification:
        try:
            params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CallbackRejected("malformed notification") from exc
        if not params.get("sign"):
            raise CallbackRejected("missing sign")
        if params.get("sign_type", "RSA2") != "RSA2":
            raise CallbackRejected("unsupported sign_type")
        try:
            mode = certificate_mode()
        except (ValueError, OSError) as exc:
            raise CallbackRejected("Alipay's certificate cannot be read") from exc
        if mode is not None and params.get("alipay_cert_sn", mode.alipay_cert_sn) != mode.alipay_cert_sn:
            raise CallbackRejected("signed under another Alipay certificate")
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
