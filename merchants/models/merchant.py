"""The merchant: who sells, in what standing (MER-8), its members and its status history.

Transitions change only the row itself; services lock, transition, save, audit, schedule and notify.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from platform_core import clock


class Merchant(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        RESTRICTED = "restricted", _("Restricted")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")
        BANNED = "banned", _("Banned")

    class Cause(models.TextChoices):
        """Why a merchant is restricted or suspended; a restriction lifts when its last cause is gone."""

        STAFF = "staff", _("Staff decision")
        AGREEMENT = "agreement", _("Platform agreement not accepted")
        DEPOSIT = "deposit", _("Deposit below the required amount")
        REVERIFICATION = "reverification", _("Re-verification overdue")
        VIOLATION = "violation", _("Violation penalty")
        TRADING_RESTRICTION = "trading_restriction", _("Trading restriction (no new orders)")
        APPLICATION = "application", _("Application approved")
        CLOSURE = "closure", _("Closure")

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
    created_at = models.DateTimeField(default=clock.now)

    # MER-1: registered information (changes go through MerchantChange, MER-6a)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    categories = models.ManyToManyField("catalog.Category", related_name="merchants", blank=True)
    # MER-8: the causes currently in force; each cause is lifted separately
    restriction_causes = models.JSONField(default=list, blank=True)
    suspension_causes = models.JSONField(default=list, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # REP-3: the latest credit score and grade, copied from the newest MerchantCreditSnapshot so that
    # ranking (CAT-8) and inspection sampling (CAT-6) can use them in one query; null until computed.
    credit_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    credit_grade = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_trading(self) -> bool:
        """May take new orders: active or merely listing-restricted (MER-8)."""
        return self.status in {self.Status.ACTIVE, self.Status.RESTRICTED}

    @property
    def may_take_orders(self) -> bool:
        """MER-4, MER-8: trading, and not held back by an unaccepted agreement (which blocks new orders
        as well as new listings); orders' checkout should ask this rather than ``is_trading``."""
        return self.is_trading and not (
            {self.Cause.AGREEMENT, self.Cause.TRADING_RESTRICTION} & set(self.restriction_causes)
        )

    # --- MER-8 transitions -------------------------------------------------------------------------

    @transition(field=status, source=Status.ONBOARDING, target=Status.ACTIVE)
    def activate(self) -> None:
        self.activated_at = clock.now()

    @transition(field=status, source=Status.ACTIVE, target=Status.RESTRICTED)
    def restrict(self) -> None:
        pass

    @transition(field=status, source=Status.RESTRICTED, target=Status.ACTIVE)
    def unrestrict(self) -> None:
        pass

    @transition(field=status, source=[Status.ACTIVE, Status.RESTRICTED], target=Status.SUSPENDED)
    def suspend(self) -> None:
        pass

    @transition(
        field=status,
        source=Status.SUSPENDED,
        target=RETURN_VALUE(Status.ACTIVE, Status.RESTRICTED),
    )
    def reinstate(self) -> str:
        # Restrictions still in force survive the suspension being lifted.
        return self.Status.RESTRICTED if self.restriction_causes else self.Status.ACTIVE

    @transition(
        field=status,
        source=[Status.ONBOARDING, Status.ACTIVE, Status.RESTRICTED, Status.SUSPENDED],
        target=Status.CLOSED,
    )
    def close(self) -> None:
        self.closed_at = clock.now()

    @transition(
        field=status,
        source=[Status.ONBOARDING, Status.ACTIVE, Status.RESTRICTED, Status.SUSPENDED, Status.CLOSED],
        target=Status.BANNED,
    )
    def ban(self) -> None:
        pass


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
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "user"], name="merchant_member_once")]

    def __str__(self) -> str:
        return gettext("%(user)s at %(merchant)s (%(role)s)") % {
            "user": self.user,
            "merchant": self.merchant,
            "role": self.get_role_display(),
        }


class MerchantStatusChange(models.Model):
    """MER-8: who or what moved the merchant, from where to where, and why. Append-only."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Merchant.Status.choices)
    to_status = models.CharField(max_length=20, choices=Merchant.Status.choices)
    cause = models.CharField(max_length=20, choices=Merchant.Cause.choices)
    reason = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return gettext("%(merchant)s: %(from)s → %(to)s (%(cause)s)") % {
            "merchant": self.merchant,
            "from": self.get_from_status_display(),
            "to": self.get_to_status_display(),
            "cause": self.get_cause_display(),
        }


class StaffInvitation(models.Model):
    """SEC (issue 20): the owner invites an account to the shop's staff; it joins only when that user
    accepts, before ``expires_at`` (``MERCHANT_STAFF_INVITATION_EXPIRES``). Kept for the record."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff_invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_invitations"
    )
    role = models.CharField(max_length=32, choices=MerchantMember.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "user"],
                condition=models.Q(status="pending"),
                name="staff_invitation_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Invitation of %(user)s to %(merchant)s (%(role)s, %(status)s)") % {
            "user": self.user,
            "merchant": self.merchant,
            "role": self.get_role_display(),
            "status": self.get_status_display(),
        }
