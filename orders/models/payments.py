"""Payments, the providers' callbacks as received, and refunds (PAY-3, PAY-5, MER-5)."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant
from orders.models._common import MONEY
from orders.models.order import Order
from platform_core import clock


class Payment(models.Model):
    """PAY-3: one attempt to pay through a provider: an order (into its escrow) or, MER-5, a merchant's
    deposit for a category (into its deposit account)."""

    class Purpose(models.TextChoices):
        ORDER = "order", _("Order")
        DEPOSIT = "deposit", _("Merchant deposit")

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CLOSED = "closed", _("Closed")

    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.ORDER)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="payments")
    # MER-5: a deposit payment's payer and the category whose deposit it pays
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="deposit_payments"
    )
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider = models.CharField(max_length=20)
    amount = models.DecimalField(**MONEY)
    out_trade_no = models.CharField(_("our trade number"), max_length=64, unique=True)
    provider_trade_no = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # REP-2, DSP-6: who paid — the payer's account at the provider (Alipay buyer_id, WeChat Pay openid),
    # opaque and stored as the verified notification gives it; masked wherever it is shown
    payer_account = models.CharField(
        _("payer account at the provider"), max_length=64, blank=True, db_index=True
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CREATED)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(purpose="order", order__isnull=False, merchant__isnull=True)
                    | Q(purpose="deposit", order__isnull=True, merchant__isnull=False, category__isnull=False)
                ),
                name="payment_for_order_or_deposit",
            )
        ]

    def __str__(self) -> str:
        return gettext("Payment %(number)s via %(provider)s (%(status)s)") % {
            "provider": self.provider,
            "number": self.out_trade_no,
            "status": self.get_status_display(),
        }


class PaymentCallbackLog(models.Model):
    """PAY-3: every provider callback as received, and what became of it (append-only evidence)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted: money posted")
        DUPLICATE = "duplicate", _("Duplicate: nothing moved")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Payment failed at the provider")

    provider = models.CharField(max_length=20)
    received_at = models.DateTimeField(default=clock.now)
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    error = models.CharField(max_length=500, blank=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-received_at", "-pk"]
        triggers = [
            pgtrigger.Protect(
                name="payment_callback_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return gettext("Callback from %(provider)s: %(outcome)s") % {
            "provider": self.provider,
            "outcome": self.get_outcome_display(),
        }


class Refund(models.Model):
    """PAY-5: money returned to the customer; the ledger transaction is the truth of the amount.

    ORD-4: a late shipment's compensation reaches the customer the same way (``kind=compensation``). The
    provider is called after the ledger's transaction committed (``refund_dispatch``): ``pending`` until
    the provider confirms; ``sent_at`` is set *before* a request leaves, so a worker killed mid-call is
    followed by a query, never by a blind second request (the ``refund_no`` is the provider's idempotent
    ``out_request_no`` / ``out_refund_no``).
    """

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        PENDING = "pending", _("Pending at the provider")
        FAILED = "failed", _("Refused by the provider: finance is following up")
        # more than the payment's trade can still return (a compensation on top of a full refund): paid by
        # a transfer to the customer's account instead (the transfer rail of issue 23's payouts)
        AWAITING_TRANSFER = "awaiting_transfer", _("Waiting for a transfer to your account")

    class Kind(models.TextChoices):
        REFUND = "refund", _("Refund")
        COMPENSATION = "compensation", _("Late-shipment compensation")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=500)
    idempotency_key = models.CharField(max_length=200, unique=True)
    refund_no = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REFUND)
    # the ledger transaction that moved the money (reconciliation compares it with the provider, PAY-8)
    ledger_key = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("first sent to the provider"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # PAY-8: not returned on the trade (it did not fit: ``awaiting_transfer``) but by a transfer to the payer
    # (decisions 037, 045): never on the provider's trade bill, so reconciliation does not expect it there
    paid_by_transfer = models.BooleanField(_("paid by a transfer to the payer"), default=False)

    def __str__(self) -> str:
        return gettext("Refund %(number)s of %(amount)s") % {"number": self.refund_no, "amount": self.amount}


class ProviderCertificate(models.Model):
    """PAY-3: a payment provider's platform certificate as downloaded (WeChat Pay rotates them): its public
    key verifies the provider's answers and notifications signed with ``serial`` until ``expires_at``."""

    provider = models.CharField(max_length=20)
    serial = models.CharField(max_length=64)
    public_key = models.TextField()
    effective_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    fetched_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "serial"], name="provider_certificate_unique_serial")
        ]

    def __str__(self) -> str:
        return gettext("Certificate %(serial)s of %(provider)s") % {
            "provider": self.provider,
            "serial": self.serial,
        }
