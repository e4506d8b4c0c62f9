"""REP-1, REP-2, USR-1: reviews, follow-ups, replies, moderation, fake-review flags and likes."""

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant
from merchants.services.violations import violation_record
from orders.models import Order, OrderLine, Review, ReviewFlag, ReviewLike, ReviewPhoto
from orders.selectors.reviews import (
    MODERATE_REVIEW_PERMISSION,
    order_refund_details,
    review_fake_signals,
    review_get_visible,
    review_like_count,
)
from orders.services.locks import order_lock
from platform_core import clock
from platform_core.accounts.models import BasicPermission, User
from platform_core.accounts.services import basic_permission_require
from platform_core.audit.services import audit_record
from platform_core.errors import Conflict, Forbidden, InvalidInput, NotFound
from platform_core.locking import lock_first
from platform_core.notifications.services import notify
from platform_core.uploads import upload_sniff

# --- REP-1, REP-2, USR-1: reviews ----------------------------------------------------------------------

RATING_FIELDS = ("rating", "description_rating", "service_rating", "logistics_rating")
REVIEW_TEXT_MAX = 2000


def _ratings_check(ratings: dict[str, Any]) -> None:
    errors = {
        field: [_("A whole number from 1 to 5.")]
        for field, value in ratings.items()
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
    }
    if errors:
        raise InvalidInput(_("Ratings are whole numbers from 1 to 5."), code="rating_invalid", errors=errors)


def _text_check(text: str, *, field: str, required: bool) -> str:
    text = text.strip()
    if required and not text:
        raise InvalidInput(_("Write the text."), code="text_missing", errors={field: [_("Required.")]})
    if len(text) > REVIEW_TEXT_MAX:
        raise InvalidInput(
            _("At most %(n)d characters.") % {"n": REVIEW_TEXT_MAX},
            code="text_too_long",
            errors={field: [_("Too long.")]},
        )
    return text


def _photos_check(photos: Sequence[Any]) -> list[str]:
    """SEC-4: every photo's content type (JPEG or PNG by content), before anything is written."""
    if len(photos) > settings.ORDERS_REVIEW_PHOTO_MAX_FILES:
        raise InvalidInput(
            _("At most %(n)d photos.") % {"n": settings.ORDERS_REVIEW_PHOTO_MAX_FILES},
            code="too_many_files",
            errors={"photos": [_("Too many photos.")]},
        )
    types = [
        upload_sniff(photo, max_bytes=settings.ORDERS_REVIEW_PHOTO_MAX_BYTES, field="photos")
        for photo in photos
    ]
    if any(not t.startswith("image/") for t in types):
        raise InvalidInput(
            _("Photos are JPEG or PNG images."),
            code="file_type_not_allowed",
            errors={"photos": [_("Not a photo.")]},
        )
    return types


def _photos_save(review: Review, photos: Sequence[Any], types: list[str], *, follow_up: bool) -> None:
    for photo, content_type in zip(photos, types, strict=True):
        ReviewPhoto.objects.create(
            review=review, file=photo, content_type=content_type, size=photo.size, follow_up=follow_up
        )


def _device_key(device_fingerprint: str) -> str:
    """REP-2: the client's device fingerprint is compared, never kept: only its SHA-256 is stored."""
    value = device_fingerprint.strip()[:500]
    return hashlib.sha256(value.encode()).hexdigest() if value else ""


def _line_of_customer(*, customer: User, order_id: int, line_id: int) -> tuple[Order, OrderLine]:
    """The customer's order (locked) and line; ``NotFound`` for anybody else's (SEC-1)."""
    order = order_lock(order_id=order_id)
    line = OrderLine.objects.filter(order=order, pk=line_id).first()
    if order.customer_id != customer.pk or line is None:
        raise NotFound(_("No such order line."))
    return order, line


def _review_flag(review_ids: Iterable[int], *, signal: str, details: dict[str, Any]) -> list[ReviewFlag]:
    """REP-2: one open flag per review and signal (a signal raised again on a review adds nothing)."""
    details = json.loads(json.dumps(details, cls=DjangoJSONEncoder))
    created = []
    for review_id in review_ids:
        flag, new = ReviewFlag.objects.get_or_create(
            review_id=review_id, signal=signal, defaults={"details": details}
        )
        if new:
            audit_record(
                actor=None, action="review.flagged", subject=flag.review, after={"signal": signal, **details}
            )
            created.append(flag)
    return created


@transaction.atomic
def review_create(
    *,
    customer: User,
    order_id: int,
    line_id: int,
    rating: int,
    description_rating: int,
    service_rating: int,
    logistics_rating: int,
    text: str = "",
    anonymous: bool = False,
    photos: Sequence[Any] = (),
    device_fingerprint: str = "",
    actor: User,
) -> Review:
    """REP-1: the customer of a completed order line reviews it, once, within 15 days of completion: an
    item rating and the detailed seller ratings (description, service, logistics), text and photos.
    REP-2: the fake-review signals it raises are flagged for moderation. USR-1: a restricted review
    permission refuses with the penalty's reason."""
    basic_permission_require(user=customer, permission=BasicPermission.REVIEW)
    order, line = _line_of_customer(customer=customer, order_id=order_id, line_id=line_id)
    ratings = {
        "rating": rating,
        "description_rating": description_rating,
        "service_rating": service_rating,
        "logistics_rating": logistics_rating,
    }
    _ratings_check(ratings)
    text = _text_check(text, field="text", required=False)
    types = _photos_check(photos)
    if order.completed_at is None:
        raise Conflict(
            _("An order line is reviewed once the order is completed."), code="order_not_completed"
        )
    if Review.objects.filter(order_line=line).exists():
        raise Conflict(
            _("This order line was already reviewed; you may add one follow-up."), code="already_reviewed"
        )
    closes = order.completed_at + settings.ORDERS_REVIEW_WINDOW
    if clock.now() > closes:
        raise Conflict(
            _("Reviews are accepted within %(days)d days of completion (until %(date)s).")
            % {
                "days": settings.ORDERS_REVIEW_WINDOW.days,
                "date": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M"),
            },
            code="review_window_closed",
        )
    review = Review.objects.create(
        order_line=line,
        order=order,
        merchant_id=order.merchant_id,
        listing_id=line.listing_id,
        customer=customer,
        text=text,
        anonymous=anonymous,
        device_fingerprint=_device_key(device_fingerprint),
        **ratings,
    )
    _photos_save(review, photos, types, follow_up=False)
    audit_record(
        actor=actor,
        action="review.created",
        subject=review,
        after={
            "order": order.number,
            "line": line.pk,
            **ratings,
            "photos": len(photos),
            "anonymous": anonymous,
        },
    )
    notify(
        recipient=order.merchant.owner,
        event="review_received",
        title=_("New review"),
        body=_("%(title)s (order %(number)s) was rated %(rating)d/5.")
        % {"title": line.title, "number": order.number, "rating": rating},
        subject=review,
    )
    review = Review.objects.select_related("customer", "merchant", "order").get(pk=review.pk)
    for signal, details, review_ids in review_fake_signals(
        review=review, policy=settings.ORDERS_REVIEW_SIGNALS
    ):
        _review_flag(review_ids, signal=signal, details=details)
    return review


@transaction.atomic
def review_follow_up(
    *, customer: User, order: Order, line_id: int, text: str, photos: Sequence[Any] = (), actor: User
) -> Review:
    """REP-1: one follow-up review (追评), later, until ``ORDERS_REVIEW_FOLLOW_UP_WITHIN`` after completion."""
    basic_permission_require(user=customer, permission=BasicPermission.REVIEW)
    order, line = _line_of_customer(customer=customer, order_id=order.pk, line_id=line_id)
    text = _text_check(text, field="text", required=True)
    types = _photos_check(photos)
    review = Review.objects.select_for_update().filter(order_line=line).first()
    if review is None:
        raise Conflict(_("Review the order line before adding a follow-up."), code="not_reviewed")
    if review.followed_up_at is not None:
        raise Conflict(_("This review already has its follow-up."), code="already_followed_up")
    assert order.completed_at is not None
    if clock.now() > order.completed_at + settings.ORDERS_REVIEW_FOLLOW_UP_WITHIN:
        raise Conflict(
            _("A follow-up is accepted within %(days)d days of completion.")
            % {"days": settings.ORDERS_REVIEW_FOLLOW_UP_WITHIN.days},
            code="follow_up_window_closed",
        )
    review.follow_up_text, review.followed_up_at = text, clock.now()
    review.save(update_fields=["follow_up_text", "followed_up_at"])
    _photos_save(review, photos, types, follow_up=True)
    audit_record(actor=actor, action="review.followed_up", subject=review, after={"photos": len(photos)})
    return review


def _review_lock(**filters: Any) -> Review:
    review = lock_first(Review.objects.select_related("order"), **filters)
    if review is None:
        raise NotFound(_("No such review."))
    return review


@transaction.atomic
def review_reply(*, merchant: Merchant, review: Review, text: str, actor: User) -> Review:
    """REP-1: the merchant answers a review of its shop, once; the customer is told."""
    review = _review_lock(pk=review.pk, merchant=merchant)
    text = _text_check(text, field="text", required=True)
    if review.replied_at is not None:
        raise Conflict(_("This review was already answered."), code="already_replied")
    review.reply_text, review.replied_at, review.replied_by = text, clock.now(), actor
    review.save(update_fields=["reply_text", "replied_at", "replied_by"])
    audit_record(actor=actor, action="review.replied", subject=review, after={"merchant": merchant.pk})
    notify(
        recipient=review.customer,
        event="review_replied",
        title=_("The shop answered your review"),
        body=_("%(shop)s answered your review of order %(number)s.")
        % {"shop": merchant.name, "number": review.order.number},
        subject=review,
    )
    return review


@transaction.atomic
def review_report(*, merchant: Merchant, review: Review, reason: str, note: str, actor: User) -> ReviewFlag:
    """REP-2: the shop reports a review of its shop as abusive, for one of the reasons staff may hide a
    review for, with what it finds wrong; the review stays visible until a moderator decides (the
    report joins the flag queue). Once per review."""
    if reason not in Review.HideReason.values:
        raise InvalidInput(
            _("A review is reported only for a listed reason."),
            code="report_reason_not_listed",
            errors={"reason": [_("Choose a listed reason.")]},
        )
    note = _text_check(note, field="note", required=True)
    review = _review_lock(pk=review.pk, merchant=merchant)
    details = {"reason": reason, "note": note[:500], "merchant": merchant.pk, "by": actor.pk}
    flag, created = ReviewFlag.objects.get_or_create(
        review=review, signal=ReviewFlag.Signal.MERCHANT_REPORT, defaults={"details": details}
    )
    if not created:
        raise Conflict(_("The shop already reported this review."), code="already_reported")
    audit_record(actor=actor, action="review.reported", subject=review, after={"reason": reason}, reason=note)
    return flag


def _moderator_check(actor: User) -> None:
    if not (actor.is_active and actor.is_staff and actor.has_perm(MODERATE_REVIEW_PERMISSION)):
        raise Forbidden(_("You may not moderate reviews."), code="not_allowed")


@transaction.atomic
def review_hide(*, review: Review, reason: str, note: str = "", actor: User) -> Review:
    """REP-2: staff hide a review only for a listed reason (abuse, privacy, advertising, proven fake); it
    stays, shown as hidden with the reason. Open flags of a review hidden as proven fake are confirmed
    and the merchant gets a fake-review violation (VIO-1)."""
    if reason not in Review.HideReason.values:
        raise InvalidInput(
            _("A review is hidden only for a listed reason."),
            code="hide_reason_not_listed",
            errors={
                "reason": [
                    _("Choose one of: %(reasons)s.")
                    % {"reasons": ", ".join(str(label) for label in Review.HideReason.labels)}
                ]
            },
        )
    _moderator_check(actor)
    review = _review_lock(pk=review.pk)
    review.hide(reason=reason, note=note.strip()[:500], by=actor)
    review.save()
    audit_record(
        actor=actor,
        action="review.hidden",
        subject=review,
        before={"status": Review.Status.VISIBLE},
        after={"status": review.status, "reason": reason},
        reason=note,
    )
    notify(
        recipient=review.customer,
        event="review_hidden",
        title=_("Your review was hidden"),
        body=_("Your review of order %(number)s was hidden. Reason: %(reason)s")
        % {"number": review.order.number, "reason": review.get_hidden_reason_display()},
        subject=review,
    )
    if reason == Review.HideReason.PROVEN_FAKE:
        signals = list(review.flags.values_list("signal", flat=True))
        review.flags.filter(status=ReviewFlag.Status.OPEN).update(
            status=ReviewFlag.Status.CONFIRMED,
            resolved_at=clock.now(),
            resolved_by=actor,
            resolution_note=note,
        )
        violation_record(
            merchant=review.merchant,
            kind="fake_reviews",
            evidence={"review": review.pk, "order": review.order.number, "signals": signals, "note": note},
            source="staff",
            actor=actor,
        )
    return review


@transaction.atomic
def review_flags_dismiss(*, review: Review, note: str, actor: User) -> int:
    """REP-2: a moderator finds the review genuine: its open flags are dismissed with the reason."""
    if not note.strip():
        raise InvalidInput(
            _("Say why the flags are dismissed."), code="note_missing", errors={"note": [_("Required.")]}
        )
    _moderator_check(actor)
    review = _review_lock(pk=review.pk)
    dismissed = review.flags.filter(status=ReviewFlag.Status.OPEN).update(
        status=ReviewFlag.Status.DISMISSED,
        resolved_at=clock.now(),
        resolved_by=actor,
        resolution_note=note,
    )
    if dismissed:
        audit_record(
            actor=actor,
            action="review.flags_dismissed",
            subject=review,
            after={"flags": dismissed},
            reason=note,
        )
    return dismissed


def reviews_flag_refunded(*, order: Order) -> list[ReviewFlag]:
    """REP-2: an order refunded in full after it was reviewed: its reviews are flagged (called by
    ``order_refund`` in its transaction)."""
    review_ids = list(Review.objects.filter(order=order).values_list("pk", flat=True))
    if not review_ids:
        return []
    details = order_refund_details(order=order)
    return _review_flag(review_ids, signal=ReviewFlag.Signal.REFUNDED_IN_FULL, details=details)


@transaction.atomic
def review_like(*, user: User, review: Review, actor: User) -> int:
    """USR-1: like a visible review, once (liking again changes nothing); the review's like count."""
    basic_permission_require(user=user, permission=BasicPermission.LIKE)
    review = review_get_visible(review_id=review.pk)
    _like, created = ReviewLike.objects.get_or_create(review=review, user=user)
    if created:
        audit_record(actor=actor, action="review.liked", subject=review)
    return review_like_count(review_id=review.pk)


@transaction.atomic
def review_unlike(*, user: User, review: Review, actor: User) -> int:
    """USR-1: take a like back (always allowed)."""
    deleted, _rows = ReviewLike.objects.filter(review_id=review.pk, user=user).delete()
    if not deleted:
        raise NotFound(_("You have not liked this review."))
    audit_record(actor=actor, action="review.unliked", subject=user, after={"review": review.pk})
    return review_like_count(review_id=review.pk)
