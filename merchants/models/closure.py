"""MER-5, MER-8 (issue 21): a merchant's request to close the shop and have its deposit returned."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from merchants.models.merchant import Merchant
from platform_core import clock
from platform_core.ledger.models import LedgerTransaction


class MerchantClosureRequest(models.Model):
    """The owner asks to close; finance approves once MER-8's conditions hold, the deposit goes back
    through the ledger (``merchant_deposit_refund``) and the shop closes; or finance rejects, with a reason.
    One open request per shop."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved: deposit returned, shop closed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="closure_requests", verbose_name=_("merchant")
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    deposit_refunded = models.DecimalField(
        _("deposit returned"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    refund_transaction = models.OneToOneField(
        LedgerTransaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("refund transaction"),
    )

    class Meta:
        verbose_name = _("closure request")
        verbose_name_plural = _("closure requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant"], condition=Q(status="requested"), name="merchant_one_open_closure_request"
            )
        ]

    def __str__(self) -> str:
        return gettext("Closure of %(merchant)s: %(status)s") % {
            "merchant": self.merchant,
            "status": self.get_status_display(),
        }

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.REQUESTED
