"""Reviews of order lines, their photos, fake-review flags and likes (REP-1, REP-2, USR-1)."""

from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from catalog.models import Listing
from merchants.models import Merchant
from orders.models.order import Order, OrderLine
from platform_core import clock

# --- REP-1, REP-2: reviews of order lines ------------------------------------------------------------


def _rating_check(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}), name=f"review_{field}_1_to_5"
    )


class Review(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """REP-1: the customer's review of one completed order line (one per line), with its one follow-up
    and the merchant's one reply. REP-2: never deleted (a trigger refuses DELETE); staff hide it only for
    a listed reason, and it is then shown as hidden with that reason."""

    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden")

    class HideReason(models.TextChoices):
        ABUSE = "abuse", _("Abuse")
        PRIVACY = "privacy", _("Privacy")
        ADVERTISING = "advertising", _("Advertising (广告)")
        PROVEN_FAKE = "proven_fake", _("Proven fake")

    order_line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="review")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="reviews")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="reviews")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    rating = models.PositiveSmallIntegerField(_("item rating"))
    description_rating = models.PositiveSmallIntegerField(_("description accuracy"))
    service_rating = models.PositiveSmallIntegerField(_("service"))
    logistics_rating = models.PositiveSmallIntegerField(_("logistics"))
    text = models.TextField(_("text"), blank=True)
    anonymous = models.BooleanField(_("shown anonymously"), default=False)
    # REP-2: SHA-256 of the client's X-Device-Fingerprint header (the raw value is never stored)
    device_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=clock.now)
    follow_up_text = models.TextField(_("follow-up"), blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    reply_text = models.TextField(_("merchant's reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = FSMField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VISIBLE, protected=True
    )
    hidden_reason = models.CharField(
        _("hidden because"), max_length=16, choices=HideReason.choices, blank=True
    )
    hidden_note = models.CharField(_("moderation note"), max_length=500, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("moderate_review", "Hide reviews and resolve fake-review flags (REP-2)")]
        indexes = [
            models.Index(fields=["listing", "-created_at"], name="review_listing_created_idx"),
            models.Index(fields=["merchant", "created_at"], name="review_merchant_created_idx"),
            models.Index(fields=["customer", "created_at"], name="review_customer_created_idx"),
        ]
        constraints = [
            *(
                _rating_check(field)
                for field in ("rating", "description_rating", "service_rating", "logistics_rating")
            ),
            models.CheckConstraint(
                condition=Q(status="visible", hidden_reason="")
                | Q(status="hidden", hidden_reason__in=["abuse", "privacy", "advertising", "proven_fake"]),
                name="review_hidden_only_for_a_listed_reason",
            ),
        ]
        triggers = [pgtrigger.Protect(name="review_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return gettext("Review #%(id)s of order line #%(line)s (%(rating)s★)") % {
            "id": self.pk,
            "line": self.order_line_id,
            "rating": self.rating,
        }

    @transition(field=status, source=Status.VISIBLE, target=Status.HIDDEN)
    def hide(self, *, reason: str, note: str = "", by: Any = None) -> None:
        self.hidden_reason, self.hidden_note = reason, note
        self.hidden_at, self.hidden_by = clock.now(), by


class ReviewPhoto(models.Model):
    """REP-1, SEC-4: a photo of a review (or of its follow-up), checked by content and size."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to="orders/reviews/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    follow_up = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["review_id", "pk"]
        triggers = [pgtrigger.Protect(name="review_photo_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return gettext("Photo #%(id)s of review #%(review)s") % {"id": self.pk, "review": self.review_id}


class ReviewFlag(models.Model):
    """REP-2: one fake-review signal raised on a review, with what was found, for moderation."""

    class Signal(models.TextChoices):
        SHARED_PHONE = "shared_phone", _("Reviewer shares a phone number with the merchant")
        SHARED_ADDRESS = "shared_address", _("Reviewer shares an address with the merchant")
        SHARED_PAYMENT_ACCOUNT = (
            "shared_payment_account",
            _("Reviewer shares a payment account with the merchant"),
        )
        SHARED_DEVICE = "shared_device", _("Reviewer's device was used by another reviewer or the merchant")
        FIVE_STAR_BURST = "five_star_burst", _("Burst of five-star reviews from new accounts")
        REFUNDED_IN_FULL = "refunded_in_full", _("Review of an order refunded in full")
        REVIEW_RING = "review_ring", _("Accounts reviewing the same merchants (ring)")
        MERCHANT_REPORT = "merchant_report", _("Reported by the shop as abusive")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")
        CONFIRMED = "confirmed", _("Confirmed (review hidden)")

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="flags")
    signal = models.CharField(_("signal"), max_length=32, choices=Signal.choices)
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=clock.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "signal"], name="review_flag_once_per_signal")
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="review_flag_status_idx")]
        triggers = [pgtrigger.Protect(name="review_flag_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return gettext("%(signal)s on review #%(review)s (%(status)s)") % {
            "signal": self.get_signal_display(),
            "review": self.review_id,
            "status": self.get_status_display(),
        }


class ReviewLike(models.Model):
    """USR-1: a user likes a review, once."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="review_like_once")]

    def __str__(self) -> str:
        return gettext("User #%(user)s likes review #%(review)s") % {
            "user": self.user_id,
            "review": self.review_id,
        }
