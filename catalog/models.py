"""The category tree: what each category demands of merchants and promises customers.

Listings, SKUs, reviews, inspections and IP notices are added by the catalog issue.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    slug = models.SlugField(unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # MER-1, MER-7: industry licences a merchant needs to list here (document kinds, e.g. "food_licence")
    required_document_kinds = models.JSONField(default=list, blank=True)
    # MER-5: the security deposit a merchant must hold to list here
    deposit_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # PAY-4: the platform's commission on settled orders, as a fraction (0.05 = 5 %)
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0500"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    # AFS-2: excluded from seven-day no-reason returns (custom-made, fresh, digital, periodicals)
    no_reason_return_excluded = models.BooleanField(default=False)
    # AFS-3: after-sales response window is 48 h instead of 24 h (large items etc.)
    aftersales_special = models.BooleanField(default=False)
    is_service = models.BooleanField(_("services (not goods)"), default=False)

    class Meta:
        verbose_name_plural = _("categories")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name
