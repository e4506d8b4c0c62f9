"""Catalog REST API, public browse and search (CAT-8). Views are thin: they parse, scope to the caller
and call a service or selector."""

from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.models import Category, Listing, Sku
from merchants.models import Merchant
from platform_core.api.pagination import PagePagination
from platform_core.api.representation import represent
from platform_core.errors import NotFound

SELF_OPERATED_LABEL = "自营"


# --- output serializers -------------------------------------------------------------------------------------


class MerchantSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_self_operated = serializers.BooleanField()
    self_operated_label = serializers.SerializerMethodField(
        help_text="自营 for the platform's own shop (ECL Art. 37), else empty."
    )

    def get_self_operated_label(self, merchant: Merchant) -> str:
        return SELF_OPERATED_LABEL if merchant.is_self_operated else ""


class ListingCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField(source="live_version.title")
    image = serializers.SerializerMethodField()
    category = serializers.CharField(source="category.slug", help_text="Category slug.")
    price_min = serializers.DecimalField(max_digits=12, decimal_places=2)
    price_max = serializers.DecimalField(max_digits=12, decimal_places=2)
    sales_count = serializers.IntegerField()
    available = serializers.BooleanField(help_text="Some variant is in stock.")
    merchant = MerchantSummarySerializer()
    self_operated = serializers.BooleanField(
        source="merchant.is_self_operated", help_text="MER-9, CAT-9: sold by the platform's own shop."
    )
    labels = serializers.SerializerMethodField(
        help_text="Labels customers must see: 自营 for the platform's own shop (ECL Art. 37)."
    )

    def get_labels(self, listing: Listing) -> list[str]:
        return [SELF_OPERATED_LABEL] if listing.merchant.is_self_operated else []

    def get_image(self, listing: Listing) -> dict[str, str] | None:
        assert listing.live_version is not None
        images = listing.live_version.images
        return images[0] if images else None


CENT = Decimal("0.01")


def _decimal(value: Decimal) -> str:
    """A price as ``DecimalField(decimal_places=2)`` answers it."""
    return f"{value.quantize(CENT):f}"


def card_answer(card: dict[str, Any]) -> dict[str, Any]:
    """What ``ListingCardSerializer`` answers for a listing, from its ``selectors.CARD_COLUMNS`` (issue 26:
    the serializer's fields cost more than reading the page; tests/catalog/test_iss_26_search_floor.py
    proves the two answers equal)."""
    images = card["live_version__images"]
    self_operated = bool(card["merchant__is_self_operated"])
    label = SELF_OPERATED_LABEL if self_operated else ""
    return {
        "id": card["id"],
        "kind": str(card["kind"]),
        "title": str(card["live_version__title"]),
        "image": images[0] if images else None,
        "category": str(card["category__slug"]),
        "price_min": _decimal(card["price_min"]),
        "price_max": _decimal(card["price_max"]),
        "sales_count": card["sales_count"],
        "available": bool(card["available"]),
        "merchant": {
            "id": card["merchant_id"],
            "name": str(card["merchant__name"]),
            "is_self_operated": self_operated,
            "self_operated_label": label,
        },
        "self_operated": self_operated,
        "labels": [label] if label else [],
    }


class SkuPublicSerializer(serializers.ModelSerializer):
    available = serializers.SerializerMethodField()

    class Meta:
        model = Sku
        fields = ["id", "code", "attributes", "price", "stock", "available"]

    def get_available(self, sku: Sku) -> bool:
        return sku.stock > 0


class ListingDetailSerializer(ListingCardSerializer):
    description = serializers.CharField(source="live_version.description")
    images = serializers.JSONField(source="live_version.images")
    service_area = serializers.CharField()
    service_duration_minutes = serializers.IntegerField(allow_null=True)
    is_non_returnable = serializers.BooleanField(help_text="AFS-2: confirm at purchase.")
    no_reason_return = serializers.SerializerMethodField()
    skus = SkuPublicSerializer(many=True)
    review_summary = serializers.SerializerMethodField(
        help_text="REP-1: count, average item rating and distribution 1-5 of the listing's reviews."
    )
    favourite_count = serializers.SerializerMethodField(help_text="USR-1: users who favourited the listing.")
    merchant_follower_count = serializers.SerializerMethodField(help_text="USR-1: users who follow the shop.")

    def get_favourite_count(self, listing: Listing) -> int:
        counted = getattr(listing, "favourites_counted", None)  # read with the listing (issue 26)
        return int(counted) if counted is not None else selectors.listing_favourite_count(listing=listing)

    def get_merchant_follower_count(self, listing: Listing) -> int:
        return selectors.merchant_follower_count(
            merchant=listing.merchant, counted=getattr(listing, "followers_counted", None)
        )

    def get_no_reason_return(self, listing: Listing) -> bool:
        return not (listing.is_non_returnable or listing.category.no_reason_return_excluded)

    def get_review_summary(self, listing: Listing) -> dict[str, Any] | None:
        return selectors.listing_review_summary(listing=listing)


# --- public ---------------------------------------------------------------------------------------------------

#: CAT-8: search results are counted up to this many (100 pages of 20, as large marketplaces do); an
#: exact count of every match would cost as much as the search itself on a large catalogue.
SEARCH_MAX_RESULTS = 2000


def capped_count(matches: Any) -> int:
    """The number of ``matches`` (a ``selectors.ListingSearch``) up to ``SEARCH_MAX_RESULTS``."""
    return matches.capped_count(SEARCH_MAX_RESULTS)


class CappedCountPaginator(Paginator):
    """The capped count, read only when neither the view (``known_count``) nor the page already tells it.

    The first page is read first; a first page shorter than a page holds every match, so its length is
    the count and no count query runs (a rare term costs one query for its ids)."""

    known_count: int | None = None
    #: what to count, when not the page's own query (browsing's window: its matches, counted unordered)
    count_source: Any = None

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        return capped_count(self.object_list if self.count_source is None else self.count_source)

    def page(self, number: Any) -> Page:
        if str(number) != "1" or self.known_count is not None:
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:  # the whole result: no count query
            rows = rows[:SEARCH_MAX_RESULTS]
            self.__dict__["count"] = len(rows)
        return Page(rows, 1, self)


class SearchPagination(PagePagination):
    """``count`` is the number of matches up to ``SEARCH_MAX_RESULTS``; pages beyond it are not served.
    ``known_count``: the capped count the view already read (not read again); ``count_source``: the
    queryset to count instead of the page's."""

    django_paginator_class = CappedCountPaginator

    def __init__(self, known_count: int | None = None, count_source: Any = None) -> None:
        if known_count is not None or count_source is not None:
            counted, source = known_count, count_source

            class CountedPaginator(CappedCountPaginator):
                known_count = counted
                count_source = source

            self.django_paginator_class = CountedPaginator


class ListingListApi(APIView):
    """CAT-8: browse and search visible listings."""

    permission_classes = [AllowAny]
    pagination_class = SearchPagination

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)
        category = serializers.SlugField(required=False, help_text="Category slug (includes subcategories).")
        min_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
        max_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
        sort = serializers.ChoiceField(choices=selectors.SORTS, required=False, default="relevance")

    @extend_schema(
        summary=gettext_lazy("Search listings"),
        description=gettext_lazy(
            "Browse and search the listings on sale, filtered by category, price and kind (CAT-8)."
        ),
        tags=["listings"],
        parameters=[FilterSerializer],
        responses={200: ListingCardSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        category = None
        if data.get("category"):
            category = Category.objects.filter(slug=data["category"]).first()
            if category is None:
                raise NotFound(_("No such category."))
        search = {
            "q": data.get("q"),
            "category": category,
            "min_price": data.get("min_price"),
            "max_price": data.get("max_price"),
            "sort": data["sort"],
        }
        # the default ranking ranks a window of SEARCH_MAX_RESULTS candidates when there are more (decision 051)
        matches = selectors.listing_search_for_customer(**search, window=SEARCH_MAX_RESULTS)
        count, count_source = None, None
        if selectors.listing_browse_ranks_a_window(q=search["q"], sort=search["sort"]):
            # browsing's window: the visible listings are counted unordered (the first 2,000 found), not
            # by walking and probing the window a second time
            count_source = selectors.listing_search_for_customer(**search)
        if selectors.listing_search_walks_sort_index(q=search["q"], sort=search["sort"], category=category):
            # Counted first (through the text's index): a term with fewer matches than the cap is read
            # through that index and sorted or scored (at most SEARCH_MAX_RESULTS rows); a common one walks
            # an index instead: the sort's, stopping after the page (decision 008, s8f), or the order of the
            # default ranking's rescore window, stopping when the window is full, if the term is dense enough
            # for that walk to be shorter than reading its matches (sampled; decision 051).
            count = capped_count(matches)
            if count >= SEARCH_MAX_RESULTS and (
                search["sort"] != "relevance"
                or selectors.listing_search_window_pays(q=search["q"], window=SEARCH_MAX_RESULTS)
            ):
                matches = selectors.listing_search_for_customer(
                    **search, walk_sort_index=True, window=SEARCH_MAX_RESULTS
                )
        paginator = self.pagination_class(known_count=count, count_source=count_source)
        # the page's ids first (sorted on the listing row), then their cards (listing_cards_for_customer)
        ids = paginator.paginate_queryset(matches, request, view=self)
        cards = selectors.listing_cards_for_customer(ids=list(ids or ()))
        return paginator.get_paginated_response([card_answer(card) for card in cards])


class ListingDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary=gettext_lazy("Get a listing"),
        description=gettext_lazy("One listing on sale with its SKUs, shop and review summary (CAT-8)."),
        tags=["listings"],
        responses={200: ListingDetailSerializer},
    )
    def get(self, request: Request, listing_id: int) -> Response:
        listing = selectors.listing_get_for_customer(listing_id=listing_id)
        return Response(represent(ListingDetailSerializer, listing))
