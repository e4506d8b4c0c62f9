"""Reads of orders, each scoped to who is asking (SEC-1), and the money of an order derived from the
ledger (PAY-1, PAY-2): paid, refunded and released amounts are sums of ledger entries, never fields."""

import re
from collections.abc import Callable, Collection
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Avg,
    CharField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Listing
from catalog.selectors import listing_visible_q
from merchants.models import Merchant, MerchantMember
from merchants.selectors.figures import RatingBucket
from orders.models import (
    Cart,
    CartItem,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PayoutStatement,
    Review,
    ReviewFlag,
    ReviewLike,
    ReviewPhoto,
    TrackingEvent,
)
from platform_core.accounts.masking import mask_address, mask_bank_account, mask_phone
from platform_core.accounts.models import User
from platform_core.deadlines.models import Deadline
from platform_core.errors import NotFound
from platform_core.ledger.models import AccountKind, LedgerAccount, LedgerEntry, LedgerHold, TransactionKind
from platform_core.money import money_from

ZERO = Decimal("0.00")
MODERATE_REVIEW_PERMISSION = "orders.moderate_review"


# --- customers --------------------------------------------------------------------------------------


def cart_items_for_customer(*, customer: User) -> QuerySet[CartItem]:
    return (
        CartItem.objects.filter(cart__customer=customer)
        .select_related("sku__listing__live_version", "sku__listing__merchant")
        .order_by("pk")
    )


def cart_for_customer(*, customer: User) -> Cart | None:
    return Cart.objects.filter(customer=customer).first()


def _with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related("merchant").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    )


def order_list_for_customer(*, customer: User, status: str | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(customer=customer)
    if status:
        orders = orders.filter(status=status)
    return _with_details(orders).order_by("-created_at", "-pk")


def order_get_for_customer(*, customer: User, order_id: int) -> Order:
    """SEC-1: ``NotFound`` for anybody else's order (never confirm it exists)."""
    order = _with_details(Order.objects.filter(customer=customer, pk=order_id)).first()
    if order is None:
        raise NotFound(_("No such order."))
    return order


def order_events(*, order: Order) -> QuerySet[OrderEvent]:
    return OrderEvent.objects.filter(order=order).order_by("at", "pk")


def order_tracking(*, order: Order) -> QuerySet[TrackingEvent]:
    """ORD-5: tracking events in the order they happened."""
    return TrackingEvent.objects.filter(order=order).order_by("at", "pk")


# --- merchants --------------------------------------------------------------------------------------


def order_list_for_merchant(
    *, merchant: Merchant, status: str | None = None, to_ship: bool = False
) -> QuerySet[Order]:
    """ORD-4: ``to_ship`` lists paid product orders, the most urgent (ship-by soonest) first."""
    orders = Order.objects.filter(merchant=merchant)
    if to_ship:
        return _with_details(orders.filter(status=Order.Status.PAID, kind=Order.Kind.PRODUCT)).order_by(
            "ship_by", "pk"
        )
    if status:
        orders = orders.filter(status=status)
    return _with_details(orders).order_by("-created_at", "-pk")


def order_get_for_merchant(*, merchant: Merchant, order_id: int) -> Order:
    order = _with_details(Order.objects.filter(merchant=merchant, pk=order_id)).first()
    if order is None:
        raise NotFound(_("No such order."))
    return order


def merchant_daily_sales(*, merchant: Merchant, days: int = 30) -> list[dict[str, Any]]:
    """The shop's paid (not cancelled) orders per local day over the last ``days`` days (today included), oldest first:
    ``{"day", "orders", "amount"}``, days without sales included (one query)."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        Order.objects.filter(merchant=merchant, paid_at__gte=since)
        .exclude(status=Order.Status.CANCELLED)
        .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(orders=Count("pk"), amount=Sum("total"))
    )
    by_day = {row["day"]: row for row in rows}
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day, {})
        series.append({"day": day, "orders": row.get("orders", 0), "amount": row.get("amount") or ZERO})
    return series


def statement_list_for_merchant(*, merchant: Merchant) -> QuerySet[PayoutStatement]:
    return PayoutStatement.objects.filter(merchant=merchant).select_related("payout").order_by("-period")


def statement_get_for_merchant(*, merchant: Merchant, statement_id: int) -> PayoutStatement:
    statement = statement_list_for_merchant(merchant=merchant).filter(pk=statement_id).first()
    if statement is None:
        raise NotFound(_("No such statement."))
    return statement


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


def review_like_count(*, review_id: int) -> int:
    return ReviewLike.objects.filter(review_id=review_id).count()


def _counted_reviews() -> QuerySet[Review]:
    """REP-2: reviews whose ratings count — all but those hidden as proven fake (a review hidden for
    abuse, privacy or advertising still carries a real customer's rating)."""
    return Review.objects.exclude(hidden_reason=Review.HideReason.PROVEN_FAKE)


def listing_review_summary(listing: Listing) -> dict[str, Any]:
    """REP-1 (issue 5, registered in ``catalog.selectors.LISTING_REVIEW_SUMMARY``): the count, average item
    rating and distribution 1-5 of a listing's counted reviews, in one query."""
    figures = (
        _counted_reviews()
        .filter(listing=listing)
        .aggregate(
            count=Count("pk"),
            average=Avg("rating"),
            **{f"r{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)},
        )
    )
    average = figures["average"]
    return {
        "count": figures["count"],
        "average": None if average is None else str(Decimal(str(average)).quantize(Decimal("0.1"))),
        "distribution": {str(n): figures[f"r{n}"] for n in range(1, 6)},
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


# REP-2: fake-review signals (read here, flagged by ``orders.services``) ---------------------------------

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


def deposit_payment_get_for_merchant(*, merchant: Merchant, out_trade_no: str) -> Payment:
    """MER-5: one of the merchant's deposit payments (``NotFound`` for anyone else's)."""
    payment = (
        Payment.objects.filter(purpose=Payment.Purpose.DEPOSIT, merchant=merchant, out_trade_no=out_trade_no)
        .select_related("category")
        .first()
    )
    if payment is None:
        raise NotFound(_("No such payment."))
    return payment


# --- money of an order (from the ledger) -----------------------------------------------------------


def order_escrow_account(*, order: Order) -> LedgerAccount | None:
    return LedgerAccount.objects.filter(
        kind=AccountKind.ORDER_ESCROW,
        owner_type=ContentType.objects.get_for_model(Order),
        owner_id=order.pk,
    ).first()


def _order_entries(order: Order) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(
        transaction__subject_type=ContentType.objects.get_for_model(Order), transaction__subject_id=order.pk
    )


def _sum(entries: QuerySet[LedgerEntry]) -> Decimal:
    total = entries.aggregate(total=Sum("amount"))["total"]
    return money_from(total)


def order_paid_amount(*, order: Order) -> Decimal:
    """PAY-2: what the customer paid into the order's escrow."""
    return _sum(
        _order_entries(order).filter(
            transaction__kind=TransactionKind.PAYMENT, account__kind=AccountKind.ORDER_ESCROW
        )
    )


def order_refunded_amount(*, order: Order) -> Decimal:
    """PAY-5: what went back to the customer for this order (refunds, not compensation)."""
    return _sum(
        _order_entries(order).filter(
            transaction__kind=TransactionKind.REFUND, account__kind=AccountKind.REFUNDS_CLEARING
        )
    )


def order_released_amount(*, order: Order) -> Decimal:
    """PAY-4: what left escrow at settlement (to the merchant and the commission)."""
    return -_sum(
        _order_entries(order).filter(
            transaction__kind=TransactionKind.RELEASE, account__kind=AccountKind.ORDER_ESCROW
        )
    )


def order_holds_open(*, order: Order) -> QuerySet[LedgerHold]:
    """PAY-6: the open holds on the order's escrow with their reasons (shown to the merchant)."""
    return LedgerHold.objects.filter(
        account__kind=AccountKind.ORDER_ESCROW,
        account__owner_type=ContentType.objects.get_for_model(Order),
        account__owner_id=order.pk,
        released_at__isnull=True,
    ).order_by("opened_at", "pk")


def order_holds_open_by_order(*, order_ids: list[int]) -> dict[int, list[LedgerHold]]:
    """PAY-6: the open escrow holds of many orders in one query (list pages)."""
    holds: dict[int, list[LedgerHold]] = {order_id: [] for order_id in order_ids}
    for hold in (
        LedgerHold.objects.filter(
            account__kind=AccountKind.ORDER_ESCROW,
            account__owner_type=ContentType.objects.get_for_model(Order),
            account__owner_id__in=order_ids,
            released_at__isnull=True,
        )
        .select_related("account")
        .order_by("opened_at", "pk")
    ):
        assert hold.account.owner_id is not None
        holds.setdefault(int(hold.account.owner_id), []).append(hold)
    return holds


def order_deadlines(*, order: Order) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Order), subject_id=str(order.pk)
    ).order_by("started_at", "pk")


#: ORD-4: the deadline rule of the 72-hour ship-by clock (its handler is in orders/deadlines.py)
RULE_SHIP_BY = "orders.ship_by"


def order_kpi_figures(merchant: Merchant, since: datetime, until: datetime) -> dict[str, int | Decimal]:
    """REP-3, VIO-6 (``merchants.selectors.kpi_sources``): the merchant's orders paid in ``[since, until)``;
    orders shipped then; of those, shipped after their ship-by deadline (the ``orders.ship_by`` clock's
    due time, so an extension counts), and with tracking the carrier confirmed (a carrier event)."""
    ship_by_due = Deadline.objects.filter(
        rule=RULE_SHIP_BY,
        subject_type=ContentType.objects.get_for_model(Order),
        subject_id=Cast(OuterRef("pk"), CharField()),
    ).values("due_at")[:1]
    carrier_event = TrackingEvent.objects.filter(order=OuterRef("pk"), source=TrackingEvent.Source.CARRIER)
    mine = Order.objects.filter(merchant=merchant)
    counts = mine.filter(shipped_at__gte=since, shipped_at__lt=until).aggregate(
        shipments=Count("pk"),
        late=Count("pk", filter=Q(shipped_at__gt=Subquery(ship_by_due))),
        tracked=Count("pk", filter=Q(Exists(carrier_event))),
    )
    return {
        "orders": mine.filter(paid_at__gte=since, paid_at__lt=until).count(),
        "shipments": counts["shipments"],
        "shipments_late": counts["late"],
        "shipments_tracked": counts["tracked"],
    }


def merchant_open_order_count(*, merchant: Merchant) -> int:
    return Order.objects.filter(merchant=merchant, status__in=Order.OPEN_STATUSES).count()


def merchant_unsettled_order_count(*, merchant: Merchant) -> int:
    return Order.objects.filter(
        merchant=merchant, status=Order.Status.COMPLETED, settled_at__isnull=True
    ).count()


def customer_open_orders_reason(user: User) -> list[str]:
    """USR-4: open orders hold back account deletion (``platform_core.accounts.services.account_deletion_checks``)."""
    numbers = list(
        Order.objects.filter(customer=user, status__in=Order.OPEN_STATUSES).values_list("number", flat=True)[
            :5
        ]
    )
    if not numbers:
        return []
    return [
        _("You have open orders (%(numbers)s); the account can be deleted once they are finished.")
        % {"numbers": ", ".join(numbers)}
    ]


# --- PAY-1, PAY-2, MER-5: a shop's money on its dashboard -------------------------------------------------


def merchant_ledger_balances(*, merchant: Merchant) -> dict[str, Decimal]:
    """PAY-1, MER-5: the shop's own ledger balances (payable, deposit) in one read."""
    rows = LedgerAccount.objects.filter(
        owner_type=ContentType.objects.get_for_model(Merchant),
        owner_id=merchant.pk,
        kind__in=[AccountKind.MERCHANT_PAYABLE, AccountKind.MERCHANT_DEPOSIT],
    ).values_list("kind", "balance")
    return dict(rows)


def merchant_escrow_held(*, merchant: Merchant) -> tuple[Decimal, list[Any]]:
    """PAY-2, PAY-6: money held in the escrow of the shop's orders, and its first 50 open holds with
    reasons (each annotated with its order's number and id)."""
    order_type = ContentType.objects.get_for_model(Order)
    order_ids = Order.objects.filter(merchant=merchant).values("pk")
    escrow = LedgerAccount.objects.filter(
        kind=AccountKind.ORDER_ESCROW, owner_type=order_type, owner_id__in=order_ids
    )
    total = escrow.aggregate(total=Sum("balance"))["total"] or Decimal("0.00")
    holds = list(
        LedgerHold.objects.filter(account__in=escrow, released_at__isnull=True)
        .annotate(
            order_number=Subquery(
                Order.objects.filter(pk=OuterRef("account__owner_id")).values("number")[:1]
            ),
            order_id=Subquery(Order.objects.filter(pk=OuterRef("account__owner_id")).values("pk")[:1]),
        )
        .order_by("opened_at", "pk")[:50]
    )
    return Decimal(total), holds


# --- MER-8: closure --------------------------------------------------------------------------------


def order_closure_pending(merchant: Merchant) -> list[str]:
    """MER-8: open or unsettled orders keep a merchant from closing (registered on ``merchants.services.closure_checks``)."""
    pending = []
    open_count = Order.objects.filter(merchant=merchant, status__in=Order.OPEN_STATUSES).count()
    if open_count:
        pending.append(_("%(n)d orders are still open.") % {"n": open_count})
    unsettled = Order.objects.filter(
        merchant=merchant, status=Order.Status.COMPLETED, settled_at__isnull=True
    ).count()
    if unsettled:
        pending.append(_("%(n)d completed orders are not settled yet.") % {"n": unsettled})
    return pending
