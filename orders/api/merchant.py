"""The orders API, merchant side: the order desk (ORD-2, ORD-4, ORD-5), deposit payments (MER-5) and
payout statements (PAY-4)."""

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Category
from merchants.permissions import ORDER_SHIPPERS, IsMerchantMember, merchant_for_request
from orders.api._common import HoldSerializer, OrderSerializer, PaymentProviderField, PaymentSerializer
from orders.models import Order, PayoutStatement
from orders.selectors.money import order_holds_open, order_holds_open_by_order
from orders.selectors.orders import (
    order_get_for_merchant,
    order_list_for_merchant,
    statement_get_for_merchant,
    statement_list_for_merchant,
)
from orders.services.fulfilment import order_ship, order_ship_bulk
from orders.services.payments import deposit_pay_start
from orders.services.refunds import order_cancel
from platform_core.accounts.acting import request_user
from platform_core.accounts.masking import mask_name, mask_phone
from platform_core.api.fields import SlugOrIdRelatedField
from platform_core.api.idempotency import idempotent
from platform_core.api.pagination import PagePagination

# --- merchants ---------------------------------------------------------------------------------------


class MerchantOrderSerializer(OrderSerializer):
    """The merchant's view of an order. SEC-2: the customer's phone and name are masked (the merchant is
    not the data subject); the address stays whole because the parcel must reach it, and the carrier
    gets the full phone through the logistics integration, as on a privacy waybill (隐私面单)."""

    holds = serializers.SerializerMethodField()
    shipping_name = serializers.SerializerMethodField()
    shipping_phone = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "holds"]

    def get_shipping_name(self, order: Order) -> str:
        return mask_name(order.shipping_name)

    def get_shipping_phone(self, order: Order) -> str:
        return mask_phone(order.shipping_phone)

    def get_holds(self, order: Order) -> list[dict[str, Any]]:
        """PAY-6: a held escrow shows its reason to the merchant."""
        by_order = self.context.get("holds")
        holds = by_order.get(order.pk, []) if by_order is not None else order_holds_open(order=order)
        return HoldSerializer(holds, many=True).data  # type: ignore[return-value]


class MerchantOrderListApi(APIView):
    """ORD-4: the merchant's orders; ``?to_ship=true`` lists paid orders, ship-by soonest first."""

    permission_classes = [IsMerchantMember]
    pagination_class = PagePagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Order.Status.choices, required=False)
        to_ship = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        summary=gettext_lazy("List the shop's orders"),
        description=gettext_lazy(
            "The shop's orders; `?to_ship=true` lists paid orders, ship-by soonest first (ORD-4)."
        ),
        tags=["orders"],
        parameters=[FilterSerializer],
        responses={200: MerchantOrderSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        orders = order_list_for_merchant(
            merchant=merchant_for_request(request),
            status=filters.validated_data.get("status"),
            to_ship=filters.validated_data["to_ship"],
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(orders, request, view=self) or []
        holds = order_holds_open_by_order(order_ids=[order.pk for order in page])
        return paginator.get_paginated_response(
            MerchantOrderSerializer(page, many=True, context={"holds": holds}).data
        )


class MerchantOrderShipApi(APIView):
    """ORD-4, ORD-5: ship with carrier and tracking number."""

    permission_classes = [IsMerchantMember.with_roles(*ORDER_SHIPPERS)]

    class InputSerializer(serializers.Serializer):
        carrier = serializers.CharField(max_length=32)
        tracking_number = serializers.CharField(max_length=64)

    @extend_schema(
        summary=gettext_lazy("Ship an order"),
        description=gettext_lazy("Ship with carrier and tracking number (ORD-4, ORD-5)."),
        tags=["orders"],
        request=InputSerializer,
        responses={200: MerchantOrderSerializer},
    )
    def post(self, request: Request, order_id: int) -> Response:
        order = order_get_for_merchant(merchant=merchant_for_request(request), order_id=order_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_ship(order=order, actor=request_user(request), **data.validated_data)
        return Response(MerchantOrderSerializer(order).data)


class ShipBulkItemSerializer(serializers.Serializer):
    """One order of a bulk shipment."""

    order_id = serializers.IntegerField()
    carrier = serializers.CharField(max_length=32)
    tracking_number = serializers.CharField(max_length=64)


class MerchantOrderShipBulkApi(APIView):
    """ORD-4: ship many orders at once; each succeeds or fails on its own."""

    permission_classes = [IsMerchantMember.with_roles(*ORDER_SHIPPERS)]

    class InputSerializer(serializers.Serializer):
        items = serializers.ListField(child=ShipBulkItemSerializer(), max_length=500)

    class ResultSerializer(serializers.Serializer):
        order_id = serializers.IntegerField()
        ok = serializers.BooleanField()
        error = serializers.CharField()

    @extend_schema(
        summary=gettext_lazy("Ship orders in bulk"),
        description=gettext_lazy("Ship many orders at once; each succeeds or fails on its own (ORD-4)."),
        tags=["orders"],
        operation_id="merchant_orders_ship_bulk",
        request=InputSerializer,
        responses={200: ResultSerializer(many=True)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = order_ship_bulk(
            merchant=merchant_for_request(request),
            items=data.validated_data["items"],
            actor=request_user(request),
        )
        return Response(self.ResultSerializer(results, many=True).data)


class MerchantOrderCancelApi(APIView):
    """ORD-2: the merchant cancels a paid order it cannot ship; the customer is refunded in full."""

    permission_classes = [IsMerchantMember.with_roles(*ORDER_SHIPPERS)]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(
        summary=gettext_lazy("Cancel an order as the shop"),
        description=gettext_lazy(
            "The shop cancels a paid order it cannot ship; the customer is refunded in full (ORD-2). Needs Idempotency-Key."
        ),
        tags=["orders"],
        request=InputSerializer,
        responses={200: MerchantOrderSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request, order_id: int) -> Response:
        order = order_get_for_merchant(merchant=merchant_for_request(request), order_id=order_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_cancel(
            order=order,
            reason=data.validated_data["reason"],
            actor=request_user(request),
            as_merchant=True,
        )
        return Response(MerchantOrderSerializer(order).data)


class MerchantDepositPayApi(APIView):
    """MER-5, PAY-3: pay the category's deposit through the payment gateway; the answer carries the pay
    URL / QR payload, and the provider's signed callback credits the deposit once."""

    permission_classes = [IsMerchantMember.with_roles("owner", "finance")]

    class InputSerializer(serializers.Serializer):
        category = SlugOrIdRelatedField(
            slug_field="slug",
            queryset=Category.objects.all(),
            help_text="One of the shop's categories: its slug (or, as before, its numeric id).",
        )
        provider = PaymentProviderField()

    @extend_schema(
        summary=gettext_lazy("Pay the deposit"),
        description=gettext_lazy(
            "Pay the category's deposit through the payment gateway; the answer carries the pay URL (MER-5, PAY-3). Needs Idempotency-Key."
        ),
        tags=["merchants"],
        operation_id="merchant_deposits_pay",
        request=InputSerializer,
        responses={201: PaymentSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = deposit_pay_start(
            merchant=merchant_for_request(request),
            category_id=data.validated_data["category"].pk,
            provider=data.validated_data["provider"],
            actor=request_user(request),
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class StatementSerializer(serializers.ModelSerializer[PayoutStatement]):
    payout_amount = serializers.DecimalField(
        source="payout.amount", max_digits=12, decimal_places=2, read_only=True
    )

    class Meta:
        model = PayoutStatement
        fields = [
            "id",
            "period",
            "gross",
            "commission",
            "refunds",
            "net",
            "payout_amount",
            "lines",
            "created_at",
        ]


class MerchantStatementListApi(APIView):
    """PAY-4: the merchant's payout statements, one per period."""

    permission_classes = [IsMerchantMember.with_roles("owner", "finance")]
    pagination_class = PagePagination

    @extend_schema(
        summary=gettext_lazy("List statements"),
        description=gettext_lazy("The shop's payout statements, one per period (PAY-4)."),
        tags=["statements"],
        responses={200: StatementSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        statements = statement_list_for_merchant(merchant=merchant_for_request(request))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(statements, request, view=self)
        return paginator.get_paginated_response(StatementSerializer(page, many=True).data)


class MerchantStatementCsvApi(APIView):
    """PAY-4: one statement as CSV."""

    permission_classes = [IsMerchantMember.with_roles("owner", "finance")]

    @extend_schema(
        summary=gettext_lazy("Download a statement as CSV"),
        description=gettext_lazy("One statement as CSV (PAY-4)."),
        tags=["statements"],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request, statement_id: int) -> HttpResponse:
        statement = statement_get_for_merchant(
            merchant=merchant_for_request(request),
            statement_id=statement_id,
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["transaction", "kind", "at", "order", "gross", "commission", "amount"])
        for line in statement.lines:
            writer.writerow(
                [line[k] for k in ("transaction", "kind", "at", "order", "gross", "commission", "amount")]
            )
        writer.writerow([])
        writer.writerow(["gross", statement.gross, "commission", statement.commission, "net", statement.net])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="statement-{statement.period}.csv"'
        return response
