"""Issue 24: the category tree, named by slug — the identifier every operation takes and returns
(listings, shop applications, deposits)."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.models import Category


class CategoryOutputSerializer(serializers.ModelSerializer[Category]):
    # a body field named like Field.parent (DRF's metaclass moves it into the declared fields)
    parent: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Category
        fields = [
            "slug",
            "name",
            "name_en",
            "parent",
            "is_service",
            "deposit_amount",
            "commission_rate",
            "required_document_kinds",
            "required_listing_fields",
        ]


class CategoryListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary=gettext_lazy("List categories"),
        description=gettext_lazy(
            "Every category with its parent, deposit and commission; `slug` is what listings, shop "
            "applications and deposits take and return (CAT-1, MER-5)."
        ),
        tags=["categories"],
        responses={200: CategoryOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(CategoryOutputSerializer(selectors.category_list(), many=True).data)
