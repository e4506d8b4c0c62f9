"""MSG-1, MSG-2: conversations between customers, merchants and customer service; reply clocks."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.clocks import RULE_CS_MESSAGE_REPLY, RULE_MERCHANT_MESSAGE_REPLY
from aftersales.models import Conversation, Message, MessageImage, ReplyClock, ShiftHandover
from aftersales.selectors import user_is_customer_service
from aftersales.services._common import _require_customer_service
from aftersales.uploads import evidence_check_all
from catalog.selectors import listing_get_for_customer
from merchants.models import MerchantMember
from orders.models import Order
from platform_core import clock as platform_clock
from platform_core.accounts.contact_masking import mask_contact_details
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_start
from platform_core.errors import Conflict, InvalidInput, NotFound
from platform_core.locking import lock
from platform_core.notifications.services import notify
from platform_core.org.departments import DepartmentCode, department_head

CV = Conversation
MSG_SIDE = Message.Side


def conversation_lock(*, conversation_id: int) -> Conversation:
    return lock(Conversation, conversation_id, missing=_("No such conversation."))


def _side_of(conversation: Conversation, user: User) -> str:
    """Which side ``user`` speaks for in ``conversation``; ``NotFound`` if none (SEC-1)."""
    if conversation.customer_id == user.pk:
        return MSG_SIDE.CUSTOMER
    if conversation.is_platform:
        if user_is_customer_service(user):
            return MSG_SIDE.PLATFORM
    elif (
        conversation.merchant_id is not None
        and MerchantMember.objects.filter(
            user=user, merchant_id=conversation.merchant_id, is_active=True
        ).exists()
    ):
        return MSG_SIDE.MERCHANT
    raise NotFound(_("No such conversation."))


def _reply_rule(conversation: Conversation) -> tuple[str, timedelta]:
    if conversation.is_platform:
        return RULE_CS_MESSAGE_REPLY, settings.AFTERSALES_CS_MESSAGE_REPLY_WITHIN
    return RULE_MERCHANT_MESSAGE_REPLY, settings.AFTERSALES_MERCHANT_MESSAGE_REPLY_WITHIN


def _open_clock(conversation: Conversation) -> ReplyClock | None:
    return (
        ReplyClock.objects.select_for_update()
        .filter(conversation=conversation, answered_at__isnull=True)
        .order_by("-asked_at")
        .first()
    )


@transaction.atomic
def conversation_start(
    *,
    customer: User,
    kind: str,
    text: str,
    listing_id: int | None = None,
    order_id: int | None = None,
    images: Sequence[Any] = (),
    actor: User,
) -> Conversation:
    """MSG-1: a customer asks a shop about a listing (pre-sale) or one of their orders, or asks platform
    customer service; the customer's open conversation on the same subject is continued, not duplicated.
    The first message starts the reply clock (MSG-2)."""
    lookup: dict[str, Any] = {"customer": customer, "kind": kind, "status": CV.Status.OPEN}
    create: dict[str, Any] = {}
    if kind == CV.Kind.PRESALE:
        if listing_id is None:
            raise InvalidInput(_("Name the listing you ask about."), errors={"listing": [_("Required.")]})
        listing = listing_get_for_customer(listing_id=listing_id)
        lookup["listing"] = listing
        create = {"merchant": listing.merchant}
    elif kind == CV.Kind.ORDER:
        if order_id is None:
            raise InvalidInput(_("Name the order you ask about."), errors={"order": [_("Required.")]})
        order = Order.objects.filter(pk=order_id, customer=customer).select_related("merchant").first()
        if order is None:
            raise NotFound(_("No such order."))
        lookup["order"] = order
        create = {"merchant": order.merchant}
    elif kind != CV.Kind.PLATFORM:
        raise InvalidInput(_("Unknown kind of conversation."), errors={"kind": [_("Invalid.")]})
    conversation = Conversation.objects.select_for_update().filter(**lookup).order_by("-pk").first()
    if conversation is None:
        conversation = Conversation.objects.create(**lookup, **create)
        audit_record(
            actor=actor,
            action="conversation.started",
            subject=conversation,
            after={"kind": kind, "merchant": conversation.merchant_id},
        )
    message_post(conversation=conversation, sender=customer, text=text, images=images, actor=actor)
    conversation.refresh_from_db()
    return conversation


@transaction.atomic
def message_post(
    *, conversation: Conversation, sender: User, text: str, images: Sequence[Any] = (), actor: User
) -> Message:
    """MSG-1, MSG-2: post a message. The customer's first unanswered message starts the other side's
    reply clock (shop 24 h, platform customer service 2 h); the other side's reply meets it. Any side may
    attach PDF/JPEG/PNG files (checked by content and size, SEC-4)."""
    conversation = conversation_lock(conversation_id=conversation.pk)
    side = _side_of(conversation, sender)
    if conversation.status != CV.Status.OPEN:
        raise Conflict(_("This conversation is closed; start a new one."), code="conversation_closed")
    text = text.strip()
    if not text and not images:
        raise InvalidInput(_("Write something or attach a picture."), errors={"text": [_("Empty.")]})
    types = evidence_check_all(images)
    now = platform_clock.now()
    message = Message.objects.create(conversation=conversation, sender=sender, side=side, text=text)
    for file, content_type in zip(images, types, strict=True):
        MessageImage.objects.create(
            message=message, file=file, content_type=content_type, size=file.size or 0
        )
    conversation.last_message_at = now
    rule, within = _reply_rule(conversation)
    if side == MSG_SIDE.CUSTOMER:
        if conversation.awaiting_since is None:
            conversation.awaiting_since, conversation.reply_due_at = now, now + within
            ReplyClock.objects.create(
                conversation=conversation,
                merchant_id=conversation.merchant_id,
                asked_at=now,
                due_at=conversation.reply_due_at,
            )
            deadline_start(rule=rule, subject=conversation, due_at=conversation.reply_due_at)
        _tell_other_side(conversation)
    else:
        clock = _open_clock(conversation)
        if clock is not None:
            clock.answered_at = now
            clock.save(update_fields=["answered_at"])
        deadline_meet(rule=rule, subject=conversation)
        conversation.awaiting_since = conversation.reply_due_at = None
        if side == MSG_SIDE.PLATFORM and conversation.assigned_to_id is None:
            conversation.assigned_to = sender
        notify(
            recipient=conversation.customer,
            event="conversation_replied",
            title=_("New reply to your message"),
            body=mask_contact_details(text)[:200],
            subject=conversation,
        )
    conversation.save()
    audit_record(
        actor=actor,
        action="conversation.message_posted",
        subject=conversation,
        after={"message": message.pk, "side": side, "images": len(images)},
    )
    return message


def _tell_other_side(conversation: Conversation) -> None:
    """The shop's owner (shop conversations) or the assigned agent (platform) hears of a new message."""
    recipient: User | None
    if conversation.is_platform:
        recipient = conversation.assigned_to
    else:
        assert conversation.merchant is not None
        recipient = conversation.merchant.owner
    if recipient is not None:
        notify(
            recipient=recipient,
            event="conversation_message",
            title=_("New customer message"),
            body=_("Conversation #%(id)s is waiting for an answer.") % {"id": conversation.pk},
            subject=conversation,
        )


@transaction.atomic
def conversation_mark_read(*, conversation: Conversation, reader: User) -> int:
    """MSG-1: read receipts: the other side's unread messages are marked read now; returns how many."""
    side = _side_of(conversation, reader)
    return (
        Message.objects.filter(conversation=conversation, read_at__isnull=True)
        .exclude(side=side)
        .update(read_at=platform_clock.now())
    )


@transaction.atomic
def conversation_assign(*, conversation: Conversation, assignee: User, actor: User) -> Conversation:
    """MSG-2: customer service assigns a platform conversation to an agent."""
    _require_customer_service(actor)
    if not user_is_customer_service(assignee):
        raise InvalidInput(_("Assign to a customer-service agent."), errors={"assignee": [_("Not CS.")]})
    conversation = conversation_lock(conversation_id=conversation.pk)
    if not conversation.is_platform:
        raise Conflict(_("Only platform conversations are assigned."), code="not_platform")
    before = conversation.assigned_to_id
    conversation.assigned_to = assignee
    conversation.save(update_fields=["assigned_to"])
    audit_record(
        actor=actor,
        action="conversation.assigned",
        subject=conversation,
        before={"assigned_to": before},
        after={"assigned_to": assignee.pk},
    )
    return conversation


@transaction.atomic
def conversation_close(*, conversation: Conversation, actor: User) -> Conversation:
    """MSG-1, MSG-2: the customer, or the side answering, closes the conversation.

    A customer who closes while waiting withdraws the question: the wait is dropped. The answering side
    closing ends the wait there (the clock is met, its length counted), so closing never hides a wait
    from the shop's KPI."""
    conversation = conversation_lock(conversation_id=conversation.pk)
    side = _side_of(conversation, actor)
    if conversation.status == CV.Status.CLOSED:
        return conversation
    rule, _within = _reply_rule(conversation)
    clock = _open_clock(conversation)
    if side == MSG_SIDE.CUSTOMER:
        deadline_cancel(rule=rule, subject=conversation, note="conversation closed by the customer")
        if clock is not None and clock.missed_at is None:
            clock.delete()
    else:
        deadline_meet(rule=rule, subject=conversation)
        if clock is not None:
            clock.answered_at = platform_clock.now()
            clock.save(update_fields=["answered_at"])
    conversation.status, conversation.closed_at = CV.Status.CLOSED, platform_clock.now()
    conversation.awaiting_since = conversation.reply_due_at = None
    conversation.save()
    audit_record(actor=actor, action="conversation.closed", subject=conversation, after={"by": side})
    return conversation


def merchant_message_reply_missed(*, conversation: Conversation) -> None:
    """MSG-2, VIO-6: the shop let a customer wait 24 hours: the wait is recorded as missed (it counts
    against the shop's ``message_response_hours`` KPI with its real length) and the owner is told."""
    clock = _open_clock(conversation)
    if clock is None or clock.missed_at is not None:
        return
    clock.missed_at = platform_clock.now()
    clock.save(update_fields=["missed_at"])
    audit_record(
        actor=None, action="conversation.reply_missed", subject=conversation, after={"clock": clock.pk}
    )
    if conversation.merchant is not None:
        notify(
            recipient=conversation.merchant.owner,
            event="conversation_reply_missed",
            title=_("A customer has waited 24 hours for your answer"),
            body=_("Conversation #%(id)s: unanswered messages count against your response KPI.")
            % {"id": conversation.pk},
            subject=conversation,
        )


def cs_message_reply_missed(*, conversation: Conversation) -> None:
    """MSG-2: platform customer service did not answer within 2 hours: escalated to the shift lead (the
    customer-service department head), who is notified — no one has to act for this to happen."""
    clock = _open_clock(conversation)
    if clock is None or clock.missed_at is not None:
        return
    now = platform_clock.now()
    clock.missed_at = now
    clock.save(update_fields=["missed_at"])
    head = department_head(code=DepartmentCode.CUSTOMER_SERVICE)
    conversation.escalated_to, conversation.escalated_at = head, now
    conversation.save(update_fields=["escalated_to", "escalated_at"])
    audit_record(
        actor=None,
        action="conversation.escalated",
        subject=conversation,
        after={"escalated_to": head.pk if head else None, "clock": clock.pk},
        reason="customer service did not answer within the reply window",
    )
    if head is not None:
        notify(
            recipient=head,
            event="conversation_escalated",
            title=_("Customer-service conversation #%(id)s escalated to you") % {"id": conversation.pk},
            body=_("A customer has waited since %(since)s without an answer.")
            % {"since": timezone.localtime(clock.asked_at).strftime("%Y-%m-%d %H:%M")},
            subject=conversation,
        )


@transaction.atomic
def shift_handover_record(*, author: User, notes: str) -> ShiftHandover:
    """MSG-2: an agent leaves notes for the next shift."""
    _require_customer_service(author)
    if not notes.strip():
        raise InvalidInput(_("Write the hand-over notes."), errors={"notes": [_("Empty.")]})
    handover = ShiftHandover.objects.create(author=author, notes=notes.strip())
    audit_record(actor=author, action="shift_handover.recorded", subject=handover)
    return handover
