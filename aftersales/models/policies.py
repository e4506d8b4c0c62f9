"""AFS-3, AFS-4: special periods declared by staff and what a merchant promises beyond the law."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant
from platform_core import clock


class SpecialPeriod(models.Model):
    """AFS-3: a period staff declared special (holidays, promotions): merchants get 48 hours to respond."""

    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("special after-sales period")
        verbose_name_plural = _("special after-sales periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="special_period_order"
            )
        ]

    def __str__(self) -> str:
        return gettext("%(reason)s (%(start)s – %(end)s)") % {
            "reason": self.reason,
            "start": f"{self.starts_at:%Y-%m-%d}",
            "end": f"{self.ends_at:%Y-%m-%d}",
        }


class MerchantAfterSalesPolicy(models.Model):
    """AFS-4 (7DR Art. 18), AFS-1: what a merchant promises beyond the law.

    ORD-1: checkout copies it into each order's contract (``aftersales_policy_terms``); every later
    reader of an order uses that copy, so a change applies to new orders only."""

    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="aftersales_policy")
    pays_no_reason_return_shipping = models.BooleanField(
        _("pays return shipping for no-reason returns"), default=False
    )
    warranty_days = models.PositiveIntegerField(_("warranty (days)"), null=True, blank=True)
    exchange_repair_terms = models.TextField(
        _("exchange and repair terms"),
        max_length=2000,
        blank=True,
        help_text=_("What the shop offers for exchanges and repairs beyond the law."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)

    class Meta:
        verbose_name = _("merchant after-sales policy")
        verbose_name_plural = _("merchant after-sales policies")

    def __str__(self) -> str:
        return gettext("After-sales policy of shop #%(merchant)s") % {"merchant": self.merchant_id}
