"""ORD-10: delivery problems. A carrier's ``exception`` event, or no tracking movement for 72 h after
shipping, opens a ``DeliveryCase``; the merchant has 48 h to resolve it (reship or agree a refund), else it
lapses and the customer may take a full refund at once (and the case counts against the merchant, VIO-6).

Models hold fields, constraints and transitions only; every write goes through
``orders.services.delivery``.
"""

import pgtrigger
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from orders.models.fulfilment import TrackingEvent
from orders.models.order import Order
from orders.models.payments import Refund
from platform_core import clock
from platform_core.ledger.models import LedgerHold
from platform_core.timeline import StatusTimelineEvent


class DeliveryCase(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """ORD-10: one delivery problem of a shipped order, and where it stands."""

    class Cause(models.TextChoices):
        EXCEPTION = "exception", _("Carrier reported an exception")
        NO_MOVEMENT = "no_movement", _("No tracking movement")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESHIPPED = "reshipped", _("Resolved: reshipped")
        REFUND_AGREED = "refund_agreed", _("Resolved: refund agreed")
        DELIVERED = "delivered", _("Resolved: delivered")
        LAPSED = "lapsed", _("Lapsed: not resolved in time")
        REFUNDED = "refunded", _("Refunded to the customer")
        CLOSED = "closed", _("Closed")

    #: the states in which the case still needs somebody (the merchant, or the customer's refund)
    ACTIVE_STATUSES = (Status.OPEN, Status.LAPSED)

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="delivery_cases")
    cause = models.CharField(_("cause"), max_length=16, choices=Cause.choices)
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, protected=True)
    # the carrier's exception event that opened the case (None: no movement)
    tracking_event = models.ForeignKey(
        TrackingEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=clock.now)
    # denormalised from the "orders.delivery_case" clock for lists
    respond_by = models.DateTimeField(_("resolve by"))
    resolved_at = models.DateTimeField(null=True, blank=True)
    lapsed_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    # a reshipment: the new parcel
    reship_carrier = models.CharField(_("new carrier"), max_length=32, blank=True)
    reship_tracking_number = models.CharField(_("new tracking number"), max_length=64, blank=True)
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # PAY-6: the escrow hold while the case is open or lapsed (settlement waits; its reason is shown)
    hold = models.ForeignKey(LedgerHold, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    # VIO-6: the merchant missed the 48-hour clock
    counts_against_merchant = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["status", "respond_by"], name="delivery_case_status_idx")]
        constraints = [
            # ORD-10: one case at a time per order (a new one only once the last is resolved)
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["open", "lapsed"]),
                name="delivery_case_one_active_per_order",
            )
        ]

    def __str__(self) -> str:
        return gettext("Delivery case #%(id)s of order #%(order)s (%(status)s)") % {
            "id": self.pk,
            "order": self.order_id,
            "status": self.get_status_display(),
        }

    @transition(field=status, source=Status.OPEN, target=Status.RESHIPPED)
    def reship(self, *, carrier: str, tracking_number: str) -> None:
        self.reship_carrier, self.reship_tracking_number = carrier, tracking_number
        self.resolved_at = clock.now()

    @transition(field=status, source=Status.OPEN, target=Status.REFUND_AGREED)
    def agree_refund(self) -> None:
        self.resolved_at = self.refunded_at = clock.now()

    @transition(field=status, source=Status.OPEN, target=Status.DELIVERED)
    def delivered(self) -> None:
        self.resolved_at = clock.now()

    @transition(field=status, source=Status.OPEN, target=Status.LAPSED)
    def lapse(self) -> None:
        self.lapsed_at = clock.now()
        self.counts_against_merchant = True

    @transition(field=status, source=Status.LAPSED, target=Status.REFUNDED)
    def refund_customer(self) -> None:
        self.refunded_at = clock.now()

    @transition(field=status, source=[Status.OPEN, Status.LAPSED], target=Status.CLOSED)
    def close(self) -> None:
        """The order ended otherwise (received by the customer, refunded in full elsewhere)."""
        self.resolved_at = clock.now()


class DeliveryCaseEvent(StatusTimelineEvent):
    """ORD-10: the case's timeline; every step with actor, time and reason. Append-only."""

    action_labels = {"opened": pgettext_lazy("timeline", "Delivery problem reported")}
    status_labels = dict(DeliveryCase.Status.choices)  # the other steps are named after the case's status

    case = models.ForeignKey(DeliveryCase, on_delete=models.PROTECT, related_name="events")
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case_id", "at", "pk"]
        triggers = [
            pgtrigger.Protect(
                name="delivery_case_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return gettext("Delivery case #%(case)s: %(action)s %(from)s→%(to)s") % {
            "case": self.case_id,
            "action": self.action,
            "from": self.from_status,
            "to": self.to_status,
        }
