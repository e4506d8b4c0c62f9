"""PAY-3: the sandbox provider, for development and tests. It behaves like the real gateways:

- ``create_payment`` answers with a cashier URL and a QR payload;
- the customer "pays" at the sandbox cashier (``sandbox_pay``), which records the trade in the sandbox's
  settlement file and queues the signed notification to our callback (asynchronously, through Celery),
  optionally delayed, duplicated or failed (``ORDERS_PAYMENT_SANDBOX``);
- ``sandbox_complete(payment)`` builds that signed notification for tests to deliver themselves;
- the notification names the payer's sandbox account (``payer_account``): one per paying user (who pays
  at the cashier; by default the order's customer or the deposit's shop owner), so the same person always
  pays from the same account;
  tests pass ``payer_account=`` to pay from another (a shared card, a borrowed account);
- notifications are signed with HMAC-SHA256 over the raw body (header ``X-Sandbox-Signature``).
"""

import hashlib
import hmac
import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings

from orders.payments.base import CallbackRejected, PaymentProvider, RefundResult, VerifiedNotification
from platform_core import clock

if TYPE_CHECKING:
    from orders.models import Payment, Refund

SIGNATURE_HEADER = "X-Sandbox-Signature"


def sign(body: bytes) -> str:
    return hmac.new(settings.ORDERS_PAYMENT_SANDBOX_KEY.encode(), body, hashlib.sha256).hexdigest()


def sandbox_trade_no(out_trade_no: str) -> str:
    return f"SBX{out_trade_no}"


def sandbox_payer_account(user_id: int) -> str:
    """The sandbox account user ``user_id`` pays from: opaque (keyed with the sandbox key) and stable."""
    digest = hmac.new(
        settings.ORDERS_PAYMENT_SANDBOX_KEY.encode(), f"payer:{user_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"sbx{digest[:20]}"


def _payer_of(payment: "Payment") -> str:
    """The account that pays ``payment`` by default: its order's customer's, or the shop owner's."""
    from merchants.models import Merchant
    from orders.models import Order

    if payment.order_id is not None:
        user_id = Order.objects.values_list("customer_id", flat=True).get(pk=payment.order_id)
    else:
        user_id = Merchant.objects.values_list("owner_id", flat=True).get(pk=payment.merchant_id)
    return sandbox_payer_account(user_id)


def sandbox_complete(
    payment: "Payment",
    *,
    amount: Decimal | None = None,
    succeeded: bool = True,
    payer_account: str | None = None,
) -> tuple[dict[str, str], bytes]:
    """The signed notification the sandbox sends when ``payment`` is paid: ``(headers, body)``.

    A successful payment is written to the sandbox's settlement file (at the amount really charged,
    ``payment.amount``; ``amount=`` only changes what the notification claims, for tests). The payer is
    the payment's customer (or shop owner) unless ``payer_account=`` names another account.
    """
    if succeeded:
        from orders.models import ProviderSettlementRecord

        ProviderSettlementRecord.objects.get_or_create(
            provider="sandbox",
            kind=ProviderSettlementRecord.Kind.PAYMENT,
            reference=sandbox_trade_no(payment.out_trade_no),
            defaults={"amount": payment.amount},
        )
    body = json.dumps(
        {
            "out_trade_no": payment.out_trade_no,
            "trade_no": sandbox_trade_no(payment.out_trade_no),
            "total_amount": str(payment.amount if amount is None else amount),
            "trade_status": "TRADE_SUCCESS" if succeeded else "TRADE_CLOSED",
            "notify_time": clock.now().isoformat(),
            "payer_account": _payer_of(payment) if payer_account is None else payer_account,
        },
        sort_keys=True,
    ).encode()
    return {SIGNATURE_HEADER: sign(body), "Content-Type": "application/json"}, body


class SandboxProvider(PaymentProvider):
    name = "sandbox"
    remote = False  # in-process: its "calls" are rows in our own transaction

    def create_payment(self, payment: "Payment") -> dict[str, Any]:
        url = f"/api/v1/payments/sandbox/{payment.out_trade_no}/pay/"
        return {
            "provider": self.name,
            "out_trade_no": payment.out_trade_no,
            "amount": str(payment.amount),
            "pay_url": url,
            "qr_code": f"sandbox://pay?out_trade_no={payment.out_trade_no}&amount={payment.amount}",
        }

    def verify_callback(self, headers: dict[str, str], body: bytes) -> VerifiedNotification:
        given = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER.lower(), "")
        if not given or not hmac.compare_digest(given, sign(body)):
            raise CallbackRejected("bad signature")
        try:
            data = json.loads(body)
            amount = Decimal(str(data["total_amount"]))
            return VerifiedNotification(
                out_trade_no=str(data["out_trade_no"]),
                provider_trade_no=str(data["trade_no"]),
                amount=amount,
                succeeded=data["trade_status"] == "TRADE_SUCCESS",
                raw=data,
                payer_account=str(data.get("payer_account") or ""),
            )
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise CallbackRejected(f"malformed notification: {exc!r}") from exc

    def refund(self, refund: "Refund") -> RefundResult:
        # The sandbox refunds at once; its settlement file shows it (PAY-8).
        from orders.models import ProviderSettlementRecord

        ProviderSettlementRecord.objects.get_or_create(
            provider=self.name,
            kind=ProviderSettlementRecord.Kind.REFUND,
            reference=refund.refund_no,
            defaults={"amount": refund.amount},
        )
        return RefundResult(refund_no=refund.refund_no, succeeded=True, provider_reference=refund.refund_no)

    def refund_query(self, refund: "Refund") -> RefundResult:
        from orders.models import ProviderSettlementRecord

        found = ProviderSettlementRecord.objects.filter(
            provider=self.name, kind=ProviderSettlementRecord.Kind.REFUND, reference=refund.refund_no
        ).exists()
        return RefundResult(
            refund_no=refund.refund_no,
            succeeded=found,
            not_found=not found,
            provider_reference=refund.refund_no,
        )
