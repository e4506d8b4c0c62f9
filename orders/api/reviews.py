"""The orders API: reviews of order lines, their photos and likes, and the merchant's replies (REP-1,
REP-2, USR-1)."""

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from merchants.permissions import REVIEW_ANSWERERS, IsMerchantMember, merchant_for_request
from orders.models import Review, ReviewPhoto
from orders.selectors.orders import order_get_for_customer
from orders.selectors.reviews import (
    review_get_for_customer,
    review_get_for_merchant,
    review_get_liked,
    review_get_visible,
    review_list_for_listing,
    review_list_for_merchant,
    review_photo_get_for_viewer,
)
from orders.services.reviews import review_create, review_follow_up, review_like, review_reply, review_unlike
from platform_core.accounts.acting import request_user
from platform_core.accounts.masking import mask_name, mask_phone
from platform_core.api.pagination import PagePagination
from platform_core.api.parsers import BoundedJSONParser

# --- REP-1, REP-2, USR-1: reviews ----------------------------------------------------------------------

REVIEW_TAGS = ["reviews"]
REVIEW_PARSERS = [BoundedJSONParser, MultiPartParser, FormParser]


class ReviewPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    content_type = serializers.CharField()

    def get_url(self, photo: ReviewPhoto) -> str:
        return reverse("review-photo", kwargs={"photo_id": photo.pk})


class ReviewFollowUpSerializer(serializers.Serializer):
    text = serializers.CharField()
    at = serializers.DateTimeField()
    photos = ReviewPhotoSerializer(many=True)


class ReviewReplySerializer(serializers.Serializer):
    text = serializers.CharField()
    at = serializers.DateTimeField()


class ReviewSerializer(serializers.Serializer):
    """A review as shown on the listing page. REP-2: a hidden review shows only that it is hidden and
    why — no ratings, text, photos, follow-up or reply (its author still sees their own words)."""

    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    created_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Review.Status.choices)
    hidden_reason = serializers.ChoiceField(choices=Review.HideReason.choices, allow_blank=True)
    hidden_reason_label = serializers.CharField(source="get_hidden_reason_display")
    reviewer = serializers.SerializerMethodField(help_text="Masked name, or 匿名 when posted anonymously.")
    anonymous = serializers.BooleanField()
    rating = serializers.IntegerField(allow_null=True)
    description_rating = serializers.IntegerField(allow_null=True)
    service_rating = serializers.IntegerField(allow_null=True)
    logistics_rating = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()
    photos = serializers.SerializerMethodField()
    follow_up = serializers.SerializerMethodField()
    reply = serializers.SerializerMethodField()
    like_count = serializers.IntegerField(help_text="USR-1: users who liked the review.")

    def get_reviewer(self, review: Review) -> str:
        if review.anonymous:
            return str(_("Anonymous"))
        customer = review.customer
        return mask_name(customer.name) or mask_phone(customer.phone) or str(_("Customer"))

    def _photos(self, review: Review, *, follow_up: bool) -> list[ReviewPhoto]:
        return [photo for photo in review.photos.all() if photo.follow_up == follow_up]

    @extend_schema_field(ReviewPhotoSerializer(many=True))
    def get_photos(self, review: Review) -> list[dict[str, Any]]:
        return ReviewPhotoSerializer(self._photos(review, follow_up=False), many=True).data  # type: ignore[return-value]

    @extend_schema_field(ReviewFollowUpSerializer(allow_null=True))
    def get_follow_up(self, review: Review) -> dict[str, Any] | None:
        if review.followed_up_at is None:
            return None
        photos = self._photos(review, follow_up=True)
        return ReviewFollowUpSerializer(
            {"text": review.follow_up_text, "at": review.followed_up_at, "photos": photos}
        ).data

    @extend_schema_field(ReviewReplySerializer(allow_null=True))
    def get_reply(self, review: Review) -> dict[str, Any] | None:
        if review.replied_at is None:
            return None
        return ReviewReplySerializer({"text": review.reply_text, "at": review.replied_at}).data

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if instance.status == Review.Status.HIDDEN and not self.context.get("author"):
            data.update(
                reviewer="",
                rating=None,
                description_rating=None,
                service_rating=None,
                logistics_rating=None,
                text="",
                photos=[],
                follow_up=None,
                reply=None,
            )
        return data


class ListingReviewListApi(APIView):
    """REP-1, REP-2: a listing's reviews, newest first; ``rating`` and ``has_photos`` filter them."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination

    class FilterSerializer(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5, required=False)
        has_photos = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        summary=gettext_lazy("List a listing's reviews"),
        description=gettext_lazy(
            "A listing's visible reviews, newest first; `rating` and `has_photos` filter them (REP-1, REP-2)."
        ),
        tags=["reviews"],
        parameters=[FilterSerializer],
        responses={200: ReviewSerializer(many=True)},
    )
    def get(self, request: Request, listing_id: int) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reviews = review_list_for_listing(listing_id=listing_id, **filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(reviews, request, view=self)
        return paginator.get_paginated_response(ReviewSerializer(page, many=True).data)


class ReviewInputSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text="The item, 1-5.")
    description_rating = serializers.IntegerField(min_value=1, max_value=5)
    service_rating = serializers.IntegerField(min_value=1, max_value=5)
    logistics_rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


DEVICE_HEADER = OpenApiParameter(
    "X-Device-Fingerprint",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="REP-2: the app's device identifier; only its hash is kept, to spot fake reviews.",
)


class OrderLineReviewApi(APIView):
    """REP-1: the customer's review of a completed order line (GET it back; POST it once, within 15 days)."""

    parser_classes = REVIEW_PARSERS

    @extend_schema(
        summary=gettext_lazy("Get my review of an order line"),
        description=gettext_lazy("The customer's review of a completed order line (REP-1)."),
        tags=["reviews"],
        responses={200: ReviewSerializer},
    )
    def get(self, request: Request, order_id: int, line_id: int) -> Response:
        review = review_get_for_customer(customer=request_user(request), order_id=order_id, line_id=line_id)
        return Response(ReviewSerializer(review, context={"author": True}).data)

    @extend_schema(
        summary=gettext_lazy("Review an order line"),
        description=gettext_lazy("Review a completed order line once, within the review window (REP-1)."),
        tags=["reviews"],
        request={"multipart/form-data": ReviewInputSerializer},
        responses={201: ReviewSerializer},
        parameters=[DEVICE_HEADER],
    )
    def post(self, request: Request, order_id: int, line_id: int) -> Response:
        order_get_for_customer(customer=request_user(request), order_id=order_id)  # 404 before 400
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review_create(
            customer=request_user(request),
            order_id=order_id,
            line_id=line_id,
            device_fingerprint=request.headers.get("X-Device-Fingerprint", ""),
            actor=request_user(request),
            **data.validated_data,
        )
        review = review_get_for_customer(customer=request_user(request), order_id=order_id, line_id=line_id)
        return Response(
            ReviewSerializer(review, context={"author": True}).data, status=status.HTTP_201_CREATED
        )


class OrderLineReviewFollowUpApi(APIView):
    """REP-1: the one follow-up review (追评) of a reviewed order line."""

    parser_classes = REVIEW_PARSERS

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=2000)
        photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    @extend_schema(
        summary=gettext_lazy("Add a follow-up review"),
        description=gettext_lazy("The one follow-up review of a reviewed order line (REP-1)."),
        tags=["reviews"],
        request={"multipart/form-data": InputSerializer},
        responses={200: ReviewSerializer},
    )
    def post(self, request: Request, order_id: int, line_id: int) -> Response:
        order = order_get_for_customer(customer=request_user(request), order_id=order_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review_follow_up(
            customer=request_user(request),
            order=order,
            line_id=line_id,
            actor=request_user(request),
            **data.validated_data,
        )
        review = review_get_for_customer(customer=request_user(request), order_id=order_id, line_id=line_id)
        return Response(ReviewSerializer(review, context={"author": True}).data)


class ReviewLikeOutputSerializer(serializers.Serializer):
    review = serializers.IntegerField()
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


class ReviewLikeApi(APIView):
    """USR-1: like (POST) or unlike (DELETE) a review; one like per user."""

    @extend_schema(
        summary=gettext_lazy("Like a review"),
        description=gettext_lazy("Like a review; one like per user (USR-1)."),
        tags=["reviews"],
        request=None,
        responses={200: ReviewLikeOutputSerializer},
    )
    def post(self, request: Request, review_id: int) -> Response:
        review = review_get_visible(review_id=review_id)
        count = review_like(user=request_user(request), review=review, actor=request_user(request))
        return Response(
            ReviewLikeOutputSerializer({"review": review_id, "liked": True, "like_count": count}).data
        )

    @extend_schema(
        summary=gettext_lazy("Unlike a review"),
        description=gettext_lazy("Take back a like (USR-1)."),
        tags=["reviews"],
        responses={200: ReviewLikeOutputSerializer},
    )
    def delete(self, request: Request, review_id: int) -> Response:
        review = review_get_liked(user=request_user(request), review_id=review_id)
        count = review_unlike(user=request_user(request), review=review, actor=request_user(request))
        return Response(
            ReviewLikeOutputSerializer({"review": review_id, "liked": False, "like_count": count}).data
        )


class ReviewPhotoApi(APIView):
    """REP-1, SEC-4: a review photo, served only through this view: public while the review is visible;
    once hidden, only to its author and moderators."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary=gettext_lazy("Get a review photo"),
        description=gettext_lazy("A review photo: public while the review is visible (REP-1, SEC-4)."),
        tags=["reviews"],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, photo_id: int) -> FileResponse:
        photo = review_photo_get_for_viewer(user=request.user, photo_id=photo_id)
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = f'inline; filename="review-photo-{photo.pk}"'
        return response


class MerchantReviewSerializer(ReviewSerializer):
    order_number = serializers.CharField(source="order.number")


class MerchantReviewListApi(APIView):
    """REP-1: the reviews of the merchant's shop, newest first; ``replied=false`` lists those to answer."""

    permission_classes = [IsMerchantMember]
    pagination_class = PagePagination

    class FilterSerializer(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5, required=False)
        replied = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        summary=gettext_lazy("List the shop's reviews"),
        description=gettext_lazy(
            "The reviews of the shop, newest first; `replied=false` lists those to answer (REP-1)."
        ),
        tags=["reviews"],
        parameters=[FilterSerializer],
        responses={200: MerchantReviewSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reviews = review_list_for_merchant(
            merchant=merchant_for_request(request),
            **filters.validated_data,
        ).select_related("order")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(reviews, request, view=self)
        return paginator.get_paginated_response(MerchantReviewSerializer(page, many=True).data)


class MerchantReviewReplyApi(APIView):
    """REP-1: the merchant's one reply to a review."""

    permission_classes = [IsMerchantMember.with_roles(*REVIEW_ANSWERERS)]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=2000)

    @extend_schema(
        summary=gettext_lazy("Reply to a review"),
        description=gettext_lazy("The shop's one reply to a review (REP-1)."),
        tags=["reviews"],
        request=InputSerializer,
        responses={200: MerchantReviewSerializer},
    )
    def post(self, request: Request, review_id: int) -> Response:
        merchant = merchant_for_request(request)
        review = review_get_for_merchant(merchant=merchant, review_id=review_id)  # 404 before 400
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review_reply(
            merchant=merchant,
            review=review,
            text=data.validated_data["text"],
            actor=request_user(request),
        )
        review = review_get_for_merchant(merchant=merchant, review_id=review_id)
        return Response(MerchantReviewSerializer(review).data)
