"""Credit snapshots and KPIs (REP-3, VIO-6)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from merchants.models.merchant import Merchant
from merchants.models.violations import Violation

# --- REP-3, VIO-6: credit and KPIs ----------------------------------------------------------------


class MerchantCreditSnapshot(models.Model):
    """REP-3: the credit score and grade as computed at one time, with its components (docs/credit-formula.md).

    Kept 12 months (the published history); the newest is copied onto ``Merchant.credit_*``.
    """

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly")
        EVENT = "event", _("Significant event")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="credit_snapshots")
    computed_at = models.DateTimeField(default=timezone.now)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    grade = models.PositiveSmallIntegerField()
    components = models.JSONField(default=dict)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.NIGHTLY)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        indexes = [models.Index(fields=["merchant", "computed_at"])]

    def __str__(self) -> str:
        return f"{self.merchant}: {self.score} (grade {self.grade})"


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
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "kpi"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "kpi", "date"], name="merchant_kpi_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.merchant} {self.kpi} {self.date}: {self.value} ({self.level})"
