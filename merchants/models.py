"""The merchant: who sells, in what standing (MER-8). Onboarding, documents, agreements and deposits
are added by the merchants issue; credit and penalties by the reputation issue."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin


class Merchant(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        RESTRICTED = "restricted", _("Restricted")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")
        BANNED = "banned", _("Banned")

    name = models.CharField(_("shop name"), max_length=100)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        db_index=True,
        help_text=_(
            "Not unique: earlier accounts with the same code are the applicant's prior record (MER-3)."
        ),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_merchants"
    )
    is_self_operated = models.BooleanField(_("self-operated (自营)"), default=False)
    status = FSMField(choices=Status.choices, default=Status.ONBOARDING, protected=True)
    status_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_trading(self) -> bool:
        """May take new orders: active or merely listing-restricted (MER-8)."""
        return self.status in {self.Status.ACTIVE, self.Status.RESTRICTED}


class MerchantMember(models.Model):
    """A person working for a merchant; the role limits what they may do (dashboard and merchant API)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        OPERATIONS = "operations", _("Operations")
        CUSTOMER_SERVICE = "customer_service", _("Customer service")
        FINANCE = "finance", _("Finance")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "user"], name="merchant_member_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.merchant} ({self.role})"
