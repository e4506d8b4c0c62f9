"""Catalog REST API, merchant listing management (CAT-1, CAT-2, CAT-3, CAT-5): listings, SKUs, stock and
the live pre-screen."""

from typing import Any

from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api._common import MerchantScopedApi
from catalog.models import Category, Listing, ListingVersion, Sku
from catalog.services.assisted import listing_stock_confirm
from catalog.services.listings import listing_create, listing_submit, listing_update
from catalog.services.review import listing_delist
from catalog.services.skus import sku_stock_bulk_set, sku_update
from merchants.permissions import merchant_for_request
from platform_core.api.fields import (
    IdField,
    MoneyField,
    NulFreeDictField,
    PositiveInt32Field,
    SlugOrIdRelatedField,
)
from platform_core.api.pagination import PagePagination

# --- output serializers -------------------------------------------------------------------------------------


class VersionSerializer(serializers.ModelSerializer):
    category = SlugOrIdRelatedField(slug_field="slug", read_only=True)
    reject_reason = serializers.CharField(
        read_only=True,
        help_text="CAT-2: why the version was rejected, as a code (empty unless rejected): "
        + ", ".join(ListingVersion.RejectReason.values)
        + ".",
    )
    reject_reason_label = serializers.SerializerMethodField(
        help_text="The rejection reason in the reader's language (Accept-Language); null unless rejected."
    )
    review_note = serializers.CharField(
        read_only=True, help_text="The reviewer's note on an approval, or the details of a rejection."
    )

    def get_reject_reason_label(self, version: ListingVersion) -> str | None:
        return str(version.get_reject_reason_display()) if version.reject_reason else None

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
            "reject_reason",
            "reject_reason_label",
            "review_note",
        ]


class SkuMerchantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sku
        fields = ["id", "code", "attributes", "price", "stock", "is_active", "stock_updated_at"]


class MerchantListingSerializer(serializers.ModelSerializer):
    category = SlugOrIdRelatedField(slug_field="slug", read_only=True)
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


class MerchantListingDetailSerializer(MerchantListingSerializer):
    """One listing with its latest version, whatever its state: a rejected version is neither live nor the
    candidate any more, and it carries the reviewer's reason (issue 21, decision 047)."""

    latest_version = serializers.SerializerMethodField(
        help_text="CAT-2: the newest version (draft, waiting, approved or rejected) with the review's outcome."
    )

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_latest_version(self, listing: Listing) -> dict[str, Any] | None:
        latest = listing.versions.select_related("category").order_by("-number").first()
        return VersionSerializer(latest).data if latest is not None else None

    class Meta(MerchantListingSerializer.Meta):
        fields = [*MerchantListingSerializer.Meta.fields, "latest_version"]


class FindingSerializer(serializers.Serializer):
    phrase = serializers.CharField()
    field = serializers.CharField()
    severity = serializers.ChoiceField(choices=["hard", "soft", "missing", "price"])
    position = serializers.IntegerField()
    reason = serializers.CharField()


class ImageSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    alt = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


# --- merchant ----------------------------------------------------------------------------------------------------


class SkuInputSerializer(serializers.Serializer):
    """CAT-1, SEC (decision 022): one SKU of a new listing, within the columns' bounds."""

    code = serializers.CharField(max_length=64)
    price = MoneyField()
    stock = PositiveInt32Field(min_value=0, required=False, default=0)
    attributes = NulFreeDictField(required=False, default=dict)


class MerchantListingListApi(MerchantScopedApi):
    """CAT-1: the caller's merchant's listings; create a draft."""

    pagination_class = PagePagination

    class InputSerializer(serializers.Serializer):
        category = SlugOrIdRelatedField(slug_field="slug", queryset=Category.objects.all())
        kind = serializers.ChoiceField(choices=Listing.Kind.choices, default=Listing.Kind.PRODUCT)
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(allow_blank=True, required=False, default="")
        images = ImageSerializer(many=True, required=False, default=list)
        service_area = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
        service_duration_minutes = serializers.IntegerField(
            min_value=1, required=False, allow_null=True, default=None
        )
        is_non_returnable = serializers.BooleanField(required=False, default=False)
        skus = serializers.ListField(child=SkuInputSerializer(), min_length=1, max_length=500)

    @extend_schema(
        summary=gettext_lazy("List my listings"),
        description=gettext_lazy("The shop's listings in every state (CAT-1)."),
        tags=["listings"],
        responses={200: MerchantListingSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        merchant = merchant_for_request(request)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.listing_list_for_merchant(merchant=merchant), request, view=self
        )
        return paginator.get_paginated_response(MerchantListingSerializer(page, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Create a listing"),
        description=gettext_lazy("Create a draft listing with its SKUs (CAT-1)."),
        tags=["listings"],
        request=InputSerializer,
        responses={201: MerchantListingSerializer},
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
        category = SlugOrIdRelatedField(slug_field="slug", queryset=Category.objects.all(), required=False)
        title = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(allow_blank=True, required=False)
        images = ImageSerializer(many=True, required=False)
        service_area = serializers.CharField(max_length=200, allow_blank=True, required=False)
        service_duration_minutes = serializers.IntegerField(min_value=1, required=False, allow_null=True)
        is_non_returnable = serializers.BooleanField(required=False)

    @extend_schema(
        summary=gettext_lazy("Get my listing"),
        description=gettext_lazy("One of the shop's listings with its SKUs and review state (CAT-1)."),
        tags=["listings"],
        responses={200: MerchantListingDetailSerializer},
    )
    def get(self, request: Request, listing_id: int) -> Response:
        merchant = merchant_for_request(request)
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        return Response(MerchantListingDetailSerializer(listing).data)

    @extend_schema(
        summary=gettext_lazy("Change my listing"),
        description=gettext_lazy(
            "Change a listing; a change to a listing on sale goes to review (CAT-1, CAT-4)."
        ),
        tags=["listings"],
        request=InputSerializer,
        responses={200: MerchantListingSerializer},
    )
    def patch(self, request: Request, listing_id: int) -> Response:
        merchant = merchant_for_request(request)
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "images" in changes:
            changes["images"] = [dict(i) for i in changes["images"]]
        listing_update(listing=listing, actor=request.user, **changes)  # type: ignore[arg-type]
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        return Response(MerchantListingSerializer(listing).data)


class MerchantListingSubmitApi(MerchantScopedApi):
    @extend_schema(
        summary=gettext_lazy("Submit a listing for review"),
        description=gettext_lazy("Submit the draft for review; pre-screening runs first (CAT-2, CAT-3)."),
        tags=["listings"],
        request=None,
        responses={200: MerchantListingSerializer},
    )
    def post(self, request: Request, listing_id: int) -> Response:
        merchant = merchant_for_request(request)
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        listing_submit(listing=listing, actor=request.user)  # type: ignore[arg-type]
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        return Response(MerchantListingSerializer(listing).data)


class MerchantListingDelistApi(MerchantScopedApi):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")

    @extend_schema(
        summary=gettext_lazy("Delist a listing"),
        description=gettext_lazy("Take a listing off sale (CAT-1)."),
        tags=["listings"],
        request=InputSerializer,
        responses={200: MerchantListingSerializer},
    )
    def post(self, request: Request, listing_id: int) -> Response:
        merchant = merchant_for_request(request)
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing_delist(
            listing=listing,
            actor=request.user,  # type: ignore[arg-type]
            reason=data.validated_data["reason"],
            source=Listing.DelistSource.MERCHANT,
        )
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        return Response(MerchantListingSerializer(listing).data)


class MerchantListingStockConfirmApi(MerchantScopedApi):
    """CAT-9: confirm the listing's stock figures as they stand (an assisted listing's figures unconfirmed
    for 7 days prompt the platform's operations staff to check with you)."""

    @extend_schema(
        summary=gettext_lazy("Confirm stock"),
        description=gettext_lazy("Confirm the listing's stock figures as they stand (CAT-9)."),
        tags=["listings"],
        request=None,
        responses={200: MerchantListingSerializer},
    )
    def post(self, request: Request, listing_id: int) -> Response:
        merchant = merchant_for_request(request)
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        listing_stock_confirm(listing=listing, merchant=merchant, actor=request.user)  # type: ignore[arg-type]
        listing = selectors.listing_get_for_merchant(merchant=merchant, listing_id=listing_id)
        return Response(MerchantListingSerializer(listing).data)


class MerchantSkuApi(MerchantScopedApi):
    class InputSerializer(serializers.Serializer):
        price = MoneyField(required=False)
        stock = PositiveInt32Field(min_value=0, required=False)
        attributes = NulFreeDictField(required=False)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(
        summary=gettext_lazy("Change a SKU"),
        description=gettext_lazy(
            "Change a SKU's price or stock; a large price change goes to review (CAT-4, CAT-5)."
        ),
        tags=["listings"],
        request=InputSerializer,
        responses={200: SkuMerchantSerializer},
    )
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
            sku_id = IdField()
            stock = PositiveInt32Field(min_value=0)

        items = serializers.ListField(child=ItemSerializer(), min_length=1, max_length=1000)

    @extend_schema(
        summary=gettext_lazy("Set stock in bulk"),
        description=gettext_lazy("Set the stock of many SKUs at once (ERP sync); all or nothing (CAT-5)."),
        tags=["listings"],
        request=InputSerializer,
        responses={200: SkuMerchantSerializer(many=True)},
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
        category = SlugOrIdRelatedField(
            slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True, default=None
        )
        prices = serializers.ListField(child=MoneyField(min_value=None), required=False, default=list)

    @extend_schema(
        summary=gettext_lazy("Pre-screen listing text"),
        description=gettext_lazy("Pre-screen draft text live, as the merchant types (CAT-3)."),
        tags=["listings"],
        request=InputSerializer,
        responses={200: FindingSerializer(many=True)},
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
        # issue 24: the reason in the reader's language (the field stays its key, for the form to mark)
        rows = [{**f.as_dict(), "reason": gettext(f.reason) if f.reason else ""} for f in findings]
        return Response(FindingSerializer(rows, many=True).data)
