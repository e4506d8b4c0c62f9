"""USR-1: the user's favourite listings and followed shops."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.api.listings import ListingCardSerializer, MerchantSummarySerializer
from catalog.services.favourites import favourite_add, favourite_remove, follow_add, follow_remove
from platform_core.api.pagination import PagePagination


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
    pagination_class = PagePagination

    class InputSerializer(serializers.Serializer):
        listing = serializers.IntegerField()

    @extend_schema(
        summary=gettext_lazy("List my favourites"),
        description=gettext_lazy("The caller's favourite listings, newest first (USR-1)."),
        tags=["me"],
        responses={200: FavouriteOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.favourite_list_for_user(user=request.user)
        paginator = PagePagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(FavouriteOutputSerializer(page, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Add a favourite"),
        description=gettext_lazy(
            "Add a listing to the favourites; needs the basic permission `favourite` (USR-1)."
        ),
        tags=["me"],
        request=InputSerializer,
        responses={201: CountOutputSerializer},
    )
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

    @extend_schema(
        summary=gettext_lazy("Remove a favourite"),
        description=gettext_lazy("Remove a listing from the favourites (USR-1)."),
        tags=["me"],
        responses={204: None},
    )
    def delete(self, request: Request, listing_id: int) -> Response:
        listing = selectors.listing_get_favourited(user=request.user, listing_id=listing_id)
        favourite_remove(user=request.user, listing=listing, actor=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyFollowsApi(APIView):
    """USR-1: the shops the user follows; follow one (needs the basic permission ``follow``)."""

    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination

    class InputSerializer(serializers.Serializer):
        merchant = serializers.IntegerField()

    @extend_schema(
        summary=gettext_lazy("List the shops I follow"),
        description=gettext_lazy("The shops the caller follows, newest first (USR-1)."),
        tags=["me"],
        responses={200: FollowOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.follow_list_for_user(user=request.user)
        paginator = PagePagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(FollowOutputSerializer(page, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Follow a shop"),
        description=gettext_lazy("Follow a shop; needs the basic permission `follow` (USR-1)."),
        tags=["me"],
        request=InputSerializer,
        responses={201: CountOutputSerializer},
    )
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

    @extend_schema(
        summary=gettext_lazy("Unfollow a shop"),
        description=gettext_lazy("Stop following a shop (USR-1)."),
        tags=["me"],
        responses={204: None},
    )
    def delete(self, request: Request, merchant_id: int) -> Response:
        merchant = selectors.merchant_get_followed(user=request.user, merchant_id=merchant_id)
        follow_remove(user=request.user, merchant=merchant, actor=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
