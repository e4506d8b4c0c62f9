"""Catalog REST API, listing images (SEC-4, CAT-1): a shop uploads an image and names it in a listing's
``images`` by the URL it gets back; the image route serves it to whoever may see it."""

from django.http import FileResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api._common import MerchantScopedApi
from catalog.models import ListingImage
from catalog.selectors import listing_image_get_for_viewer
from catalog.services.images import listing_image_upload
from merchants.permissions import merchant_for_request
from platform_core.accounts.acting import request_user


class ListingImageSerializer(serializers.ModelSerializer):
    url = serializers.CharField(
        read_only=True,
        help_text='Name the image in a listing\'s `images` by this URL: `{"url": …, "alt": …}`.',
    )

    class Meta:
        model = ListingImage
        fields = ["id", "url", "content_type", "size", "width", "height", "sha256", "created_at"]


class MerchantListingImageUploadApi(MerchantScopedApi):
    """SEC-4, CAT-1: upload an image for the shop's listings (owners and operations staff)."""

    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(
            help_text="A JPEG, PNG or WebP image (judged by content), within the size and pixel limits."
        )

    @extend_schema(
        summary=gettext_lazy("Upload a listing image"),
        description=gettext_lazy(
            "Keep a JPEG, PNG or WebP image (judged by content; its EXIF data removed) for the shop's "
            "listings and get its URL to name in a listing's images; a new image is reviewed with the "
            "listing (SEC-4, CAT-1, CAT-3)."
        ),
        tags=["listings"],
        request={"multipart/form-data": InputSerializer},
        responses={201: ListingImageSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        image = listing_image_upload(
            merchant=merchant_for_request(request),
            file=data.validated_data["file"],
            actor=request_user(request),
        )
        return Response(ListingImageSerializer(image).data, status=status.HTTP_201_CREATED)


class ListingImageApi(APIView):
    """SEC-4, CAT-2: a listing image, served only through this view: public while a listing on sale shows
    it; otherwise only to the shop's members and, while under review, to listing reviewers."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary=gettext_lazy("Get a listing image"),
        description=gettext_lazy(
            "A listing image: public while a listing on sale shows it; a draft's only reaches the shop and, "
            "under review, the reviewers (SEC-4, CAT-2)."
        ),
        tags=["listings"],
        responses={(200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, image_id: int) -> FileResponse:
        image = listing_image_get_for_viewer(user=request.user, image_id=image_id)
        response = FileResponse(image.file.open("rb"), content_type=image.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = f'inline; filename="listing-image-{image.pk}"'
        response["Cache-Control"] = "private, max-age=300"
        return response
