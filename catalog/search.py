"""CAT-8: how a customer's search reads the listings (``catalog.selectors.listing_list_for_customer``):
the text's indexes (``listing_search_trgm``, ``listing_search_bigram``) for a rare term, or an index of the
listing walked in order with the text as a filter for a common one — the sort's (decision 008, s8f) or the
default ranking's rescore window (decision 051)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.db.models.lookups import GreaterThan, IContains, PatternLookup

from catalog.models import Category, Listing

#: the expression of the partial GIN index ``listing_search_bigram`` (migration 0011)
BIGRAM_VECTOR = (
    """to_tsvector('simple'::regconfig, catalog_bigrams(UPPER("catalog_listing"."search_text")))"""
)


def bigram_lexeme(query: str) -> str | None:
    """CAT-8: a query of one or two characters has no trigram, so ``listing_search_trgm`` cannot narrow it
    (pg_trgm would read the whole index, and the planner scans the table instead). Such a query is looked up
    as a word of the text's one- and two-character substrings (``listing_search_bigram``): this word, or
    ``None`` for a query the index does not serve. PostgreSQL only; letters and digits only (anything else is
    left to ``icontains``)."""
    if connection.vendor != "postgresql" or len(query) > 2 or not query.isalnum():
        return None
    return query if len(query) == 2 else f"{query}:*"  # one character: the bigrams starting with it


def short_query_prefilter(lexeme: str) -> RawSQL:
    """The ``listing_search_bigram`` lookup of a ``bigram_lexeme``; ``icontains`` still decides."""
    # constant SQL (the index's expression); the lexeme is a bound parameter
    return RawSQL(  # noqa: S611
        f"{BIGRAM_VECTOR} @@ to_tsquery('simple'::regconfig, %s)", [lexeme], output_field=BooleanField()
    )


class IContainsPattern(IContains):
    """``icontains`` given its ``LIKE`` pattern ready-made (``Text.pattern``): the same SQL as
    ``search_text__icontains=query``, the pattern one parameter (a ``PreparedQuery`` marker)."""

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        return super(PatternLookup, self).process_rhs(compiler, connection)


@dataclass(frozen=True)
class Text:
    """What a search looks for, in the forms its statements take (each reaches the SQL as one parameter):
    the query as typed (stripped), ``icontains``'s pattern, ``listing_search_bigram``'s word (or ``None``),
    and whether the query has no cased characters (``contains``)."""

    query: str
    pattern: str
    lexeme: str | None
    uncased: bool


def text_of(q: str | None) -> Text | None:
    query = (q or "").strip()
    if not query:
        return None
    pattern = f"%{connection.ops.prep_for_like_query(query)}%"  # as ``icontains`` writes it
    return Text(query, pattern, bigram_lexeme(query), query == query.upper() == query.lower())


#: the sorts an index of the listing serves in order (``listing_onsale_price``, ``listing_onsale_sales``)
INDEX_SORTS = ("price", "-price", "sales")


def listing_search_walks_sort_index(*, q: str | None, sort: str, category: Category | None = None) -> bool:
    """CAT-8: whether a search may be read by walking an index of the listing in order, the text as a
    filter — worth it when the term is common (decided by the capped count, ``catalog.api.listings``).
    PostgreSQL only. The default ranking walks the order of its rescore window (decision 051), also within
    a category or a price range; a sort by price or sales walks its sort's index, not within a category
    (the planner takes its filter for a selective one and would scan the table instead: the category's
    matches are read through the text's index and sorted)."""
    if not (q or "").strip() or connection.vendor != "postgresql":
        return False
    return sort == "relevance" or (sort in INDEX_SORTS and category is None)


def listing_browse_ranks_a_window(*, q: str | None, sort: str) -> bool:
    """CAT-8 (decision 051): browsing without a query by the default ranking ranks the window of the best
    sellers (``listing_onsale_sales`` walked, then stopped) rather than every visible listing."""
    return not (q or "").strip() and sort == "relevance" and connection.vendor == "postgresql"


def contains(text: Text) -> Q:
    """``search_text`` contains ``query``, ignoring case, written so that no index serves it:
    ``strpos(UPPER(search_text), UPPER(q)) > 0`` is ``icontains`` without the ``LIKE`` the trigram index
    answers, so the planner walks the sort's index and stops after a page (see ``walk_sort_index``). A query
    without cased characters (Chinese, digits) is looked up in the text itself: upper-casing maps every
    uncased character to itself and a cased one never to an uncased one, so the answer is the same, and
    ``UPPER`` of every walked text (about 40 % of the walk) is saved."""
    if text.uncased:
        found = Func(F("search_text"), Value(text.query), function="strpos", output_field=IntegerField())
    else:
        found = Func(
            Upper("search_text"), Upper(Value(text.query)), function="strpos", output_field=IntegerField()
        )
    return Q(GreaterThan(found, 0))


class InArray(Func):
    """``pk = ANY(ARRAY(subquery))``: the window's ids as one array, read before the outer query, so that
    the planner probes them by primary key (it sizes an array parameter at ten rows) instead of hashing
    them against a scan of the whole table."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def window_order(*, text: Text | None, max_price: Decimal | None) -> tuple[str, ...]:
    """CAT-8 (decision 051): the cheap, index-walkable order that selects the rescore window: the best
    sellers first (``listing_onsale_sales``, or ``listing_onsale_cat_sales`` within a category). A common term
    under a price ceiling walks the price range down from the ceiling instead (``listing_onsale_price``
    backwards): its matches are dense there, while among the best sellers both conditions together are
    rare and the walk would be long; downwards, every listing walked is within a ``min_price`` too."""
    if text is not None and max_price is not None:
        return ("-price_min", "-pk")
    return ("-sales_count", "-pk")


def narrowed(
    listings: QuerySet[Listing],
    *,
    text: Text | None,
    walk: bool,
    category_id: int | None,
    category_ids: tuple[int, ...],
    min_price: Decimal | None,
    max_price: Decimal | None,
) -> QuerySet[Listing]:
    """``listings`` that contain the ``text`` and fall in the category and price range (conditions on the
    listing's own columns, so an index can serve them). The category is ``category_id`` and its children
    (a sub-select), or when walking, the ids themselves, ``category_ids`` (one id is the equality
    ``listing_onsale_cat_sales`` serves)."""
    if text is not None and walk:
        listings = listings.filter(contains(text))
    elif text is not None:
        # One column of the listing row, one trigram index (``listing_search_trgm``): the planner finds
        # the matches in the index first, then joins only those to their version, merchant and category.
        listings = listings.filter(IContainsPattern(F("search_text"), text.pattern))
        if text.lexeme is not None:
            listings = listings.filter(short_query_prefilter(text.lexeme))
    if category_ids:
        listings = listings.filter(category_id__in=category_ids)
    elif category_id is not None:
        in_category = Category.objects.filter(Q(pk=category_id) | Q(parent_id=category_id)).values("pk")
        listings = listings.filter(category_id__in=in_category)
    if min_price is not None:
        listings = listings.filter(price_max__gte=min_price)
    if max_price is not None:
        listings = listings.filter(price_min__lte=max_price)
    return listings


#: CAT-8 (decision 051): what reading one listing in the window's walk (index order, a random heap page)
#: costs against reading and scoring one match through the text's index (physical order), measured at
#: 100,000 and 1,000,000 listings (5–11 µs against 17–22 µs a row under load): about 0.4
WALK_ROW_COST = 0.4

#: how many listings the density sample reads (pages drawn at random, ``TABLESAMPLE SYSTEM``)
DENSITY_SAMPLE_ROWS = 10_000


def window_walk_pays(query: str, *, window: int) -> bool:
    """CAT-8 (decision 051): whether walking the window's order beats scoring every match of a common
    ``query``. The walk reads about ``window ÷ d`` listings for a term in a share ``d`` of the N on sale,
    the text's index ``d × N`` matches, so the walk pays when ``WALK_ROW_COST × window ÷ d < d × N``: for
    an 8 % term at 1,000,000 listings, not at 100,000; never for a term just above the cap in a large
    catalogue (0.5 %: the walk would read 400,000 listings to fill its window). ``d`` and N are estimated
    from a sample of about ``DENSITY_SAMPLE_ROWS`` listings (a few milliseconds; a small catalogue is read
    whole)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'catalog_listing'::regclass")
        row = cursor.fetchone()
        rows = float(row[0]) if row else 0.0
        percent = 100.0 if rows <= DENSITY_SAMPLE_ROWS else max(0.001, 100.0 * DENSITY_SAMPLE_ROWS / rows)
        found, sampled = _sample(cursor, query, percent)
        if sampled < DENSITY_SAMPLE_ROWS // 10 and percent < 100.0:  # stale statistics: read it whole
            percent = 100.0
            found, sampled = _sample(cursor, query, percent)
    if not found or not sampled:
        return False
    share = found / sampled
    on_sale = sampled * 100.0 / percent
    return WALK_ROW_COST * window / share < share * on_sale


def _sample(cursor: Any, query: str, percent: float) -> tuple[int, int]:
    """(listings on sale containing ``query``, listings on sale) in a ``percent`` sample of the pages."""
    cursor.execute(
        "SELECT count(*) FILTER (WHERE strpos(UPPER(search_text), UPPER(%s)) > 0), count(*) "
        "FROM catalog_listing TABLESAMPLE SYSTEM (%s) REPEATABLE (26) WHERE on_sale",
        [query, percent],
    )
    row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


@dataclass(frozen=True)
class Search:
    """One customer search (CAT-8) with every value its statements take. Its ``shape`` (which conditions,
    which order, which walk) decides the SQL; ``values`` are what varies from one search of that shape to
    the next, each reaching the SQL as one parameter, so that a shape is compiled once per process
    (``catalog.selectors.listing_search_for_customer``) with ``PreparedQuery`` markers in their place."""

    sort: str
    walk: bool
    window: int | None
    text: Text | None
    category_id: int | None
    category_ids: tuple[int, ...]
    min_price: Decimal | None
    max_price: Decimal | None
    merchant_type_id: int

    def shape(self) -> tuple[Any, ...]:
        text = self.text
        return (
            self.sort,
            self.walk,
            self.window,
            text is not None and (text.uncased, text.lexeme is not None),
            self.category_id is not None,
            len(self.category_ids),
            self.min_price is not None,
            self.max_price is not None,
        )

    def values(self, *, counting: bool = False) -> dict[str, Any]:
        """The values of this search by marker name: only those its SQL holds (``counting``: its count's,
        which has no score)."""
        values: dict[str, Any] = {"merchant_type_id": self.merchant_type_id}
        text = self.text
        if text is not None:
            if self.walk or (self.sort == "relevance" and not counting):  # ``strpos``; the score's similarity
                values["query"] = text.query
            if not self.walk:
                values["pattern"] = text.pattern
                if text.lexeme is not None:
                    values["lexeme"] = text.lexeme
        if self.category_ids:
            values |= {f"category_{i}": pk for i, pk in enumerate(self.category_ids)}
        elif self.category_id is not None:
            values["category_id"] = self.category_id
        if self.min_price is not None:
            values["min_price"] = self.min_price
        if self.max_price is not None:
            values["max_price"] = self.max_price
        return values

    def with_values(self, values: dict[str, Any]) -> "Search":
        """This search's shape with ``values`` (``PreparedQuery`` markers) in place of its own."""
        text = self.text
        if text is not None:
            text = Text(
                values.get("query", ""), values.get("pattern", ""), values.get("lexeme"), text.uncased
            )
        return Search(
            sort=self.sort,
            walk=self.walk,
            window=self.window,
            text=text,
            category_id=values.get("category_id"),
            category_ids=tuple(values[f"category_{i}"] for i in range(len(self.category_ids))),
            min_price=values.get("min_price"),
            max_price=values.get("max_price"),
            merchant_type_id=values["merchant_type_id"],
        )
