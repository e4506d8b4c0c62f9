"""The orders API: the cart and checkout (ORD-1, ORD-3)."""

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api._common import OrderSerializer
from orders.selectors.customer_reads import cart_item_list_for_customer
from orders.selectors.orders import cart_items_for_customer
from orders.services.cart import cart_item_add, cart_item_remove, cart_item_set
from orders.services.checkout import order_checkout
from platform_core.accounts.acting import request_user
from platform_core.accounts.models import User
from platform_core.api.fields import IdField, PositiveInt32Field
from platform_core.api.idempotency import idempotent
from platform_core.api.representation import represent


class CartItemOutputSerializer(serializers.Serializer):
    sku = serializers.IntegerField(source="sku_id")
    listing = serializers.IntegerField(source="sku.listing_id")
    title = serializers.SerializerMethodField()
    unit_price = serializers.DecimalField(source="sku.price", max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()

    def get_title(self, item: Any) -> str:
        version = item.sku.listing.live_version
        return version.title if version else ""


class CartOutputSerializer(serializers.Serializer):
    items = CartItemOutputSerializer(many=True)
    # a sum over lines of up to 2³¹−1 units each: wider than one amount's numeric(12, 2) (decision 022)
    total = serializers.DecimalField(max_digits=None, decimal_places=2)


def _cart_response(user: User, items: list[Any] | None = None) -> Response:
    if items is None:
        items = list(cart_items_for_customer(customer=user))
    total = sum((item.sku.price * item.quantity for item in items), 0)
    return Response(represent(CartOutputSerializer, {"items": items, "total": total}))


# --- cart and checkout ----------------------------------------------------------------------------


class CartApi(APIView):
    """ORD-1: the customer's cart."""

    class InputSerializer(serializers.Serializer):
        sku = IdField()
        quantity = PositiveInt32Field(default=1)

    @extend_schema(
        summary=gettext_lazy("Get my cart"),
        description=gettext_lazy("The customer's cart with its lines and total (ORD-1)."),
        tags=["cart"],
        responses={200: CartOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        return _cart_response(user, cart_item_list_for_customer(customer=user))  # compiled once (issue 26)

    @extend_schema(
        summary=gettext_lazy("Add to cart"),
        description=gettext_lazy("Add a quantity of a SKU to the cart (ORD-1)."),
        tags=["cart"],
        request=InputSerializer,
        responses={200: CartOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart_item_add(
            customer=request_user(request),
            sku_id=data.validated_data["sku"],
            quantity=data.validated_data["quantity"],
            actor=request_user(request),
        )
        return _cart_response(request_user(request))


class CartItemApi(APIView):
    """ORD-1: change (PATCH) or remove (DELETE) one SKU in the cart."""

    class InputSerializer(serializers.Serializer):
        quantity = PositiveInt32Field(min_value=0)

    @extend_schema(
        summary=gettext_lazy("Change a cart line"),
        description=gettext_lazy("Set the quantity of one SKU in the cart (ORD-1)."),
        tags=["cart"],
        request=InputSerializer,
        responses={200: CartOutputSerializer},
    )
    def patch(self, request: Request, sku_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart_item_set(
            customer=request_user(request),
            sku_id=sku_id,
            quantity=data.validated_data["quantity"],
            actor=request_user(request),
        )
        return _cart_response(request_user(request))

    @extend_schema(
        summary=gettext_lazy("Remove a cart line"),
        description=gettext_lazy("Remove one SKU from the cart (ORD-1)."),
        tags=["cart"],
        responses={200: CartOutputSerializer},
    )
    def delete(self, request: Request, sku_id: int) -> Response:
        cart_item_remove(customer=request_user(request), sku_id=sku_id, actor=request_user(request))
        return _cart_response(request_user(request))


class CheckoutApi(APIView):
    """ORD-1, ORD-3, AFS-2: one order per merchant from the cart; stock reserved; 30 minutes to pay.

    AFS-2: a cart item whose listing is marked non-returnable (``is_non_returnable``) is bought only when
    its SKU id is in ``confirm_non_returnable``; otherwise 400 with a message under that field, and
    nothing is ordered. The contract records each confirmation.
    """

    class InputSerializer(serializers.Serializer):
        shipping_name = serializers.CharField(max_length=100)
        shipping_phone = serializers.CharField(max_length=20)
        shipping_address = serializers.CharField(max_length=300)
        expected_total = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, help_text="The total the client showed."
        )
        confirm_non_returnable = serializers.ListField(
            child=IdField(),
            required=False,
            default=list,
            max_length=500,
            help_text=(
                "AFS-2: the SKU ids of the cart's non-returnable items (listing `is_non_returnable`) the "
                "customer explicitly accepts to buy without the 7-day no-reason return; every such item "
                "must be named, else 400."
            ),
        )

    @extend_schema(
        summary=gettext_lazy("Check out"),
        description=gettext_lazy(
            "One order per merchant from the cart; stock is reserved and the orders must be paid within 30 minutes (ORD-1, ORD-3). Needs Idempotency-Key."
        ),
        tags=["cart"],
        request=InputSerializer,
        responses={201: OrderSerializer(many=True)},
    )
    @idempotent(required=True)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        orders = order_checkout(
            customer=request_user(request), actor=request_user(request), **data.validated_data
        )
        return Response(
            [represent(OrderSerializer, order) for order in orders], status=status.HTTP_201_CREATED
        )
