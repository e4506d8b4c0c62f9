"""Settlement: statements and payouts (PAY-4), providers' settlement records and the differences
reconciliation finds (PAY-8)."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant
from orders.models._common import MONEY
from platform_core import clock


class PayoutStatement(models.Model):
    """PAY-4: a merchant's statement for one period: every payable movement since the last statement."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="statements")
    period = models.DateField(_("period (day)"))
    lines = models.JSONField(default=list)
    gross = models.DecimalField(**MONEY, default=Decimal("0.00"))
    commission = models.DecimalField(**MONEY, default=Decimal("0.00"))
    refunds = models.DecimalField(**MONEY, default=Decimal("0.00"))
    net = models.DecimalField(**MONEY, default=Decimal("0.00"))
    last_entry_id = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-period", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "period"], name="statement_once_per_period")
        ]

    def __str__(self) -> str:
        return gettext("Statement of %(merchant)s for %(period)s") % {
            "merchant": self.merchant,
            "period": self.period,
        }


class Payout(models.Model):
    """PAY-4: money paid out of the merchant's payable to its bank account."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being transferred")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="payouts")
    statement = models.OneToOneField(PayoutStatement, on_delete=models.PROTECT, related_name="payout")
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PAID)
    provider = models.CharField(max_length=20)
    provider_reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    # PAY-4 (decision 037): a transfer through a gateway is sent after the commit, like a refund: the
    # account it goes to, our idempotent number (``out_biz_no``), the attempts and the last error
    account = models.ForeignKey(
        "orders.PayoutAccount", on_delete=models.PROTECT, null=True, blank=True, related_name="payouts"
    )
    out_biz_no = models.CharField(max_length=64, unique=True, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return gettext("Payout #%(id)s of %(amount)s to %(merchant)s") % {
            "id": self.pk,
            "amount": self.amount,
            "merchant": self.merchant,
        }


class ProviderSettlementRecord(models.Model):
    """PAY-8: a line of a provider's settlement file (the sandbox writes its own as it works; Alipay's and
    WeChat Pay's daily statements are imported line by line, with the fee they charged, decision 038)."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")
        PAYOUT = "payout", _("Payout")

    provider = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reference = models.CharField(max_length=64)
    amount = models.DecimalField(**MONEY)
    at = models.DateTimeField(default=clock.now)
    # the provider's service fee on the line (charged on a payment, returned on a refund); None: not stated
    fee = models.DecimalField(_("provider's fee"), **MONEY, null=True, blank=True)
    out_trade_no = models.CharField(_("our trade number"), max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "kind", "reference"], name="settlement_record_once")
        ]

    def __str__(self) -> str:
        return gettext("%(provider)s %(kind)s %(reference)s %(amount)s") % {
            "provider": self.provider,
            "kind": self.get_kind_display(),
            "reference": self.reference,
            "amount": self.amount,
        }


class ProviderStatement(models.Model):
    """PAY-8 (decision 038): a provider's daily statement as imported: its totals; the lines are
    ``ProviderSettlementRecord`` rows. A statement that could not be had yet is ``waiting`` (tried again
    with back-off) and ``missing`` once past the cut-off (finance is alarmed)."""

    class Status(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        WAITING = "waiting", _("Waiting to be downloaded")
        MISSING = "missing", _("Missing past the cut-off")

    provider = models.CharField(_("provider"), max_length=20)
    day = models.DateField(_("day"))
    lines = models.PositiveIntegerField(_("lines"), default=0)
    paid = models.DecimalField(_("paid"), **MONEY, default=Decimal("0.00"))
    refunded = models.DecimalField(_("refunded"), **MONEY, default=Decimal("0.00"))
    fees = models.DecimalField(_("fees (net)"), **MONEY, default=Decimal("0.00"))
    imported_at = models.DateTimeField(_("imported at"), default=clock.now)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.IMPORTED)
    # the downloads that failed, when the next one is due and why the last one failed
    attempts = models.PositiveIntegerField(_("failed downloads"), default=0)
    next_attempt_at = models.DateTimeField(_("next download"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("provider statement")
        verbose_name_plural = _("provider statements")
        ordering = ["-day", "provider"]
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="provider_statement_once")]

    def __str__(self) -> str:
        return gettext("Statement of %(provider)s for %(day)s") % {"provider": self.provider, "day": self.day}


class ReconciliationDifference(models.Model):
    """PAY-8: a difference between the ledger and a provider's settlement, for finance staff."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    class Reason(models.TextChoices):
        MISSING_OURS = "missing_ours", _("Missing on our side")
        MISSING_THEIRS = "missing_theirs", _("Missing at the provider")
        AMOUNT = "amount", _("Amount differs")
        FEE = "fee", _("Fee differs")
        # the ledger's escrow does not equal what the provider holds for customers (segregated funds)
        FUNDS = "funds", _("Segregated funds differ")

    day = models.DateField()
    provider = models.CharField(max_length=20)
    kind = models.CharField(max_length=10)
    reference = models.CharField(max_length=64)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, default=Reason.AMOUNT)
    ledger_amount = models.DecimalField(**MONEY, null=True, blank=True)
    provider_amount = models.DecimalField(**MONEY, null=True, blank=True)
    # a fee difference: the fee our contracted rate gives and the one the provider's statement shows
    expected_fee = models.DecimalField(_("contracted fee"), **MONEY, null=True, blank=True)
    provider_fee = models.DecimalField(_("provider's fee"), **MONEY, null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["status", "-day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "provider", "kind", "reference", "reason"],
                name="reconciliation_difference_once",
            )
        ]

    def __str__(self) -> str:
        return gettext("Difference on %(day)s: %(provider)s %(kind)s %(reference)s") % {
            "day": self.day,
            "provider": self.provider,
            "kind": self.kind,
            "reference": self.reference,
        }
