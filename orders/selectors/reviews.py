"""REP-1, REP-2, USR-1: reviews as customers, merchants and moderators may see them, the listing's
summary and the rating buckets (REP-3), and the fake-review signals (REP-2)."""

import re
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Listing
from catalog.selectors import listing_visible_q
from merchants.models import Merchant, MerchantMember
from merchants.selectors.figures import RatingBucket
from orders.models import Order, Payment, Review, ReviewFlag, ReviewLike, ReviewPhoto
from orders.selectors.money import order_paid_amount, order_refunded_amount
from platform_core.accounts.masking import mask_address, mask_bank_account, mask_phone
from platform_core.accounts.models import User
from platform_core.errors import NotFound
from platform_core.prepared import PreparedQuery

MODERATE_REVIEW_PERMISSION = "orders.moderate_review"


# --- REP-1, REP-2, USR-1: reviews ----------------------------------------------------------------------


def _reviews_shown(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Reviews with what a page shows, in a fixed number of queries however many rows (likes counted in
    SQL, photos prefetched)."""
    return (
        reviews.select_related("customer")
        .annotate(like_count=Count("likes"))
        .prefetch_related(Prefetch("photos", queryset=ReviewPhoto.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )


def _review_filters(
    reviews: QuerySet[Review], *, rating: int | None = None, has_photos: bool | None = None
) -> QuerySet[Review]:
    if rating is not None:
        reviews = reviews.filter(rating=rating)
    if has_photos is not None:
        with_photos = Exists(ReviewPhoto.objects.filter(review=OuterRef("pk")))
        reviews = reviews.filter(with_photos if has_photos else ~with_photos)
    return reviews


def review_list_for_listing(
    *, listing_id: int, rating: int | None = None, has_photos: bool | None = None
) -> QuerySet[Review]:
    """REP-1, REP-2: a visible listing's reviews, newest first; hidden ones stay in the list (the API
    shows them as hidden with the reason). ``NotFound`` for a listing customers may not see."""
    if not Listing.objects.filter(listing_visible_q(), pk=listing_id).exists():
        raise NotFound(_("No such listing."))
    reviews = _review_filters(
        Review.objects.filter(listing_id=listing_id), rating=rating, has_photos=has_photos
    )
    return _reviews_shown(reviews)


def review_list_for_merchant(
    *, merchant: Merchant, replied: bool | None = None, rating: int | None = None
) -> QuerySet[Review]:
    reviews = _review_filters(Review.objects.filter(merchant=merchant), rating=rating)
    if replied is not None:
        reviews = reviews.filter(replied_at__isnull=not replied)
    return _reviews_shown(reviews)


def review_get_for_merchant(*, merchant: Merchant, review_id: int) -> Review:
    review = _reviews_shown(Review.objects.filter(merchant=merchant, pk=review_id)).first()
    if review is None:
        raise NotFound(_("No such review."))
    return review


def review_get_for_customer(*, customer: User, order_id: int, line_id: int) -> Review:
    """The customer's review of their order line; ``NotFound`` for another's line or no review yet."""
    review = _reviews_shown(
        Review.objects.filter(customer=customer, order_id=order_id, order_line_id=line_id)
    ).first()
    if review is None:
        raise NotFound(_("No review of this order line."))
    return review


def review_get_visible(*, review_id: int) -> Review:
    """A review anybody may see and like (USR-1); ``NotFound`` for a hidden one."""
    review = _reviews_shown(Review.objects.filter(pk=review_id, status=Review.Status.VISIBLE)).first()
    if review is None:
        raise NotFound(_("No such review."))
    return review


def review_photo_get_for_viewer(*, user: Any, photo_id: int) -> ReviewPhoto:
    """REP-1, SEC-4: a photo of a visible review is public; a hidden review's photos only reach its author
    and moderators (``orders.moderate_review``); everyone else gets ``NotFound``."""
    photo = ReviewPhoto.objects.select_related("review").filter(pk=photo_id).first()
    if photo is None:
        raise NotFound(_("No such photo."))
    review = photo.review
    author = user is not None and user.is_authenticated and review.customer_id == user.pk
    moderator = user is not None and user.is_staff and user.has_perm(MODERATE_REVIEW_PERMISSION)
    if review.status == Review.Status.VISIBLE or author or moderator:
        return photo
    raise NotFound(_("No such photo."))


def review_get_liked(*, user: Any, review_id: int) -> Review:
    """USR-1: a review the user has liked, whatever its state now (a like can always be taken back);
    ``NotFound`` otherwise."""
    review = Review.objects.filter(pk=review_id, likes__user=user).first()
    if review is None:
        raise NotFound(_("You have not liked this review."))
    return review


def review_like_count(*, review_id: int) -> int:
    return ReviewLike.objects.filter(review_id=review_id).count()


def _counted_reviews() -> QuerySet[Review]:
    """REP-2: reviews whose ratings count — all but those hidden as proven fake (a review hidden for
    abuse, privacy or advertising still carries a real customer's rating)."""
    return Review.objects.exclude(hidden_reason=Review.HideReason.PROVEN_FAKE)


_REVIEW_SUMMARY = PreparedQuery(
    lambda listing_id: _counted_reviews()
    .filter(listing_id=listing_id)
    .order_by()
    .values("listing_id")
    .annotate(
        count=Count("pk"),
        average=Avg("rating"),
        **{f"r{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)},
    )
    .values_list("count", "average", *(f"r{n}" for n in range(1, 6))),
    listing_id=int,
)


def listing_review_summary(listing: Listing) -> dict[str, Any]:
    """REP-1 (issue 5, registered in ``catalog.selectors.LISTING_REVIEW_SUMMARY``): the count, average item
    rating and distribution 1-5 of a listing's counted reviews, in one query (compiled once, issue 26;
    grouped by the listing: no row when it has no reviews)."""
    rows = _REVIEW_SUMMARY.rows(listing_id=listing.pk)
    count, average, *distribution = rows[0] if rows else (0, None, 0, 0, 0, 0, 0)
    return {
        "count": count,
        "average": None if average is None else str(Decimal(str(average)).quantize(Decimal("0.1"))),
        "distribution": {str(n): distribution[n - 1] for n in range(1, 6)},
    }


def review_rating_buckets(merchant: Merchant, since: datetime, until: datetime) -> list[RatingBucket]:
    """REP-3 (``merchants.selectors.rating_sources``): the detailed seller ratings of the
    merchant's counted reviews made in ``[since, until)``, one bucket per local day."""
    rows = (
        _counted_reviews()
        .filter(merchant=merchant, created_at__gte=since, created_at__lt=until)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
        .values("day")
        .annotate(
            count=Count("pk"),
            description_sum=Sum("description_rating"),
            service_sum=Sum("service_rating"),
            logistics_sum=Sum("logistics_rating"),
        )
        .order_by("day")
    )
    return [
        RatingBucket(
            day=row["day"],
            count=row["count"],
            description_sum=row["description_sum"],
            service_sum=row["service_sum"],
            logistics_sum=row["logistics_sum"],
        )
        for row in rows
    ]


def review_flag_queue() -> QuerySet[Review]:
    """REP-2: reviews with an open fake-review flag, oldest flag first (the moderation queue)."""
    return (
        Review.objects.filter(flags__status=ReviewFlag.Status.OPEN)
        .annotate(flagged_at=Min("flags__created_at"))
        .order_by("flagged_at", "pk")
    )


# REP-2: fake-review signals (read here, flagged by ``orders.services.reviews``) -------------------------

SignalFound = tuple[str, dict[str, Any], list[int]]  # signal, details, the reviews to flag


def _phone_key(value: str | None) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if len(digits) >= 7 else ""


def _address_key(value: str | None) -> str:
    return re.sub(r"[\s,，.。、#\-—_/()（）]", "", value or "").lower()


def merchant_people_ids(*, merchant: Merchant) -> set[int]:
    """The merchant's owner and active members: the people whose contact details a reviewer must not share."""
    members = MerchantMember.objects.filter(merchant=merchant, is_active=True).values_list(
        "user_id", flat=True
    )
    return {merchant.owner_id, *members}


def payments_paid_by(*, user_ids: Collection[int], merchant_id: int | None = None) -> QuerySet[Payment]:
    """REP-2, DSP-6: the payments whose payer account is known that ``user_ids`` made — their orders'
    payments and the deposit payments of the shops they own — and, with ``merchant_id``, that shop's
    deposit payments (the shop's own accounts). ``.values("payer_account")`` is their accounts."""
    paid = Q(order__customer_id__in=user_ids) | Q(
        purpose=Payment.Purpose.DEPOSIT, merchant__owner_id__in=user_ids
    )
    if merchant_id is not None:
        paid |= Q(purpose=Payment.Purpose.DEPOSIT, merchant_id=merchant_id)
    return Payment.objects.filter(paid).exclude(payer_account="")


def _payer_accounts(payments: QuerySet[Payment], label: Callable[[str, int | None], str]) -> dict[str, str]:
    """Each payer account of ``payments`` with where it was seen first: ``label(out_trade_no, payer id)``
    (the payer id is the order's customer, ``None`` for a deposit payment)."""
    accounts: dict[str, str] = {}
    rows = payments.order_by("pk").values_list("payer_account", "out_trade_no", "order__customer_id")
    for account, trade, customer_id in rows:
        accounts.setdefault(account, label(trade, customer_id))
    return accounts


def _contact_matches(review: Review, people: set[int]) -> list[SignalFound]:
    """Phones, addresses and payment accounts of the reviewer (account, shipping details of their orders,
    the payer accounts of their payments) against those of the merchant (contact phone, registered
    address, deposit payments) and its people (accounts, their orders and payments)."""
    merchant = review.merchant
    my_phones = {_phone_key(review.customer.phone): "account phone"}
    my_addresses: dict[str, str] = {}
    for number, phone, address in Order.objects.filter(customer=review.customer).values_list(
        "number", "shipping_phone", "shipping_address"
    ):
        my_phones.setdefault(_phone_key(phone), f"shipping phone of order {number}")
        my_addresses.setdefault(_address_key(address), f"shipping address of order {number}")
    their_phones = {_phone_key(merchant.contact_phone): "shop contact phone"}
    their_addresses = {_address_key(merchant.registered_address): "shop registered address"}
    for user_id, phone in User.objects.filter(pk__in=people).values_list("pk", "phone"):
        their_phones.setdefault(_phone_key(phone), f"account of shop member #{user_id}")
    for user_id, phone, address in Order.objects.filter(customer_id__in=people).values_list(
        "customer_id", "shipping_phone", "shipping_address"
    ):
        their_phones.setdefault(_phone_key(phone), f"shipping phone of shop member #{user_id}")
        their_addresses.setdefault(_address_key(address), f"shipping address of shop member #{user_id}")
    my_accounts = _payer_accounts(
        payments_paid_by(user_ids=[review.customer_id]),
        lambda trade, _customer: f"payment {trade}",
    )
    their_accounts = _payer_accounts(
        payments_paid_by(user_ids=people, merchant_id=merchant.pk),
        lambda trade, customer: (
            f"deposit payment {trade}" if customer is None else f"payment of shop member #{customer}"
        ),
    )
    found: list[SignalFound] = []
    for signal, mine, theirs, mask in (
        (ReviewFlag.Signal.SHARED_PHONE, my_phones, their_phones, mask_phone),
        (ReviewFlag.Signal.SHARED_ADDRESS, my_addresses, their_addresses, mask_address),
        (ReviewFlag.Signal.SHARED_PAYMENT_ACCOUNT, my_accounts, their_accounts, mask_bank_account),
    ):
        shared = sorted(set(mine) & set(theirs) - {""})
        if shared:
            matches = [{"value": mask(key), "reviewer": mine[key], "merchant": theirs[key]} for key in shared]
            found.append((signal, {"matches": matches}, [review.pk]))
    return found


def _device_match(review: Review, people: set[int]) -> list[SignalFound]:
    if not review.device_fingerprint:
        return []
    others = list(
        Review.objects.filter(device_fingerprint=review.device_fingerprint)
        .exclude(customer_id=review.customer_id)
        .filter(Q(merchant_id=review.merchant_id) | Q(customer_id__in=people))
        .values_list("pk", "customer_id")[:20]
    )
    if not others:
        return []
    details = {
        "reviews": [pk for pk, _c in others],
        "accounts": sorted({c for _p, c in others}),
        "shop_members": sorted({c for _p, c in others} & people),
    }
    return [(ReviewFlag.Signal.SHARED_DEVICE, details, [review.pk])]


def _refunded_in_full(review: Review) -> list[SignalFound]:
    details = order_refund_details(order=review.order)
    if details["fully_refunded"]:
        return [(ReviewFlag.Signal.REFUNDED_IN_FULL, details, [review.pk])]
    return []


def order_refund_details(*, order: Order) -> dict[str, Any]:
    """What the customer paid and got back for ``order`` (PAY-5), and whether that was everything."""
    paid, refunded = order_paid_amount(order=order), order_refunded_amount(order=order)
    return {
        "order": order.number,
        "paid": str(paid),
        "refunded": str(refunded),
        "fully_refunded": paid > 0 and refunded >= paid,
    }


def _five_star_burst(review: Review, policy: dict[str, int]) -> list[SignalFound]:
    new_account = timedelta(days=policy["new_account_days"])
    if review.rating != 5 or review.customer.date_joined < review.created_at - new_account:
        return []
    burst = list(
        Review.objects.filter(
            merchant_id=review.merchant_id,
            rating=5,
            created_at__gt=review.created_at - timedelta(hours=policy["burst_window_hours"]),
            created_at__lte=review.created_at,
            customer__date_joined__gte=F("created_at") - new_account,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    if len(burst) < policy["burst_count"]:
        return []
    details = {
        "reviews": burst,
        "window_hours": policy["burst_window_hours"],
        "new_account_days": policy["new_account_days"],
    }
    return [(ReviewFlag.Signal.FIVE_STAR_BURST, details, burst)]


def _review_ring(review: Review, policy: dict[str, int]) -> list[SignalFound]:
    since = review.created_at - timedelta(days=policy["ring_window_days"])
    recent = Review.objects.filter(created_at__gte=since, created_at__lte=review.created_at)
    merchants = set(recent.filter(customer_id=review.customer_id).values_list("merchant_id", flat=True))
    if len(merchants) < policy["ring_shared_merchants"]:
        return []
    partners = list(
        recent.filter(merchant_id__in=merchants)
        .exclude(customer_id=review.customer_id)
        .values("customer_id")
        .annotate(shared=Count("merchant_id", distinct=True))
        .filter(shared__gte=policy["ring_shared_merchants"])
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
    )
    if len(partners) < policy["ring_accounts"]:
        return []
    details = {"accounts": partners, "merchants": sorted(merchants)}
    return [(ReviewFlag.Signal.REVIEW_RING, details, [review.pk])]


def review_fake_signals(*, review: Review, policy: dict[str, int]) -> list[SignalFound]:
    """REP-2: the fake-review signals a new review raises (each with its details and the reviews to flag)."""
    people = merchant_people_ids(merchant=review.merchant)
    return [
        *_contact_matches(review, people),
        *_device_match(review, people),
        *_refunded_in_full(review),
        *_five_star_burst(review, policy),
        *_review_ring(review, policy),
    ]
