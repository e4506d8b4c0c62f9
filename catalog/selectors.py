"""Reads of the catalog, each scoped to who is asking (SEC-1).

Search (CAT-8): Chinese text has no spaces between words, so PostgreSQL's built-in text-search parsers
(which split on whitespace and punctuation) would index whole sentences as single "words". Instead of a
tokenizer extension (zhparser, pg_jieba — not available on managed PostgreSQL everywhere) or indexing
jieba output into a tsvector (a second copy of the text to keep in sync, and dictionary drift), we use
``pg_trgm``: ``icontains`` (``UPPER(col) LIKE '%q%'``) on ``Listing.search_text`` (the live version's title
and description, copied when it goes live), served by the partial GIN trigram index
``listing_search_trgm`` (migration 0011), and ``word_similarity`` on the title for relevance. Queries of
one or two characters (common in Chinese: 茶壶, 背包) have no trigram; the partial GIN index
``listing_search_bigram`` on the text's one- and two-character substrings finds their candidates.
Trigrams work on any script under a UTF-8 ctype, need no dictionary, and match substrings, which is what
Chinese users type. On SQLite the same ``icontains`` runs as a plain scan.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from catalog import ranking
from catalog.models import (
    BannedTerm,
    Category,
    Favourite,
    Follow,
    IpNotice,
    Listing,
    ListingImage,
    ListingRecheck,
    ListingVersion,
    Sku,
)
from catalog.prescreen import Finding, Term, prescreen
from catalog.search import (
    InArray,
    Search,
    listing_browse_ranks_a_window,
    listing_search_walks_sort_index,
    narrowed,
    text_of,
    window_order,
    window_walk_pays,
)
from merchants.models import Merchant
from merchants.selectors.members import merchant_for_member
from platform_core.errors import NotFound
from platform_core.hooks import Hook
from platform_core.ledger.models import AccountKind, LedgerAccount
from platform_core.prepared import PreparedQuery, as_prefetched

SORTS = ("relevance", "price", "-price", "sales")


# --- customers --------------------------------------------------------------------------------------------


def _deposit_met(merchant_type_id: int | None = None) -> Exists:
    """MER-5 in SQL: the merchant's deposit account holds at least the listing category's deposit.

    Mirrors ``merchants.selectors.merchant_deposit_balance`` (the merchant_deposit ledger account), as one
    correlated subquery so that a page of results costs the same whatever its size.
    """
    if merchant_type_id is None:
        merchant_type_id = ContentType.objects.get_for_model(Merchant).pk
    return Exists(
        LedgerAccount.objects.filter(
            kind=AccountKind.MERCHANT_DEPOSIT,
            owner_type_id=merchant_type_id,
            owner_id=OuterRef("merchant_id"),
            balance__gte=OuterRef("category__deposit_amount"),
        )
    )


def listing_visible_q(*, merchant_type_id: int | None = None) -> Q:
    """CAT-2, MER-8: what customers may see — approved text on sale, of an active (not restricted or
    suspended) merchant that still holds the category's deposit. ``merchant_type_id``: the merchants'
    content type (default: looked up); a ``PreparedQuery`` passes it as a marker, so that SQL compiled
    once does not keep an id a test database's flush renumbers."""
    return Q(on_sale=True, live_version__isnull=False, merchant__status=Merchant.Status.ACTIVE) & (
        Q(category__deposit_amount__lte=0) | Q(_deposit_met(merchant_type_id))
    )


def merchant_type_id() -> int:
    """The merchants' content type id (Django's per-process cache of content types)."""
    return int(ContentType.objects.get_for_model(Merchant).pk)


def _in_stock() -> Exists:
    return Exists(Sku.objects.filter(listing_id=OuterRef("pk"), is_active=True, stock__gt=0))


class SearchParameters(TypedDict, total=False):
    """A customer search's parameters (``_search_of``)."""

    q: str | None
    category: Category | None
    min_price: Decimal | None
    max_price: Decimal | None
    sort: str
    walk_sort_index: bool
    window: int | None


def listing_list_for_customer(**parameters: Unpack[SearchParameters]) -> QuerySet[Listing]:
    """CAT-2, CAT-8: visible listings, searched, filtered and ranked (see ``catalog.ranking``).

    Annotates ``available`` (some active SKU in stock) and ``score``. One query per page whatever its
    size: live version, merchant and category are joined (the API reads the page's ids first and the cards
    then, ``listing_cards_for_customer``).

    The text is found through ``listing_search_trgm`` (or ``listing_search_bigram``): every match is read,
    then sorted. For a common term, ``walk_sort_index`` reads the listings in an index's order instead and
    tests the text on each, which stops after a page of matches (sorted by price or sales) or after the
    rescore ``window`` (the default ranking, decision 051; the planner estimates a trigram match at a few
    rows whatever the term, so it never chooses this itself). Browsing by the default ranking with a
    ``window`` ranks the best-selling ``window`` listings (``listing_browse_ranks_a_window``).
    """
    return _listings_of(_search_of(**parameters))


def _search_of(
    *,
    q: str | None = None,
    category: Category | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    sort: str = "relevance",
    walk_sort_index: bool = False,
    window: int | None = None,
) -> Search:
    text = text_of(q)
    walk = bool(
        text
        and walk_sort_index
        and listing_search_walks_sort_index(q=text.query, sort=sort, category=category)
    )
    category_ids: tuple[int, ...] = ()
    if category is not None and walk:  # walked in order: the ids themselves
        in_category = Category.objects.filter(Q(pk=category.pk) | Q(parent=category))
        category_ids = tuple(in_category.values_list("pk", flat=True))
    return Search(
        sort=sort,
        walk=walk,
        window=window,
        text=text,
        category_id=category.pk if category is not None else None,
        category_ids=category_ids,
        min_price=min_price,
        max_price=max_price,
        merchant_type_id=merchant_type_id(),
    )


def _listings_of(search: Search) -> QuerySet[Listing]:
    """The queryset of ``search`` (``listing_list_for_customer``); built from its values alone, so that
    ``PreparedQuery`` markers may stand in for them (``listing_search_for_customer``)."""
    text, sort = search.text, search.sort
    listings = (
        Listing.objects.filter(listing_visible_q(merchant_type_id=search.merchant_type_id))
        .select_related("live_version", "merchant", "category")
        .annotate(available=_in_stock())
    )

    def narrow(rows: QuerySet[Listing]) -> QuerySet[Listing]:
        return narrowed(
            rows,
            text=text,
            walk=search.walk,
            category_id=search.category_id,
            category_ids=search.category_ids,
            min_price=search.min_price,
            max_price=search.max_price,
        )

    query = text.query if text is not None else None
    if (
        sort == "relevance"
        and search.window is not None
        and (search.walk or (text is None and listing_browse_ranks_a_window(q=None, sort=sort)))
    ):
        # Two-phase ranking (decision 051): the walk reads the listing's own columns only (on sale, the
        # text, category, price), so that nothing the planner misjudges (merchant, deposit) keeps it from
        # stopping when the window is full; who may see them is checked on the window's rows.
        from django.contrib.postgres.expressions import ArraySubquery  # PostgreSQL only, as the window

        order = window_order(text=text, max_price=search.max_price)
        on_sale = Listing.objects.filter(on_sale=True, live_version__isnull=False)
        candidates = narrow(on_sale).order_by(*order).values("pk")[: search.window]
        return (
            listings.filter(InArray(F("pk"), ArraySubquery(candidates)))
            .annotate(score=ranking.score_expression(query))
            .order_by("-score", "-pk")
        )
    listings = narrow(listings)
    if sort == "price":
        return listings.order_by("price_min", "-pk")
    if sort == "-price":
        return listings.order_by("-price_min", "-pk")
    if sort == "sales":
        return listings.order_by("-sales_count", "-pk")
    return listings.annotate(score=ranking.score_expression(query)).order_by("-score", "-pk")


#: the statements of each search shape (and ranking settings, which the score's SQL holds)
_SEARCH_STATEMENTS: dict[tuple[Any, ...], tuple[PreparedQuery[Listing], PreparedQuery[Listing]]] = {}


def _statements(search: Search) -> tuple[PreparedQuery[Listing], PreparedQuery[Listing]]:
    """The page's ids and the capped count's rows of ``search``'s shape, compiled once per process."""
    key = (search.shape(), ranking.settings_key())
    found = _SEARCH_STATEMENTS.get(key)
    if found is None:

        def build(**markers: Any) -> QuerySet[Listing]:
            return _listings_of(search.with_values(markers))

        def kinds(values: dict[str, Any]) -> dict[str, type]:
            return {name: type(value) for name, value in values.items()}

        # planned on every call (decision 054): a search's best plan depends on its values (a rare term reads
        # the trigram index, a common one walks the sales order), which a generic plan would not see
        found = (
            PreparedQuery(
                lambda **m: build(**m).values_list("pk", flat=True),
                server_prepared=False,
                **kinds(search.values()),
            ),
            PreparedQuery(
                lambda **m: build(**m).order_by().values("pk"),
                server_prepared=False,
                **kinds(search.values(counting=True)),
            ),
        )
        _SEARCH_STATEMENTS[key] = found
    return found


class ListingSearch:
    """CAT-2, CAT-8: the ids of a customer search, sliced as a page (``search[0:20]``), and its capped
    count: what the API's paginator reads. On PostgreSQL each is one statement compiled once per shape of
    search (issue 26: compiling the search's queryset cost more than running it for a cheap search), the
    values bound on each call; it is the SQL of ``queryset()`` (tests/catalog/test_iss_26_search_floor.py)."""

    def __init__(self, search: Search) -> None:
        self.search = search

    def queryset(self) -> QuerySet[Listing]:
        return _listings_of(self.search)

    def __getitem__(self, page: slice) -> list[int]:
        offset = page.start or 0
        if page.stop <= offset:  # an empty page (no matches), as a queryset's slice: no query
            return []
        if connection.vendor != "postgresql":
            return list(self.queryset().values_list("pk", flat=True)[page])
        ids, _count = _statements(self.search)
        sql, params = ids.sql_with_params(**self.search.values())
        sql = f"{sql} LIMIT {int(page.stop) - offset}" + (f" OFFSET {int(offset)}" if offset else "")
        return [row[0] for row in _run(sql, params)]

    def capped_count(self, cap: int) -> int:
        """The number of matches up to ``cap`` (``LIMIT`` in a subquery, read through the same index as
        the page; neither the order nor the per-row annotations change how many rows match)."""
        if connection.vendor != "postgresql":
            return int(self.queryset().order_by().values("pk")[:cap].count())
        _ids, count = _statements(self.search)
        sql, params = count.sql_with_params(**self.search.values(counting=True))
        # as Django counts a sliced queryset; compiled SQL, the values bound as parameters
        counted = f"SELECT COUNT(*) FROM ({sql} LIMIT {int(cap)}) subquery"  # noqa: S608
        return int(_run(counted, params)[0][0])


def _run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def listing_search_for_customer(**parameters: Unpack[SearchParameters]) -> ListingSearch:
    """CAT-2, CAT-8: ``listing_list_for_customer``'s search as the page's ids and its capped count, each
    one statement compiled once (``ListingSearch``)."""
    return ListingSearch(_search_of(**parameters))


def listing_search_window_pays(*, q: str, window: int) -> bool:
    """CAT-8 (decision 051): whether a common term's default ranking walks the rescore window's order (its
    matches dense enough) rather than scoring every match through the text's index."""
    return window_walk_pays(q.strip(), window=window)


#: CAT-8: what a result card shows (``catalog.api.listings.card_answer``), read as columns, not models
CARD_COLUMNS = (
    "id",
    "kind",
    "live_version__title",
    "live_version__images",
    "category__slug",
    "price_min",
    "price_max",
    "sales_count",
    "available",
    "merchant_id",
    "merchant__name",
    "merchant__is_self_operated",
)


def _cards(visible: Q, *pages: Any) -> QuerySet[Listing, tuple[Any, ...]]:
    return Listing.objects.filter(visible, *pages).annotate(available=_in_stock()).values_list(*CARD_COLUMNS)


def _cards_by_array(ids: list[int], merchant_type_id: int) -> QuerySet[Listing, tuple[Any, ...]]:
    """The page's ids as one array parameter (``pk = ANY(…)``), so that any page is the same statement."""
    from django.contrib.postgres.fields import ArrayField  # PostgreSQL only, as arrays

    page = InArray(F("pk"), Value(ids, output_field=ArrayField(IntegerField())))
    return _cards(listing_visible_q(merchant_type_id=merchant_type_id), page)


_CARDS = PreparedQuery(_cards_by_array, ids=list, merchant_type_id=int)


def listing_cards_for_customer(*, ids: list[int]) -> list[dict[str, Any]]:
    """CAT-2, CAT-8: the result cards of one page whose listing ids ``listing_list_for_customer`` found, in
    that order: ``CARD_COLUMNS`` with their live version, merchant, category and ``available`` (one query
    by primary key; none for an empty page).

    A page is read in two steps (a "deferred join"): the ids first, sorted and limited on the listing row
    with only the small merchant and category tables joined, then these twenty rows. The version, which
    holds the card's title and images, is joined to the page's rows only, not to every match before the
    sort. Visibility is checked again (a listing taken down between the two reads drops out). The
    statement is compiled once per process (issue 26; on SQLite, which has no arrays, each time)."""
    if not ids:
        return []
    if connection.vendor == "postgresql":
        rows = _CARDS.rows(ids=ids, merchant_type_id=merchant_type_id())
    else:
        rows = list(_cards(listing_visible_q(), Q(pk__in=ids)))
    position = {pk: i for i, pk in enumerate(ids)}
    return sorted(
        (dict(zip(CARD_COLUMNS, row, strict=True)) for row in rows), key=lambda c: position[c["id"]]
    )


def _count_of(rows: QuerySet[Any], column: str) -> Coalesce:
    """The number of ``rows`` (already filtered on ``OuterRef`` ``column``) as a scalar sub-select."""
    counted = rows.order_by().values(column).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def _listing_for_customer(listing_id: int, merchant_type_id: int) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(listing_visible_q(merchant_type_id=merchant_type_id), pk=listing_id)
        .select_related("live_version", "merchant", "category")
        .annotate(
            available=_in_stock(),
            favourites_counted=_count_of(Favourite.objects.filter(listing=OuterRef("pk")), "listing"),
            followers_counted=_count_of(Follow.objects.filter(merchant=OuterRef("merchant_id")), "merchant"),
        )
        .order_by("pk")[:1]
    )


_LISTING = PreparedQuery(_listing_for_customer, listing_id=int, merchant_type_id=int)
_ACTIVE_SKUS = PreparedQuery(
    lambda listing_id: Sku.objects.filter(listing_id=listing_id, is_active=True).order_by("pk"),
    listing_id=int,
)


def listing_get_for_customer(*, listing_id: int) -> Listing:
    """CAT-2: one visible listing with its active SKUs; ``NotFound`` if customers may not see it. It carries
    ``favourites_counted`` and ``followers_counted`` (USR-1), read in the same statement (issue 26: the
    detail's two counts were two more round trips). Both statements are compiled once (issue 26)."""
    merchant_type_id = ContentType.objects.get_for_model(Merchant).pk
    listing = _LISTING.first(listing_id=listing_id, merchant_type_id=merchant_type_id)
    if listing is None:
        raise NotFound(_("No such listing."))
    as_prefetched(listing, "skus", _ACTIVE_SKUS.all(listing_id=listing.pk))
    return listing


listing_review_summary_sources = Hook[Callable[[Listing], dict[str, Any]]](
    "catalog.listing_review_summary_sources",
    doc=(
        'REP-1 (issue 5): a listing\'s review summary {"count", "average", "distribution"} for the '
        "listing detail. Reviews live in orders, above catalog; the first source answers, and with none "
        "registered the summary is empty (None)."
    ),
)


def listing_review_summary(*, listing: Listing) -> dict[str, Any] | None:
    for source in listing_review_summary_sources:
        return source(listing)
    return None


# --- merchants ----------------------------------------------------------------------------------------------


def listing_list_for_merchant(*, merchant: Merchant) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(merchant=merchant)
        .select_related("live_version", "candidate_version", "category", "assisted_by")
        .prefetch_related(Prefetch("skus", queryset=Sku.objects.order_by("pk")))
        .order_by("-pk")
    )


def listing_get_for_merchant(*, merchant: Merchant, listing_id: int) -> Listing:
    """SEC-1: ``NotFound`` for another merchant's listing (never confirm it exists)."""
    listing = listing_list_for_merchant(merchant=merchant).filter(pk=listing_id).first()
    if listing is None:
        raise NotFound(_("No such listing."))
    return listing


def sku_get_for_merchant(*, merchant: Merchant, sku_id: int) -> Sku:
    """SEC-1: ``NotFound`` for another merchant's SKU."""
    sku = Sku.objects.filter(pk=sku_id, listing__merchant=merchant).first()
    if sku is None:
        raise NotFound(_("No such SKU."))
    return sku


def ip_notice_list_for_merchant(*, merchant: Merchant) -> QuerySet[IpNotice]:
    return IpNotice.objects.filter(listing__merchant=merchant).order_by("-filed_at")


def ip_notice_list_for_rights_holder(*, user: object) -> QuerySet[IpNotice]:
    return IpNotice.objects.filter(rights_holder=user).order_by("-filed_at")


#: CAT-7: notices staff validated (the listing was taken down), whatever became of them since
PUBLISHED_IP_NOTICE_STATUSES = (
    IpNotice.Status.TAKEN_DOWN,
    IpNotice.Status.COUNTER_NOTICED,
    IpNotice.Status.UPHELD,
    IpNotice.Status.RESTORED,
)


def ip_notice_list_published() -> QuerySet[IpNotice]:
    """CAT-7 (ECL Art. 42-45): the public record of validated notices and their outcomes, the latest
    takedown first; listing, shop and rights holder joined (one query per page)."""
    return (
        IpNotice.objects.filter(status__in=PUBLISHED_IP_NOTICE_STATUSES)
        .select_related("listing__live_version", "listing__merchant", "rights_holder")
        .order_by("-validated_at", "-pk")
    )


def ip_notice_get_for_merchant(*, merchant: Merchant, notice_id: int) -> IpNotice:
    """SEC-1: ``NotFound`` for a notice about another merchant's listing."""
    notice = ip_notice_list_for_merchant(merchant=merchant).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound(_("No such notice."))
    return notice


#: CAT-7, SEC-4: the content type of a counter-notice evidence file, by the extension the service gave it
IP_COUNTER_EVIDENCE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def ip_notice_counter_evidence(*, notice: IpNotice) -> list[dict[str, Any]]:
    """CAT-7, SEC-4: the evidence files the shop uploaded with its counter-notice, numbered from 1 in the
    order filed, each ``{"number", "file", "content_type"}``. Only the files the service stored under the
    notice's own folder count (the API's proof references are not files of ours)."""
    folder = f"catalog/ip-counter/{notice.pk}/"
    files = [
        name
        for name in notice.counter_proof or []
        if isinstance(name, str)
        and name.startswith(folder)
        and name.rsplit(".", 1)[-1] in IP_COUNTER_EVIDENCE_TYPES
    ]
    return [
        {"number": i, "file": name, "content_type": IP_COUNTER_EVIDENCE_TYPES[name.rsplit(".", 1)[-1]]}
        for i, name in enumerate(files, start=1)
    ]


def ip_notice_get_for_rights_holder(*, user: object, notice_id: int) -> IpNotice:
    """SEC-1: ``NotFound`` for a notice someone else filed."""
    notice = ip_notice_list_for_rights_holder(user=user).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound(_("No such notice."))
    return notice


# --- staff ------------------------------------------------------------------------------------------------


def rechecks_awaiting_correction(
    *, merchant: Merchant, listing: Listing | None = None
) -> QuerySet[ListingRecheck]:
    """CAT-10: the shop's re-checks that found an error it has not corrected yet, soonest due first."""
    queryset = ListingRecheck.objects.filter(
        listing__merchant=merchant, status=ListingRecheck.Status.ERROR_FOUND
    ).select_related("listing__live_version")
    if listing is not None:
        queryset = queryset.filter(listing=listing)
    return queryset.order_by("correction_due", "pk")


def review_queue() -> QuerySet[ListingVersion]:
    """CAT-4: versions waiting for review, oldest submission first."""
    return (
        ListingVersion.objects.filter(status=ListingVersion.Status.PENDING)
        .select_related("listing", "listing__merchant", "listing__live_version", "category")
        .order_by("submitted_at", "pk")
    )


def review_version(*, version_id: int) -> ListingVersion | None:
    """CAT-4: one version as its review page shows it (whatever its status now), with its listing, shop,
    category, the live version it would replace and the listing's SKUs (``listing.skus.all()``, by code)."""
    return (
        ListingVersion.objects.select_related(
            "listing__merchant",
            "listing__live_version__category__parent",
            "category__parent",
            "created_by",
            "reviewer",
        )
        .prefetch_related(Prefetch("listing__skus", queryset=Sku.objects.order_by("code", "pk")))
        .filter(pk=version_id)
        .first()
    )


def review_queue_next(*, after: ListingVersion | None, reviewer: Any) -> ListingVersion | None:
    """CAT-4 ("approve and next"): the oldest version still waiting, other than ``after``, that ``reviewer``
    did not write themselves (CAT-9: they may not decide on it)."""
    waiting = ListingVersion.objects.filter(status=ListingVersion.Status.PENDING).exclude(created_by=reviewer)
    if after is not None:
        waiting = waiting.exclude(pk=after.pk)
    return waiting.order_by("submitted_at", "pk").only("pk").first()


# --- pre-screen ---------------------------------------------------------------------------------------------


def banned_terms_active() -> list[Term]:
    return [
        Term(phrase=phrase, severity=severity, reason=reason)
        for phrase, severity, reason in BannedTerm.objects.filter(is_active=True).values_list(
            "phrase", "severity", "reason"
        )
    ]


def listing_prescreen(
    *,
    title: str,
    description: str,
    image_alts: list[str] | tuple[str, ...] = (),
    images: list[object] | None = None,
    category: Category | None = None,
    prices: list[Decimal] | tuple[Decimal, ...] = (),
    require_prices: bool = False,
    present: Mapping[str, object] | None = None,
) -> list[Finding]:
    """CAT-3: banned and absolute-claim terms, required fields of the category, price sanity."""
    return prescreen(
        terms=banned_terms_active(),
        title=title,
        description=description,
        image_alts=image_alts,
        images=images,
        prices=prices,
        require_prices=require_prices,
        required_fields=list(category.required_listing_fields or []) if category is not None else [],
        present=present,
    )


# --- USR-1: favourites and follows ----------------------------------------------------------------------


def favourite_list_for_user(*, user: Any) -> QuerySet[Listing]:
    """USR-1: the user's favourite listings that customers may still see, the latest favourited first,
    each with ``favourite_count`` (all users), ``favourited_at`` and ``available`` (for the card)."""
    mine = Favourite.objects.filter(user=user, listing=OuterRef("pk"))
    count = (
        Favourite.objects.filter(listing=OuterRef("pk"))
        .order_by()
        .values("listing")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Listing.objects.filter(listing_visible_q())
        .filter(Exists(mine))
        .select_related("live_version", "merchant", "category")
        .annotate(
            available=_in_stock(),
            favourite_count=Coalesce(Subquery(count), 0),
            favourited_at=Subquery(mine.values("created_at")[:1]),
        )
        .order_by("-favourited_at", "-pk")
    )


def follow_list_for_user(*, user: Any) -> QuerySet[Follow]:
    """USR-1: the shops the user follows, newest first, each with its follower count."""
    return (
        Follow.objects.filter(user=user)
        .select_related("merchant")
        .annotate(merchant_followers=Count("merchant__followers", distinct=True))
        .order_by("-created_at", "-pk")
    )


def listing_favourite_count(*, listing: Listing) -> int:
    """USR-1: how many users keep ``listing`` among their favourites (read now: the favourite services
    answer with it after a change)."""
    return Favourite.objects.filter(listing=listing).count()


def merchant_follower_count(*, merchant: Merchant, counted: int | None = None) -> int:
    """USR-1: how many users follow the shop (``counted``: already read, e.g. with the listing)."""
    if counted is not None:
        return counted
    return Follow.objects.filter(merchant=merchant).count()


def merchant_get_followable(*, merchant_id: int) -> Merchant:
    """USR-1: a shop customers may follow (one that is trading); ``NotFound`` otherwise."""
    merchant = Merchant.objects.filter(
        pk=merchant_id, status__in=[Merchant.Status.ACTIVE, Merchant.Status.RESTRICTED]
    ).first()
    if merchant is None:
        raise NotFound(_("No such shop."))
    return merchant


def listing_get_favourited(*, user: Any, listing_id: int) -> Listing:
    """USR-1: a listing among the user's favourites, whatever its state now (a favourite is always
    removable); ``NotFound`` otherwise."""
    listing = Listing.objects.filter(pk=listing_id, favourites__user=user).first()
    if listing is None:
        raise NotFound(_("This listing is not among your favourites."))
    return listing


def merchant_get_followed(*, user: Any, merchant_id: int) -> Merchant:
    """USR-1: a shop the user follows, whatever its state now (unfollowing is always allowed);
    ``NotFound`` otherwise."""
    merchant = Merchant.objects.filter(pk=merchant_id, followers__user=user).first()
    if merchant is None:
        raise NotFound(_("You do not follow this shop."))
    return merchant


def category_list() -> QuerySet[Category]:
    """Issue 24: every category, parents before their children (by name), with the parent's slug."""
    return Category.objects.select_related("parent").order_by("parent_id", "name", "pk")


# --- listing images (SEC-4) ---------------------------------------------------------------------------------

LISTING_REVIEW_PERMISSION = "catalog.review_listing"


def listing_image_get_for_viewer(*, user: Any, image_id: int) -> ListingImage:
    """SEC-4, CAT-2: a stored listing image, for whoever may see it; ``NotFound`` for everyone else.

    Anyone, while a listing customers may see shows it in its live (approved) version; the shop's own
    members, always; listing reviewers (``catalog.review_listing``, staff past their second factor), while
    a version waiting for review shows it. A draft's image, or one only a rejected or superseded text
    showed, reaches nobody outside the shop. A listing names an image by its URL in ``images`` (a JSON
    list of {url, alt}); the quoted URL is matched in the JSON text, on PostgreSQL and SQLite alike.
    """
    image = ListingImage.objects.filter(pk=image_id).first()
    if image is None:
        raise NotFound(_("No such image."))
    showing = ListingVersion.objects.filter(
        listing__merchant_id=image.shop_id, images__icontains=f'"{image.url}"'
    )
    if Listing.objects.filter(
        listing_visible_q(), merchant_id=image.shop_id, live_version__in=showing
    ).exists():
        return image
    if user is not None and user.is_authenticated:
        membership = merchant_for_member(user=user)
        if membership is not None and membership[0].pk == image.shop_id:
            return image
        if (
            user.is_staff
            and user.has_perm(LISTING_REVIEW_PERMISSION)
            and showing.filter(status=ListingVersion.Status.PENDING).exists()
        ):
            return image
    raise NotFound(_("No such image."))
