"""The orders API: cart, checkout, the customer's orders, payments and their callbacks, the merchant's
order desk, carrier webhooks and statements. Thin views: parse, call a selector or service, serialise."""

import csv
import io
from typing import Any, cast

from django.http import FileResponse, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from merchants.permissions import IsMerchantMember, merchant_for_request
from merchants.selectors.members import merchant_for_member
from orders import selectors, services
from orders.documents import contract_pdf
from orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PayoutStatement,
    Review,
    ReviewPhoto,
    TrackingEvent,
)
from orders.payments import provider_get
from platform_core.accounts.acting import request_user
from platform_core.accounts.masking import mask_name, mask_phone
from platform_core.accounts.models import User
from platform_core.api.idempotency import idempotent
from platform_core.api.pagination import PagePagination
from platform_core.errors import NotFound


class RawBodyParser(BaseParser):
    """Provider and carrier callbacks are verified over the exact bytes received, whatever their type."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> dict[str, Any]:
        return {}  # the view reads ``request.body`` itself


# --- serializers ----------------------------------------------------------------------------------


class OrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    class Meta:
        model = OrderLine
        fields = [
            "id",
            "sku",
            "listing",
            "title",
            "sku_code",
            "sku_attributes",
            "unit_price",
            "quantity",
            "line_total",
        ]


class OrderSerializer(serializers.ModelSerializer[Order]):
    lines = OrderLineSerializer(many=True, read_only=True)
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "merchant",
            "merchant_name",
            "total",
            "created_at",
            "paid_at",
            "ship_by",
            "shipped_at",
            "carrier",
            "tracking_number",
            "delivered_at",
            "completed_at",
            "cancelled_at",
            "closed_at",
            "confirmation_extended",
            "customer_may_cancel_with_refund",
            "shipping_name",
            "shipping_phone",
            "shipping_address",
            "lines",
        ]


class OrderEventSerializer(serializers.ModelSerializer[OrderEvent]):
    class Meta:
        model = OrderEvent
        fields = ["at", "action", "from_status", "to_status", "reason"]


class TrackingEventSerializer(serializers.ModelSerializer[TrackingEvent]):
    class Meta:
        model = TrackingEvent
        fields = ["kind", "at", "location", "description", "source"]


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    status = serializers.CharField(read_only=True, help_text="created, succeeded, failed or closed")

    class Meta:
        model = Payment
        fields = ["id", "provider", "amount", "out_trade_no", "status", "payload"]


class HoldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    opened_at = serializers.DateTimeField()


class OrderDetailSerializer(OrderSerializer):
    events = serializers.SerializerMethodField()
    paid_amount = serializers.SerializerMethodField()
    refunded_amount = serializers.SerializerMethodField()
    holds = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "events", "paid_amount", "refunded_amount", "holds"]

    def get_events(self, order: Order) -> list[dict[str, Any]]:
        return OrderEventSerializer(selectors.order_events(order=order), many=True).data  # type: ignore[return-value]

    def get_paid_amount(self, order: Order) -> str:
        return str(selectors.order_paid_amount(order=order))

    def get_refunded_amount(self, order: Order) -> str:
        return str(selectors.order_refunded_amount(order=order))

    def get_holds(self, order: Order) -> list[dict[str, Any]]:
        return HoldSerializer(selectors.order_holds_open(order=order), many=True).data  # type: ignore[return-value]


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
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


def _cart_response(user: User) -> Response:
    items = list(selectors.cart_items_for_customer(customer=user))
    total = sum((item.sku.price * item.quantity for item in items), 0)
    return Response(CartOutputSerializer({"items": items, "total": total}).data)


# --- cart and checkout ----------------------------------------------------------------------------


class CartApi(APIView):
    """ORD-1: the customer's cart."""

    class InputSerializer(serializers.Serializer):
        sku = serializers.IntegerField()
        quantity = serializers.IntegerField(min_value=1, default=1)

    @extend_schema(responses={200: CartOutputSerializer}, tags=["orders"])
    def get(self, request: Request) -> Response:
        return _cart_response(request_user(request))

    @extend_schema(request=InputSerializer, responses={200: CartOutputSerializer}, tags=["orders"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cart_item_add(
            customer=request_user(request),
            sku_id=data.validated_data["sku"],
            quantity=data.validated_data["quantity"],
            actor=request_user(request),
        )
        return _cart_response(request_user(request))


class CartItemApi(APIView):
    """ORD-1: change (PATCH) or remove (DELETE) one SKU in the cart."""

    class InputSerializer(serializers.Serializer):
        quantity = serializers.IntegerField(min_value=0)

    @extend_schema(request=InputSerializer, responses={200: CartOutputSerializer}, tags=["orders"])
    def patch(self, request: Request, sku_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cart_item_set(
            customer=request_user(request),
            sku_id=sku_id,
            quantity=data.validated_data["quantity"],
            actor=request_user(request),
        )
        return _cart_response(request_user(request))

    @extend_schema(responses={200: CartOutputSerializer}, tags=["orders"])
    def delete(self, request: Request, sku_id: int) -> Response:
        services.cart_item_remove(customer=request_user(request), sku_id=sku_id, actor=request_user(request))
        return _cart_response(request_user(request))


class CheckoutApi(APIView):
    """ORD-1, ORD-3: one order per merchant from the cart; stock reserved; 30 minutes to pay."""

    class InputSerializer(serializers.Serializer):
        shipping_name = serializers.CharField(max_length=100)
        shipping_phone = serializers.CharField(max_length=20)
        shipping_address = serializers.CharField(max_length=300)
        expected_total = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, help_text="The total the client showed."
        )

    @extend_schema(
        request=InputSerializer,
        responses={201: OrderSerializer(many=True)},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
        tags=["orders"],
    )
    @idempotent(required=True)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        orders = services.order_checkout(
            customer=request_user(request), actor=request_user(request), **data.validated_data
        )
        return Response(OrderSerializer(orders, many=True).data, status=status.HTTP_201_CREATED)


# --- the customer's orders ------------------------------------------------------------------------


class OrderListApi(APIView):
    pagination_class = PagePagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Order.Status.choices, required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses={200: OrderSerializer(many=True)}, tags=["orders"]
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        orders = selectors.order_list_for_customer(
            customer=request_user(request), status=filters.validated_data.get("status")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(OrderSerializer(page, many=True).data)


class OrderDetailApi(APIView):
    @extend_schema(responses={200: OrderDetailSerializer}, tags=["orders"])
    def get(self, request: Request, order_id: int) -> Response:
        order = selectors.order_get_for_customer(customer=request_user(request), order_id=order_id)
        return Response(OrderDetailSerializer(order).data)


class PdfRenderer(BaseRenderer):
    """Lets content negotiation pick PDF (``?format=pdf`` or ``Accept: application/pdf``)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data if isinstance(data, bytes) else b""


class OrderContractApi(APIView):
    """ORD-1: the contract at purchase, as JSON, (``?render=html``) as a page to print, or as a PDF
    (``?format=pdf`` or ``Accept: application/pdf``)."""

    renderer_classes = [*cast(list[type[BaseRenderer]], api_settings.DEFAULT_RENDERER_CLASSES), PdfRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("render", str, enum=["json", "html"], required=False)],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
        tags=["orders"],
    )
    def get(self, request: Request, order_id: int) -> Any:
        try:
            order = selectors.order_get_for_customer(customer=request_user(request), order_id=order_id)
        except NotFound:
            # ORD-1: the contract is retrievable by both parties.
            found = merchant_for_member(user=request_user(request))
            if found is None:
                raise
            order = selectors.order_get_for_merchant(merchant=found[0], order_id=order_id)
        if request.accepted_renderer.format == "pdf":
            response = HttpResponse(contract_pdf(order), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="contract-{order.number}.pdf"'
            return response
        if request.query_params.get("render") == "html":
            html = render_to_string("orders/contract.html", {"order": order, "contract": order.contract})
            return HttpResponse(html, content_type="text/html; charset=utf-8")
        return Response({"order": order.number, "total": str(order.total), **order.contract})


class OrderTrackingApi(APIView):
    """ORD-5: the parcel's events in order."""

    @extend_schema(responses={200: TrackingEventSerializer(many=True)}, tags=["orders"])
    def get(self, request: Request, order_id: int) -> Response:
        order = selectors.order_get_for_customer(customer=request_user(request), order_id=order_id)
        return Response(TrackingEventSerializer(selectors.order_tracking(order=order), many=True).data)


class OrderPayApi(APIView):
    """PAY-3: start paying the order; the answer carries the pay URL / QR payload."""

    class InputSerializer(serializers.Serializer):
        provider = serializers.ChoiceField(choices=["sandbox", "alipay", "wechat_pay"], default="sandbox")

    @extend_schema(
        request=InputSerializer,
        responses={201: PaymentSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
        tags=["orders"],
    )
    @idempotent(required=True)
    def post(self, request: Request, order_id: int) -> Response:
        order = selectors.order_get_for_customer(customer=request_user(request), order_id=order_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = services.order_pay_start(
            order_id=order.pk, provider=data.validated_data["provider"], actor=request_user(request)
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class OrderCancelApi(APIView):
    """ORD-2, ORD-4: cancel before shipping; a paid order (after the ship-by deadline) is refunded at once."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(
        request=InputSerializer,
        responses={200: OrderSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
        tags=["orders"],
    )
    @idempotent(required=True)
    def post(self, request: Request, order_id: int) -> Response:
        order = selectors.order_get_for_customer(customer=request_user(request), order_id=order_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_cancel(
            order_id=order.pk, reason=data.validated_data["reason"], actor=request_user(request)
        )
        return Response(OrderSerializer(order).data)


class OrderConfirmReceiptApi(APIView):
    """ORD-6: the customer confirms receipt; the order completes and the after-sales window opens."""

    @extend_schema(request=None, responses={200: OrderSerializer}, tags=["orders"])
    def post(self, request: Request, order_id: int) -> Response:
        order = selectors.order_get_for_customer(customer=request_user(request), order_id=order_id)
        order = services.order_confirm_receipt(order_id=order.pk, actor=request_user(request))
        return Response(OrderSerializer(order).data)


class OrderExtendConfirmationApi(APIView):
    """ORD-6: extend the automatic confirmation once, by 5 days."""

    @extend_schema(request=None, responses={200: OrderSerializer}, tags=["orders"])
    def post(self, request: Request, order_id: int) -> Response:
        order = selectors.order_get_for_customer(customer=request_user(request), order_id=order_id)
        order = services.order_extend_confirmation(order_id=order.pk, actor=request_user(request))
        return Response(OrderSerializer(order).data)


# --- provider and carrier callbacks ----------------------------------------------------------------


class PaymentCallbackApi(APIView):
    """PAY-3: a payment provider's signed notification (verified over the raw body)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    parser_classes = [RawBodyParser]

    @extend_schema(
        request=OpenApiTypes.BINARY,
        responses={200: OpenApiTypes.STR, 400: OpenApiResponse()},
        tags=["payments"],
    )
    def post(self, request: Request, provider: str) -> HttpResponse:
        services.payment_callback_receive(provider=provider, headers=dict(request.headers), body=request.body)
        return HttpResponse(provider_get(provider).callback_ack(), content_type="text/plain")


class SandboxCashierApi(APIView):
    """PAY-3 (sandbox only): the customer pays at the sandbox cashier; the notification follows."""

    @extend_schema(request=None, responses={202: PaymentSerializer}, tags=["payments"])
    def post(self, request: Request, out_trade_no: str) -> Response:
        payment = services.sandbox_cashier_pay(out_trade_no=out_trade_no, actor=request_user(request))
        return Response(PaymentSerializer(payment).data, status=status.HTTP_202_ACCEPTED)


class LogisticsCallbackApi(APIView):
    """ORD-5: a carrier's signed tracking webhook."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    parser_classes = [RawBodyParser]

    @extend_schema(request=OpenApiTypes.BINARY, responses={200: TrackingEventSerializer}, tags=["logistics"])
    def post(self, request: Request, carrier: str) -> Response:
        event = services.logistics_callback_receive(
            carrier=carrier, headers=dict(request.headers), body=request.body
        )
        return Response(TrackingEventSerializer(event).data)


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
        holds = (
            by_order.get(order.pk, []) if by_order is not None else selectors.order_holds_open(order=order)
        )
        return HoldSerializer(holds, many=True).data  # type: ignore[return-value]


class MerchantOrderListApi(APIView):
    """ORD-4: the merchant's orders; ``?to_ship=true`` lists paid orders, ship-by soonest first."""

    permission_classes = [IsMerchantMember]
    pagination_class = PagePagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Order.Status.choices, required=False)
        to_ship = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[FilterSerializer], responses={200: MerchantOrderSerializer(many=True)}, tags=["merchant"]
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        orders = selectors.order_list_for_merchant(
            merchant=merchant_for_request(request),
            status=filters.validated_data.get("status"),
            to_ship=filters.validated_data["to_ship"],
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(orders, request, view=self) or []
        holds = selectors.order_holds_open_by_order(order_ids=[order.pk for order in page])
        return paginator.get_paginated_response(
            MerchantOrderSerializer(page, many=True, context={"holds": holds}).data
        )


class MerchantOrderShipApi(APIView):
    """ORD-4, ORD-5: ship with carrier and tracking number."""

    permission_classes = [IsMerchantMember]

    class InputSerializer(serializers.Serializer):
        carrier = serializers.CharField(max_length=32)
        tracking_number = serializers.CharField(max_length=64)

    @extend_schema(request=InputSerializer, responses={200: MerchantOrderSerializer}, tags=["merchant"])
    def post(self, request: Request, order_id: int) -> Response:
        order = selectors.order_get_for_merchant(merchant=merchant_for_request(request), order_id=order_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_ship(order_id=order.pk, actor=request_user(request), **data.validated_data)
        return Response(MerchantOrderSerializer(order).data)


class MerchantOrderShipBulkApi(APIView):
    """ORD-4: ship many orders at once; each succeeds or fails on its own."""

    permission_classes = [IsMerchantMember]

    class ItemSerializer(serializers.Serializer):
        order_id = serializers.IntegerField()
        carrier = serializers.CharField(max_length=32)
        tracking_number = serializers.CharField(max_length=64)

    class InputSerializer(serializers.Serializer):
        items = serializers.ListField(child=serializers.DictField(), max_length=500)

    class ResultSerializer(serializers.Serializer):
        order_id = serializers.IntegerField()
        ok = serializers.BooleanField()
        error = serializers.CharField()

    @extend_schema(
        operation_id="merchant_orders_ship_bulk",
        request=InputSerializer,
        responses={200: ResultSerializer(many=True)},
        tags=["merchant"],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = self.ItemSerializer(data=data.validated_data["items"], many=True)
        items.is_valid(raise_exception=True)
        results = services.order_ship_bulk(
            merchant=merchant_for_request(request),
            items=items.validated_data,
            actor=request_user(request),
        )
        return Response(self.ResultSerializer(results, many=True).data)


class MerchantOrderCancelApi(APIView):
    """ORD-2: the merchant cancels a paid order it cannot ship; the customer is refunded in full."""

    permission_classes = [IsMerchantMember]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(
        request=InputSerializer,
        responses={200: MerchantOrderSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
        tags=["merchant"],
    )
    @idempotent(required=True)
    def post(self, request: Request, order_id: int) -> Response:
        order = selectors.order_get_for_merchant(merchant=merchant_for_request(request), order_id=order_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_cancel(
            order_id=order.pk,
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
        category = serializers.IntegerField(help_text="One of the shop's categories.")
        provider = serializers.ChoiceField(choices=["sandbox", "alipay", "wechat_pay"], default="sandbox")

    @extend_schema(
        operation_id="merchant_deposits_pay",
        request=InputSerializer,
        responses={201: PaymentSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
        tags=["merchant"],
    )
    @idempotent(required=True)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = services.deposit_pay_start(
            merchant=merchant_for_request(request),
            category_id=data.validated_data["category"],
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

    @extend_schema(responses={200: StatementSerializer(many=True)}, tags=["merchant"])
    def get(self, request: Request) -> Response:
        statements = selectors.statement_list_for_merchant(merchant=merchant_for_request(request))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(statements, request, view=self)
        return paginator.get_paginated_response(StatementSerializer(page, many=True).data)


class MerchantStatementCsvApi(APIView):
    """PAY-4: one statement as CSV."""

    permission_classes = [IsMerchantMember.with_roles("owner", "finance")]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR}, tags=["merchant"])
    def get(self, request: Request, statement_id: int) -> HttpResponse:
        statement = selectors.statement_get_for_merchant(
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


# --- REP-1, REP-2, USR-1: reviews ----------------------------------------------------------------------

REVIEW_TAGS = ["reviews"]
REVIEW_PARSERS = [JSONParser, MultiPartParser, FormParser]


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
        parameters=[FilterSerializer], responses={200: ReviewSerializer(many=True)}, tags=REVIEW_TAGS
    )
    def get(self, request: Request, listing_id: int) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reviews = selectors.review_list_for_listing(listing_id=listing_id, **filters.validated_data)
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

    @extend_schema(responses={200: ReviewSerializer}, tags=REVIEW_TAGS)
    def get(self, request: Request, order_id: int, line_id: int) -> Response:
        review = selectors.review_get_for_customer(
            customer=request_user(request), order_id=order_id, line_id=line_id
        )
        return Response(ReviewSerializer(review, context={"author": True}).data)

    @extend_schema(
        request={"multipart/form-data": ReviewInputSerializer, "application/json": ReviewInputSerializer},
        responses={201: ReviewSerializer},
        parameters=[DEVICE_HEADER],
        tags=REVIEW_TAGS,
    )
    def post(self, request: Request, order_id: int, line_id: int) -> Response:
        selectors.order_get_for_customer(customer=request_user(request), order_id=order_id)  # 404 before 400
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_create(
            customer=request_user(request),
            order_id=order_id,
            line_id=line_id,
            device_fingerprint=request.headers.get("X-Device-Fingerprint", ""),
            actor=request_user(request),
            **data.validated_data,
        )
        review = selectors.review_get_for_customer(
            customer=request_user(request), order_id=order_id, line_id=line_id
        )
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
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={200: ReviewSerializer},
        tags=REVIEW_TAGS,
    )
    def post(self, request: Request, order_id: int, line_id: int) -> Response:
        selectors.order_get_for_customer(customer=request_user(request), order_id=order_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_follow_up(
            customer=request_user(request),
            order_id=order_id,
            line_id=line_id,
            actor=request_user(request),
            **data.validated_data,
        )
        review = selectors.review_get_for_customer(
            customer=request_user(request), order_id=order_id, line_id=line_id
        )
        return Response(ReviewSerializer(review, context={"author": True}).data)


class ReviewLikeOutputSerializer(serializers.Serializer):
    review = serializers.IntegerField()
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


class ReviewLikeApi(APIView):
    """USR-1: like (POST) or unlike (DELETE) a review; one like per user."""

    @extend_schema(request=None, responses={200: ReviewLikeOutputSerializer}, tags=REVIEW_TAGS)
    def post(self, request: Request, review_id: int) -> Response:
        count = services.review_like(
            user=request_user(request), review_id=review_id, actor=request_user(request)
        )
        return Response(
            ReviewLikeOutputSerializer({"review": review_id, "liked": True, "like_count": count}).data
        )

    @extend_schema(responses={200: ReviewLikeOutputSerializer}, tags=REVIEW_TAGS)
    def delete(self, request: Request, review_id: int) -> Response:
        count = services.review_unlike(
            user=request_user(request), review_id=review_id, actor=request_user(request)
        )
        return Response(
            ReviewLikeOutputSerializer({"review": review_id, "liked": False, "like_count": count}).data
        )


class ReviewPhotoApi(APIView):
    """REP-1, SEC-4: a review photo, served only through this view: public while the review is visible;
    once hidden, only to its author and moderators."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)}, tags=REVIEW_TAGS
    )
    def get(self, request: Request, photo_id: int) -> FileResponse:
        photo = selectors.review_photo_get_for_viewer(user=request.user, photo_id=photo_id)
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
        parameters=[FilterSerializer], responses={200: MerchantReviewSerializer(many=True)}, tags=["merchant"]
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reviews = selectors.review_list_for_merchant(
            merchant=merchant_for_request(request),
            **filters.validated_data,
        ).select_related("order")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(reviews, request, view=self)
        return paginator.get_paginated_response(MerchantReviewSerializer(page, many=True).data)


class MerchantReviewReplyApi(APIView):
    """REP-1: the merchant's one reply to a review."""

    permission_classes = [IsMerchantMember]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses={200: MerchantReviewSerializer}, tags=["merchant"])
    def post(self, request: Request, review_id: int) -> Response:
        merchant = merchant_for_request(request)
        selectors.review_get_for_merchant(merchant=merchant, review_id=review_id)  # 404 before 400
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_reply(
            merchant=merchant,
            review_id=review_id,
            text=data.validated_data["text"],
            actor=request_user(request),
        )
        review = selectors.review_get_for_merchant(merchant=merchant, review_id=review_id)
        return Response(MerchantReviewSerializer(review).data)
