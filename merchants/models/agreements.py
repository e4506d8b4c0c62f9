"""The platform service agreement and its acceptances (MER-4, MER-10)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext

from merchants.models.merchant import Merchant
from platform_core import clock

# --- MER-4, MER-10: agreements ---------------------------------------------------------------------


class PlatformAgreement(models.Model):
    """A version of the platform service agreement. Kept forever (MER-10); never edited once published."""

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    published_at = models.DateTimeField()
    effective_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-effective_at"]

    def __str__(self) -> str:
        return gettext("%(title)s version %(version)s") % {"title": self.title, "version": self.version}


class AgreementAcceptance(models.Model):
    agreement = models.ForeignKey(PlatformAgreement, on_delete=models.PROTECT, related_name="acceptances")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="agreement_acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=clock.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "merchant"], name="agreement_accepted_once")
        ]

    def __str__(self) -> str:
        return gettext("%(merchant)s accepted %(agreement)s") % {
            "merchant": self.merchant,
            "agreement": self.agreement,
        }
