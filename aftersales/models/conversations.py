"""MSG-1, MSG-2: consultation messages and customer service."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Listing
from merchants.models import Merchant
from orders.models import Order
from platform_core import clock


class Conversation(models.Model):
    """MSG-1: a customer's conversation with a shop (pre-sale about a listing, or about an order) or with
    platform customer service. MSG-2: while a customer message waits for an answer, ``awaiting_since``
    and ``reply_due_at`` mirror the running reply clock (for the queue's sort and the badge)."""

    class Kind(models.TextChoices):
        PRESALE = "presale", _("Pre-sale question about a listing")
        ORDER = "order", _("About an order")
        PLATFORM = "platform", _("Platform customer service")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations"
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="conversations"
    )
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="conversations"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=clock.now)
    last_message_at = models.DateTimeField(default=clock.now)
    awaiting_since = models.DateTimeField(_("waiting for an answer since"), null=True, blank=True)
    reply_due_at = models.DateTimeField(_("answer due at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            models.Index(fields=["customer", "-last_message_at"], name="conv_customer_idx"),
            models.Index(fields=["merchant", "-last_message_at"], name="conv_merchant_idx"),
            models.Index(fields=["kind", "status", "reply_due_at"], name="conv_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="platform", merchant__isnull=True)
                | Q(kind="presale", merchant__isnull=False, listing__isnull=False)
                | Q(kind="order", merchant__isnull=False, order__isnull=False),
                name="conversation_kind_parties",
            )
        ]

    def __str__(self) -> str:
        return gettext("Conversation #%(id)s (%(kind)s, %(status)s)") % {
            "id": self.pk,
            "kind": self.get_kind_display(),
            "status": self.get_status_display(),
        }

    @property
    def is_platform(self) -> bool:
        return self.kind == self.Kind.PLATFORM


class Message(models.Model):
    """MSG-1: one message. ``text`` is stored as typed; the other party reads it with phone numbers and
    addresses masked (``platform_core.accounts.contact_masking.mask_contact_details``). ``read_at``: the read receipt."""

    class Side(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        MERCHANT = "merchant", _("Shop")
        PLATFORM = "platform", _("Platform customer service")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10, choices=Side.choices)
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["conversation_id", "created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "side", "read_at"], name="msg_unread_idx")]

    def __str__(self) -> str:
        return gettext("Message #%(id)s (%(side)s)") % {"id": self.pk, "side": self.get_side_display()}


class MessageImage(models.Model):
    """MSG-1, SEC-4: an image (or PDF) attached to a message, checked by content and size."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to="aftersales/messages/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return gettext("Message image #%(id)s (%(type)s)") % {"id": self.pk, "type": self.content_type}


class ReplyClock(models.Model):
    """MSG-2: one wait for an answer — from the customer's first unanswered message to the other side's
    reply. Kept after the clock's deadline resolves: the merchant's KPI figures are computed from it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="reply_clocks")
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, null=True, blank=True, related_name="reply_clocks"
    )
    asked_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["merchant", "asked_at"], name="reply_clock_merchant_idx")]

    def __str__(self) -> str:
        return gettext("Reply clock #%(id)s of conversation #%(conversation)s") % {
            "id": self.pk,
            "conversation": self.conversation_id,
        }


class ShiftHandover(models.Model):
    """MSG-2: customer service's shift hand-over notes (what the next shift must pick up). Append-only."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"))
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("shift hand-over note")
        verbose_name_plural = _("shift hand-over notes")

    def __str__(self) -> str:
        return gettext("Shift hand-over #%(id)s by user #%(author)s") % {
            "id": self.pk,
            "author": self.author_id,
        }


class ServiceConversation(Conversation):
    """MSG-2: customer service's queue of open platform conversations, by time left (admin console)."""

    class Meta:
        proxy = True
        verbose_name = _("customer-service conversation")
        verbose_name_plural = _("customer-service conversations (queue)")
