"""After payment: the parcel's tracking events (ORD-5) and the follow-up call on completion (ORD-7)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.models.order import Order
from platform_core import clock


class TrackingEvent(models.Model):
    """ORD-5: what the carrier (or staff) reported about the parcel."""

    class Kind(models.TextChoices):
        PICKED_UP = "picked_up", _("Picked up")
        IN_TRANSIT = "in_transit", _("In transit")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        EXCEPTION = "exception", _("Exception")

    class Source(models.TextChoices):
        CARRIER = "carrier", _("Carrier webhook")
        STAFF = "staff", _("Staff entry")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="tracking_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    carrier = models.CharField(max_length=32, blank=True)
    # The carrier's event id: a webhook delivered twice records the event once.
    external_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 - NULL: no id given
    recorded_at = models.DateTimeField(default=clock.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order_id", "at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "external_id"],
                condition=Q(external_id__isnull=False),
                name="tracking_event_external_once",
            )
        ]

    def __str__(self) -> str:
        return gettext("Order #%(order)s: %(kind)s at %(at)s") % {
            "order": self.order_id,
            "kind": self.get_kind_display(),
            "at": f"{timezone.localtime(self.at):%Y-%m-%d %H:%M}",
        }


class FollowUp(models.Model):
    """ORD-7: a customer-service follow-up (回访) queued when an order completes."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="follow_up")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=clock.now)
    outcome = models.TextField(_("outcome"), blank=True)
    suggestion = models.TextField(_("customer's suggestion"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["status", "created_at"]

    def __str__(self) -> str:
        return gettext("Follow-up of order #%(order)s (%(status)s)") % {
            "order": self.order_id,
            "status": self.get_status_display(),
        }
