"""MSG-1, MSG-2: a shop's quick replies (快捷短语): seeded with the built-in phrases the first time the shop
uses them, then added, edited, removed and reordered by the members who answer customers (owner,
operations, customer service: the roles the merchant conversations API admits). Each write is audited."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from aftersales.models import QuickReply
from aftersales.models.quick_replies import DEFAULT_QUICK_REPLIES
from aftersales.selectors import quick_reply_rows_for_merchant
from merchants.models import Merchant, MerchantMember
from merchants.permissions import AFTERSALES_RESPONDERS
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import InvalidInput, NotFound
from platform_core.locking import lock

#: at most this many quick replies a shop keeps (a select list, not a knowledge base)
MAX_QUICK_REPLIES = 50


def _require_responder(merchant: Merchant, actor: User) -> None:
    if not MerchantMember.objects.filter(
        merchant=merchant, user=actor, is_active=True, role__in=AFTERSALES_RESPONDERS
    ).exists():
        raise NotFound(_("No such quick reply."))


def _check(title: str, text: str) -> tuple[str, str]:
    title, text = title.strip(), text.strip()
    errors = {}
    if not title:
        errors["title"] = [_("Required.")]
    if not text:
        errors["text"] = [_("Required.")]
    if errors:
        raise InvalidInput(_("A quick reply needs a title and a text."), errors=errors)
    return title, text


@transaction.atomic
def quick_replies_seed_defaults(*, merchant: Merchant) -> list[QuickReply]:
    """MSG-1: a shop that has never had quick replies gets the built-in ones, in their order (shown in
    the reader's language until edited). Once per shop: removed ones are kept as removed, so nothing is
    seeded again. Returns the shop's live quick replies."""
    lock(Merchant, merchant.pk)
    if not QuickReply.objects.filter(merchant=merchant).exists():
        QuickReply.objects.bulk_create(
            QuickReply(merchant=merchant, title=str(title), text=str(text), position=i, default_key=key)
            for i, (key, title, text) in enumerate(DEFAULT_QUICK_REPLIES, start=1)
        )
    return list(QuickReply.objects.filter(merchant=merchant, deleted_at__isnull=True))


def shop_quick_replies(merchant: Merchant) -> list[QuickReply]:
    """MSG-1: the shop's live quick replies in its order, for the seller centre and the merchant API; the
    built-in ones seeded the first time (one query once seeded)."""
    rows = quick_reply_rows_for_merchant(merchant=merchant)
    if not rows:
        return quick_replies_seed_defaults(merchant=merchant)
    return [row for row in rows if row.deleted_at is None]


@transaction.atomic
def quick_reply_create(*, merchant: Merchant, title: str, text: str, actor: User) -> QuickReply:
    """MSG-1: a new quick reply, last in the shop's list."""
    _require_responder(merchant, actor)
    title, text = _check(title, text)
    lock(Merchant, merchant.pk)
    live = QuickReply.objects.filter(merchant=merchant, deleted_at__isnull=True)
    if live.count() >= MAX_QUICK_REPLIES:
        raise InvalidInput(
            _("A shop keeps at most %(n)d quick replies.") % {"n": MAX_QUICK_REPLIES}, code="too_many"
        )
    last = QuickReply.objects.filter(merchant=merchant).aggregate(m=Max("position"))["m"] or 0
    reply = QuickReply.objects.create(merchant=merchant, title=title, text=text, position=last + 1)
    audit_record(actor=actor, action="quick_reply.created", subject=reply, after={"title": title})
    return reply


def _lock_reply(reply: QuickReply) -> QuickReply:
    locked = lock(QuickReply, reply.pk, missing=_("No such quick reply."))
    if locked.deleted_at is not None:
        raise NotFound(_("No such quick reply."))
    return locked


@transaction.atomic
def quick_reply_update(*, reply: QuickReply, title: str, text: str, actor: User) -> QuickReply:
    """MSG-1: the shop's own title and text (a built-in phrase edited becomes the shop's own)."""
    _require_responder(reply.merchant, actor)
    title, text = _check(title, text)
    reply = _lock_reply(reply)
    before = {"title": reply.shown_title, "text": reply.shown_text}
    reply.title, reply.text, reply.default_key, reply.updated_at = title, text, "", clock.now()
    reply.save(update_fields=["title", "text", "default_key", "updated_at"])
    audit_record(
        actor=actor,
        action="quick_reply.updated",
        subject=reply,
        before=before,
        after={"title": title, "text": text},
    )
    return reply


@transaction.atomic
def quick_reply_delete(*, reply: QuickReply, actor: User) -> None:
    """MSG-1: remove a quick reply from the shop's list (the row is kept, marked removed)."""
    _require_responder(reply.merchant, actor)
    reply = _lock_reply(reply)
    reply.deleted_at = clock.now()
    reply.save(update_fields=["deleted_at"])
    audit_record(
        actor=actor, action="quick_reply.deleted", subject=reply, before={"title": reply.shown_title}
    )


@transaction.atomic
def quick_reply_move(*, reply: QuickReply, up: bool, actor: User) -> QuickReply:
    """MSG-1: move a quick reply one place up or down the shop's list (it swaps with its neighbour; at
    either end nothing moves)."""
    _require_responder(reply.merchant, actor)
    lock(Merchant, reply.merchant_id)
    reply = _lock_reply(reply)
    rows = list(QuickReply.objects.filter(merchant_id=reply.merchant_id, deleted_at__isnull=True))
    index = next(i for i, r in enumerate(rows) if r.pk == reply.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(rows):
        return reply
    for position, row in enumerate(rows, start=1):  # positions 1..n, whatever they were
        row.position = position
    rows[index].position, rows[other_index].position = rows[other_index].position, rows[index].position
    QuickReply.objects.bulk_update(rows, ["position"])
    audit_record(
        actor=actor,
        action="quick_reply.moved",
        subject=reply,
        after={"position": rows[index].position, "direction": "up" if up else "down"},
    )
    return rows[index]
