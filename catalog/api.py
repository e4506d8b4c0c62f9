"""Catalog REST API: public browse and search (CAT-8), merchant listing management (CAT-1, CAT-2, CAT-5),
IP notices (CAT-7). Views are thin: they parse, scope to the caller and call a service or selector."""

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.models import Category, IpNotice, Listing, ListingVersion, Sku
from catalog.services.assisted import listing_stock_confirm
from catalog.services.favourites import favourite_add, favourite_remove, follow_add, follow_remove
from catalog.services.ip_notices import ip_notice_action_proof, ip_notice_counter, ip_notice_file
from catalog.services.listings import listing_create, listing_submit, listing_update
from catalog.services.review import listing_delist
from catalog.services.skus import sku_stock_bulk_set, sku_update
from merchants.models import Merchant, MerchantMember
from merchants.permissions import IsMerchantMember, merchant_for_request
from platform_core.accounts.masking import MASK, mask_name
from platform_core.api.pagination import PagePagination
from platform_core.errors import NotFound

SELF_OPERATED_LABEL = "自营"


ListingEditor = IsMerchantMember.with_roles(MerchantMember.Role.OWNER, MerchantMember.Role.OPERATIONS)


class MerchantScopedApi(APIView):
    """Merchant API views: any member may read; owners and operations staff may change listings (403
    otherwise). The caller's shop is ``merchant_for_request(request)``."""

    def get_permissions(self) -> list[BasePermission]:
        editor = self.request.method not in SAFE_METHODS
        return [IsAuthenticated(), ListingEditor() if editor else IsMerchantMember()]


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
        return selectors.listing_favourite_count(listing=listing)

    def get_merchant_follower_count(self, listing: Listing) -> int:
        return selectors.merchant_follower_count(merchant=listing.merchant)

    def get_no_reason_return(self, listing: Listing) -> bool:
        return not (listing.is_non_returnable or listing.category.no_reason_return_excluded)

    def get_review_summary(self, listing: Listing) -> dict[str, Any] | None:
        return selectors.listing_review_summary(listing=listing)


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListingVersion
        fields = [
            "number",
            "status",
            "category",
            "title",
            "description",
            "images",
            "price_min",
            "price_max",
            "proposed_prices",
            "findings",
            "changed_fields",
            "submitted_at",
            "reviewed_at",
            "review_note",
        ]


class SkuMerchantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sku
        fields = ["id", "code", "attributes", "price", "stock", "is_active", "stock_updated_at"]


class MerchantListingSerializer(serializers.ModelSerializer):
    live_version = VersionSerializer(allow_null=True)
    candidate_version = VersionSerializer(allow_null=True)
    skus = SkuMerchantSerializer(many=True)
    is_assisted = serializers.BooleanField(
        help_text="CAT-9: listed or edited for you by the platform's operations staff."
    )
    assisted_by = serializers.SerializerMethodField(help_text="CAT-9: the staff member who assisted last.")
    stock_confirmed_at = serializers.DateTimeField(
        allow_null=True,
        help_text="CAT-9: when you last confirmed the stock figures (a stock update or confirm-stock).",
    )

    def get_assisted_by(self, listing: Listing) -> str | None:
        return str(listing.assisted_by) if listing.assisted_by is not None else None

    class Meta:
        model = Listing
        fields = [
            "id",
            "kind",
            "status",
            "on_sale",
            "category",
            "service_area",
            "service_duration_minutes",
            "is_non_returnable",
            "price_min",
            "price_max",
            "sales_count",
            "delist_source",
            "delist_reason",
            "is_assisted",
            "assisted_by",
            "assisted_at",
            "stock_confirmed_at",
            "live_version",
            "candidate_version",
            "skus",
            "created_at",
            "updated_at",
        ]


class FindingSerializer(serializers.Serializer):
    phrase = serializers.CharField()
    field = serializers.CharField()
    severity = serializers.ChoiceField(choices=["hard", "soft", "missing", "price"])
    position = serializers.IntegerField()
    reason = serializers.CharField()


class ImageSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    alt = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


# --- public ---------------------------------------------------------------------------------------------------

#: CAT-8: search results are counted up to this many (100 pages of 20, as large marketplaces do); an
#: exact count of every match would cost as much as the search itself on a large catalogue.
SEARCH_MAX_RESULTS = 2000


class CappedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        # Neither the order nor the per-row annotations change how many rows match.
        matches = self.object_list.order_by().values("pk")  # type: ignore[attr-defined]
        return int(matches[:SEARCH_MAX_RESULTS].count())


class SearchPagination(PagePagination):
    """``count`` is the number of matches up to ``SEARCH_MAX_RESULTS``; pages beyond it are not served."""

    django_paginator_class = CappedCountPaginator


class ListingListApi(APIView):
    """CAT-8: browse and search visible listings."""

    permission_classes = [AllowAny]
    pagination_class = SearchPagination
    # Only what a result card shows, so the sort over many matched rows carries narrow rows. The FSM
    # ``status`` fields must stay loaded: ConcurrentTransitionMixin reads them on every instance.
    CARD_FIELDS = (
        "id",
        "kind",
        "status",
        "price_min",
        "price_max",
        "sales_count",
        "live_version__title",
        "live_version__images",
        "category__slug",
        "merchant__name",
        "merchant__status",
        "merchant__is_self_operated",
    )

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)
        category = serializers.SlugField(required=False, help_text="Category slug (includes subcategories).")
        min_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
        max_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
        sort = serializers.ChoiceField(choices=selectors.SORTS, required=False, default="relevance")

    @extend_schema(
        parameters=[FilterSerializer], responses={200: ListingCardSerializer(many=True)}, tags=["catalog"]
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
        listings = selectors.listing_list_for_customer(
            q=data.get("q"),
            category=category,
            min_price=data.get("min_price"),
            max_price=data.get("max_price"),
            sort=data["sort"],
        ).only(*self.CARD_FIELDS)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(listings, request, view=self)
        return paginator.get_paginated_response(ListingCardSerializer(page, many=True).data)


class ListingDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ListingDetailSerializer}, tags=["catalog"])
    def get(self, request: Request, listing_id: int) -> Response:
        listing = selectors.listing_get_for_customer(listing_id=listing_id)
        return Response(ListingDetailSerializer(listing).data)


# --- merchant ----------------------------------------------------------------------------------------------------


class MerchantListingListApi(MerchantScopedApi):
    """CAT-1: the caller's merchant's listings; create a draft."""

    pagination_class = PagePagination

    class InputSerializer(serializers.Serializer):
        category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
        kind = serializers.ChoiceField(choices=Listing.Kind.choices, default=Listing.Kind.PRODUCT)
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(allow_blank=True, required=False, default="")
        images = ImageSerializer(many=True, required=False, default=list)
        service_area = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
        service_duration_minutes = serializers.IntegerField(
            min_value=1, required=False, allow_null=True, default=None
        )
        is_non_returnable = serializers.BooleanField(required=False, default=False)
        skus = serializers.ListField(
            child=serializers.DictField(), min_length=1, help_text="[{code, price, stock, attributes}]"
        )

    @extend_schema(responses={200: MerchantListingSerializer(many=True)}, tags=["merchant-catalog"])
    def get(self, request: Request) -> Response:
        merchant = merchant_for_request(request)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.listing_list_for_merchant(merchant=merchant), request, view=self
        )
        return paginator.get_paginated_response(MerchantListingSerializer(page, many=True).data)

    @extend_schema(
        request=InputSerializer, responses={201: MerchantListingSerializer}, tags=["merchant-catalog"]
    )
    def post(self, request: Request) -> Response:
        merchant = merchant_for_request(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = listing_create(merchant=merchant, actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing.pk)
        return Response(MerchantListingSerializer(listing).data, status=status.HTTP_201_CREATED)


class MerchantListingDetailApi(MerchantScopedApi):
    class InputSerializer(serializers.Serializer):
        category = serializers.SlugRelatedField(
            slug_field="slug", queryset=Category.objects.all(), required=False
        )
        title = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(allow_blank=True, required=False)
        images = ImageSerializer(many=True, required=False)
        service_area = serializers.CharField(max_length=200, allow_blank=True, required=False)
        service_duration_minutes = serializers.IntegerField(min_value=1, required=False, allow_null=True)
        is_non_returnable = serializers.BooleanField(required=False)

    @extend_schema(responses={200: MerchantListingSerializer}, tags=["merchant-catalog"])
    def get(self, request: Request, listing_id: int) -> Response:
        merchant = merchant_for_request(request)
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        return Response(MerchantListingSerializer(listing).data)

    @extend_schema(
        request=InputSerializer, responses={200: MerchantListingSerializer}, tags=["merchant-catalog"]
    )
    def patch(self, request: Request, listing_id: int) -> Response:
        merchant = merchant_for_request(request)
        selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "images" in changes:
            changes["images"] = [dict(i) for i in changes["images"]]
        listing_update(listing_id=listing_id, actor=request.user, **changes)  # type: ignore[arg-type]
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        return Response(MerchantListingSerializer(listing).data)


class MerchantListingSubmitApi(MerchantScopedApi):
    @extend_schema(request=None, responses={200: MerchantListingSerializer}, tags=["merchant-catalog"])
    def post(self, request: Request, listing_id: int) -> Response:
        merchant = merchant_for_request(request)
        selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        listing_submit(listing_id=listing_id, actor=request.user)  # type: ignore[arg-type]
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        return Response(MerchantListingSerializer(listing).data)


class MerchantListingDelistApi(MerchantScopedApi):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")

    @extend_schema(
        request=InputSerializer, responses={200: MerchantListingSerializer}, tags=["merchant-catalog"]
    )
    def post(self, request: Request, listing_id: int) -> Response:
        merchant = merchant_for_request(request)
        selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing_delist(
            listing_id=listing_id,
            actor=request.user,  # type: ignore[arg-type]
            reason=data.validated_data["reason"],
            source=Listing.DelistSource.MERCHANT,
        )
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        return Response(MerchantListingSerializer(listing).data)


class MerchantListingStockConfirmApi(MerchantScopedApi):
    """CAT-9: confirm the listing's stock figures as they stand (an assisted listing's figures unconfirmed
    for 7 days prompt the platform's operations staff to check with you)."""

    @extend_schema(request=None, responses={200: MerchantListingSerializer}, tags=["merchant-catalog"])
    def post(self, request: Request, listing_id: int) -> Response:
        merchant = merchant_for_request(request)
        selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        listing_stock_confirm(listing_id=listing_id, merchant=merchant, actor=request.user)  # type: ignore[arg-type]
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        return Response(MerchantListingSerializer(listing).data)


class MerchantSkuApi(MerchantScopedApi):
    class InputSerializer(serializers.Serializer):
        price = serializers.DecimalField(
            max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False
        )
        stock = serializers.IntegerField(min_value=0, required=False)
        attributes = serializers.DictField(required=False)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(request=InputSerializer, responses={200: SkuMerchantSerializer}, tags=["merchant-catalog"])
    def patch(self, request: Request, sku_id: int) -> Response:
        merchant = merchant_for_request(request)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        sku = sku_update(sku_id=sku_id, merchant=merchant, actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(SkuMerchantSerializer(sku).data)


class MerchantStockBulkApi(MerchantScopedApi):
    """CAT-5: set stock for many SKUs at once (ERP sync); all or nothing."""

    class InputSerializer(serializers.Serializer):
        class ItemSerializer(serializers.Serializer):
            sku_id = serializers.IntegerField()
            stock = serializers.IntegerField(min_value=0)

        items = serializers.ListField(child=ItemSerializer(), min_length=1, max_length=1000)

    @extend_schema(
        request=InputSerializer, responses={200: SkuMerchantSerializer(many=True)}, tags=["merchant-catalog"]
    )
    def post(self, request: Request) -> Response:
        merchant = merchant_for_request(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        skus = sku_stock_bulk_set(
            merchant=merchant,
            items=[dict(i) for i in data.validated_data["items"]],
            actor=request.user,  # type: ignore[arg-type]
        )
        return Response(SkuMerchantSerializer(skus, many=True).data)


class MerchantPrescreenApi(MerchantScopedApi):
    """CAT-3: pre-screen draft text live, as the merchant types (the dashboard calls this)."""

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
        description = serializers.CharField(allow_blank=True, required=False, default="")
        image_alts = serializers.ListField(
            child=serializers.CharField(allow_blank=True), required=False, default=list
        )
        category = serializers.SlugRelatedField(
            slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True, default=None
        )
        prices = serializers.ListField(
            child=serializers.DecimalField(max_digits=12, decimal_places=2), required=False, default=list
        )

    @extend_schema(
        request=InputSerializer, responses={200: FindingSerializer(many=True)}, tags=["merchant-catalog"]
    )
    def post(self, request: Request) -> Response:
        merchant_for_request(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        findings = selectors.listing_prescreen(
            title=v["title"],
            description=v["description"],
            image_alts=v["image_alts"],
            images=[{"url": "-"}] * len(v["image_alts"]),
            category=v["category"],
            prices=v["prices"],
        )
        return Response(FindingSerializer([f.as_dict() for f in findings], many=True).data)


# --- IP notices -------------------------------------------------------------------------------------------------


class IpNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = IpNotice
        fields = [
            "id",
            "listing",
            "right_kind",
            "right_reference",
            "description",
            "proof",
            "status",
            "filed_at",
            "validated_at",
            "counter_statement",
            "counter_proof",
            "counter_forwarded_at",
            "action_proof",
            "resolved_at",
        ]


class IpNoticePublishedSerializer(serializers.Serializer):
    """CAT-7: one validated notice as the public sees it; the rights holder's name is masked (SEC-2)."""

    OUTCOMES = {
        IpNotice.Status.TAKEN_DOWN: "taken_down",
        IpNotice.Status.COUNTER_NOTICED: "counter_notice_pending",
        IpNotice.Status.RESTORED: "restored_after_counter_notice",
        IpNotice.Status.UPHELD: "upheld",
    }

    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    listing_title = serializers.SerializerMethodField()
    shop = serializers.SerializerMethodField()
    right_kind = serializers.CharField()
    rights_holder = serializers.SerializerMethodField(help_text="Masked (SEC-2).")
    status = serializers.ChoiceField(choices=IpNotice.Status.choices)
    outcome = serializers.SerializerMethodField(
        help_text="taken_down | counter_notice_pending | restored_after_counter_notice | upheld"
    )
    filed_at = serializers.DateTimeField()
    taken_down_at = serializers.DateTimeField(source="validated_at")
    counter_notice_forwarded_at = serializers.DateTimeField(source="counter_forwarded_at", allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)

    def get_listing_title(self, notice: IpNotice) -> str:
        version = notice.listing.live_version
        return version.title if version is not None else ""

    def get_shop(self, notice: IpNotice) -> dict[str, Any]:
        merchant = notice.listing.merchant
        return {"id": merchant.pk, "name": merchant.name}

    def get_rights_holder(self, notice: IpNotice) -> str:
        return mask_name(notice.rights_holder.name) or MASK * 3

    def get_outcome(self, notice: IpNotice) -> str:
        return self.OUTCOMES[IpNotice.Status(notice.status)]


class IpNoticePublishedApi(APIView):
    """CAT-7: notices and their outcomes, published: every validated notice, newest takedown first."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @extend_schema(responses={200: IpNoticePublishedSerializer(many=True)}, tags=["ip-notices"])
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.ip_notice_list_published(), request, view=self)
        return paginator.get_paginated_response(IpNoticePublishedSerializer(page, many=True).data)


class IpNoticeListApi(APIView):
    """CAT-7: a rights holder files a notice (with proof) and follows their notices."""

    pagination_class = PagePagination

    class InputSerializer(serializers.Serializer):
        listing = serializers.IntegerField()
        right_kind = serializers.ChoiceField(choices=["trademark", "copyright", "patent", "other"])
        right_reference = serializers.CharField(max_length=100)
        description = serializers.CharField()
        proof = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1)

    @extend_schema(responses={200: IpNoticeSerializer(many=True)}, tags=["ip-notices"])
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.ip_notice_list_for_rights_holder(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(IpNoticeSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: IpNoticeSerializer}, tags=["ip-notices"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        notice = ip_notice_file(
            listing_id=v["listing"],
            rights_holder=request.user,  # type: ignore[arg-type]
            right_kind=v["right_kind"],
            right_reference=v["right_reference"],
            description=v["description"],
            proof=v["proof"],
        )
        return Response(IpNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class IpNoticeActionProofApi(APIView):
    class InputSerializer(serializers.Serializer):
        proof = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1)

    @extend_schema(request=InputSerializer, responses={200: IpNoticeSerializer}, tags=["ip-notices"])
    def post(self, request: Request, notice_id: int) -> Response:
        selectors.ip_notice_get_for_rights_holder(user=request.user, notice_id=notice_id)  # 404 first
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = ip_notice_action_proof(
            notice_id=notice_id,
            proof=data.validated_data["proof"],
            actor=request.user,  # type: ignore[arg-type]
        )
        return Response(IpNoticeSerializer(notice).data)


class MerchantIpNoticeListApi(MerchantScopedApi):
    pagination_class = PagePagination

    @extend_schema(responses={200: IpNoticeSerializer(many=True)}, tags=["merchant-catalog"])
    def get(self, request: Request) -> Response:
        merchant = merchant_for_request(request)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.ip_notice_list_for_merchant(merchant=merchant), request, view=self
        )
        return paginator.get_paginated_response(IpNoticeSerializer(page, many=True).data)


class MerchantIpCounterNoticeApi(MerchantScopedApi):
    class InputSerializer(serializers.Serializer):
        statement = serializers.CharField()
        proof = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1)

    @extend_schema(request=InputSerializer, responses={200: IpNoticeSerializer}, tags=["merchant-catalog"])
    def post(self, request: Request, notice_id: int) -> Response:
        merchant = merchant_for_request(request)
        selectors.ip_notice_get_for_merchant(merchant=merchant, notice_id=notice_id)  # 404 first
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = ip_notice_counter(
            notice_id=notice_id,
            merchant=merchant,
            statement=data.validated_data["statement"],
            proof=data.validated_data["proof"],
            actor=request.user,  # type: ignore[arg-type]
        )
        return Response(IpNoticeSerializer(notice).data)


# --- USR-1: favourites and follows ----------------------------------------------------------------------------


class FavouriteOutputSerializer(serializers.Serializer):
    listing = ListingCardSerializer(source="*")
    favourite_count = serializers.IntegerField(help_text="Users who favourited the listing.")
    favourited_at = serializers.DateTimeField()


class FollowOutputSerializer(serializers.Serializer):
    merchant = MerchantSummarySerializer()
    follower_count = serializers.IntegerField(
        source="merchant_followers", help_text="Users who follow the shop."
    )
    created_at = serializers.DateTimeField()


class CountOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class MyFavouritesApi(APIView):
    """USR-1: the user's favourite listings; add one (needs the basic permission ``favourite``)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        listing = serializers.IntegerField()

    @extend_schema(responses={200: FavouriteOutputSerializer(many=True)}, tags=["me"])
    def get(self, request: Request) -> Response:
        qs = selectors.favourite_list_for_user(user=request.user)
        paginator = PagePagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(FavouriteOutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CountOutputSerializer}, tags=["me"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        favourite = favourite_add(
            user=request.user,  # type: ignore[arg-type]
            listing_id=data.validated_data["listing"],
            actor=request.user,  # type: ignore[arg-type]
        )
        count = selectors.listing_favourite_count(listing=favourite.listing)
        return Response({"count": count}, status=status.HTTP_201_CREATED)


class MyFavouriteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, tags=["me"])
    def delete(self, request: Request, listing_id: int) -> Response:
        favourite_remove(user=request.user, listing_id=listing_id, actor=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyFollowsApi(APIView):
    """USR-1: the shops the user follows; follow one (needs the basic permission ``follow``)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        merchant = serializers.IntegerField()

    @extend_schema(responses={200: FollowOutputSerializer(many=True)}, tags=["me"])
    def get(self, request: Request) -> Response:
        qs = selectors.follow_list_for_user(user=request.user)
        paginator = PagePagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(FollowOutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CountOutputSerializer}, tags=["me"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        follow = follow_add(
            user=request.user,  # type: ignore[arg-type]
            merchant_id=data.validated_data["merchant"],
            actor=request.user,  # type: ignore[arg-type]
        )
        count = selectors.merchant_follower_count(merchant=follow.merchant)
        return Response({"count": count}, status=status.HTTP_201_CREATED)


class MyFollowApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, tags=["me"])
    def delete(self, request: Request, merchant_id: int) -> Response:
        follow_remove(user=request.user, merchant_id=merchant_id, actor=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
