"""Credit snapshots and KPIs (REP-3, VIO-6)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from merchants.models.merchant import Merchant
from merchants.models.violations import Violation
from platform_core import clock

# --- REP-3, VIO-6: credit and KPIs ----------------------------------------------------------------


class MerchantCreditSnapshot(models.Model):
    """REP-3: the credit score and grade as computed at one time, with its components (docs/credit-formula.md).

    Kept 12 months (the published history); the newest is copied onto ``Merchant.credit_*``.
    """

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly")
        EVENT = "event", _("Significant event")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="credit_snapshots")
    computed_at = models.DateTimeField(default=clock.now)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    grade = models.PositiveSmallIntegerField()
    components = models.JSONField(default=dict)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.NIGHTLY)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        indexes = [models.Index(fields=["merchant", "computed_at"])]

    def __str__(self) -> str:
        return gettext("%(merchant)s: %(score)s (grade %(grade)s)") % {
            "merchant": self.merchant,
            "score": self.score,
            "grade": self.grade,
        }


class MerchantKpi(models.Model):
    """VIO-6: one KPI of one merchant over the 30 days ending on ``date``, and how it stands."""

    class Level(models.TextChoices):
        OK = "ok", _("OK")
        WARNING = "warning", _("Warning")
        LIMIT = "limit", _("Limit exceeded")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="kpis")
    date = models.DateField()
    kpi = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    sample = models.PositiveIntegerField(default=0, help_text=_("The denominator (orders, requests, …)."))
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.OK)
    violation = models.ForeignKey(
        Violation, on_delete=models.PROTECT, null=True, blank=True, related_name="kpi_records"
    )
    computed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-date", "kpi"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "kpi", "date"], name="merchant_kpi_once_a_day")
        ]

    def __str__(self) -> str:
        return gettext("%(merchant)s %(kpi)s on %(date)s: %(value)s (%(level)s)") % {
            "merchant": self.merchant,
            "kpi": self.kpi,
            "date": self.date,
            "value": self.value,
            "level": self.get_level_display(),
        }


class CreditGradePolicy(models.Model):
    """REP-3: what a credit grade means for the merchant's money: the required deposit (the categories'
    deposit × ``deposit_multiplier`` + ``deposit_surcharge``) and how long money stays in the payable
    before a payout takes it (``payout_delay_days``). One row per grade, edited in the admin (audited);
    a merchant without a grade yet counts as ``CREDIT_DEFAULT_GRADE``; a grade without a row is neutral
    (× 1, no surcharge, no delay)."""

    grade = models.PositiveSmallIntegerField(
        _("credit grade"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    deposit_multiplier = models.DecimalField(
        _("deposit multiplier"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("10.00"))],
        help_text=_("The categories' deposit is multiplied by this (at least 1)."),
    )
    deposit_surcharge = models.DecimalField(
        _("deposit surcharge (CNY)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Added to the required deposit after the multiplier."),
    )
    payout_delay_days = models.PositiveSmallIntegerField(
        _("payout delay (days)"),
        default=0,
        validators=[MaxValueValidator(90)],
        help_text=_("Money reaches a payout this many days after it arrived in the payable balance."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["grade"]
        verbose_name = _("credit grade policy")
        verbose_name_plural = _("credit grade policies")

    def __str__(self) -> str:
        return gettext("Grade %(grade)s: deposit ×%(multiplier)s +%(surcharge)s, payout +%(days)s d") % {
            "grade": self.grade,
            "multiplier": self.deposit_multiplier,
            "surcharge": self.deposit_surcharge,
            "days": self.payout_delay_days,
        }
