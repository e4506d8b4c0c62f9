"""The orders API: the customer's orders, their contract, tracking, payment, cancellation and receipt
(ORD-1 … ORD-6, PAY-3)."""

from typing import Any, cast

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from merchants.selectors.members import merchant_for_member
from orders.api._common import (
    DeliveryCaseSerializer,
    HoldSerializer,
    OrderSerializer,
    PaymentProviderField,
    PaymentSerializer,
    RefundSerializer,
    TrackingEventSerializer,
)
from orders.documents import contract_pdf
from orders.models import Order, OrderEvent
from orders.selectors.customer_reads import order_detail_for_customer
from orders.selectors.delivery import delivery_cases_for_order
from orders.selectors.money import order_holds_open, order_paid_amount, order_refunded_amount, order_refunds
from orders.selectors.orders import (
    order_events,
    order_get_for_customer,
    order_get_for_merchant,
    order_list_for_customer,
    order_tracking,
)
from orders.services.fulfilment import order_confirm_receipt, order_extend_confirmation
from orders.services.payments import order_pay_start_for_customer
from orders.services.refunds import order_cancel
from platform_core.accounts.acting import request_user
from platform_core.api.idempotency import idempotent
from platform_core.api.pagination import WindowCountPagination
from platform_core.api.representation import represent
from platform_core.errors import NotFound


class OrderEventSerializer(serializers.ModelSerializer[OrderEvent]):
    class Meta:
        model = OrderEvent
        fields = ["at", "action", "from_status", "to_status", "reason"]


class OrderDetailSerializer(OrderSerializer):
    events = serializers.SerializerMethodField()
    paid_amount = serializers.SerializerMethodField()
    refunded_amount = serializers.SerializerMethodField()
    holds = serializers.SerializerMethodField()
    delivery_cases = serializers.SerializerMethodField()
    refunds = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields,
            "events",
            "paid_amount",
            "refunded_amount",
            "holds",
            "delivery_cases",
            "refunds",
        ]

    def get_events(self, order: Order) -> list[dict[str, Any]]:
        return OrderEventSerializer(order_events(order=order), many=True).data  # type: ignore[return-value]

    def get_paid_amount(self, order: Order) -> str:
        return str(order_paid_amount(order=order))

    def get_refunded_amount(self, order: Order) -> str:
        return str(order_refunded_amount(order=order))

    def get_holds(self, order: Order) -> list[dict[str, Any]]:
        return HoldSerializer(order_holds_open(order=order), many=True).data  # type: ignore[return-value]

    @extend_schema_field(RefundSerializer(many=True))
    def get_refunds(self, order: Order) -> list[dict[str, Any]]:
        """PAY-5, ORD-4: each refund and compensation with the status its provider gave."""
        return RefundSerializer(order_refunds(order=order), many=True).data  # type: ignore[return-value]

    def get_delivery_cases(self, order: Order) -> list[dict[str, Any]]:
        """ORD-10: the order's delivery cases, newest first (``refundable``: take the full refund now)."""
        cases = delivery_cases_for_order(order=order).select_related("refund")
        return DeliveryCaseSerializer(cases, many=True).data  # type: ignore[return-value]


# --- the customer's orders ------------------------------------------------------------------------


class OrderListApi(APIView):
    pagination_class = WindowCountPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Order.Status.choices, required=False)

    @extend_schema(
        summary=gettext_lazy("List my orders"),
        description=gettext_lazy("The customer's orders, newest first, optionally by status."),
        tags=["orders"],
        parameters=[FilterSerializer],
        responses={200: OrderSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        orders = order_list_for_customer(
            customer=request_user(request), status=filters.validated_data.get("status")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response([represent(OrderSerializer, order) for order in page or ()])


class OrderDetailApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Get my order"),
        description=gettext_lazy("One of the customer's orders with lines, money and deadlines."),
        tags=["orders"],
        responses={200: OrderDetailSerializer},
    )
    def get(self, request: Request, order_id: int) -> Response:
        """``OrderDetailSerializer``'s answer (a test compares them) from serializers built once and
        statements compiled once (issue 26)."""
        parts = order_detail_for_customer(customer=request_user(request), order_id=order_id)
        order = parts["order"]
        answer = represent(OrderSerializer, order)
        answer["events"] = [represent(OrderEventSerializer, event) for event in parts["events"]]
        answer["paid_amount"] = str(order_paid_amount(order=order))
        answer["refunded_amount"] = str(order_refunded_amount(order=order))
        answer["holds"] = [represent(HoldSerializer, hold) for hold in parts["holds"]]
        answer["delivery_cases"] = [
            represent(DeliveryCaseSerializer, case) for case in parts["delivery_cases"]
        ]
        answer["refunds"] = [represent(RefundSerializer, refund) for refund in parts["refunds"]]
        return Response(answer)


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

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        """An error answers JSON even to a PDF request (``?format=pdf``): under /api/ every error is JSON."""
        if response.status_code >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), PdfRenderer
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy("Get the purchase contract"),
        description=gettext_lazy(
            "The contract at purchase, as JSON (`?render=html` as a page to print) (ORD-1)."
        ),
        tags=["orders"],
        parameters=[OpenApiParameter("render", str, enum=["json", "html"], required=False)],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request: Request, order_id: int) -> Any:
        try:
            order = order_get_for_customer(customer=request_user(request), order_id=order_id)
        except NotFound:
            # ORD-1: the contract is retrievable by both parties.
            found = merchant_for_member(user=request_user(request))
            if found is None:
                raise
            order = order_get_for_merchant(merchant=found[0], order_id=order_id)
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

    @extend_schema(
        summary=gettext_lazy("Get the parcel's tracking"),
        description=gettext_lazy("The parcel's tracking events in order (ORD-5)."),
        tags=["orders"],
        responses={200: TrackingEventSerializer(many=True)},
    )
    def get(self, request: Request, order_id: int) -> Response:
        order = order_get_for_customer(customer=request_user(request), order_id=order_id)
        return Response(TrackingEventSerializer(order_tracking(order=order), many=True).data)


class OrderPayApi(APIView):
    """PAY-3: start paying the order; the answer carries the pay URL / QR payload."""

    class InputSerializer(serializers.Serializer):
        provider = PaymentProviderField()

    @extend_schema(
        summary=gettext_lazy("Pay an order"),
        description=gettext_lazy(
            "Start paying the order; the answer carries the pay URL or QR payload (PAY-3). Needs Idempotency-Key."
        ),
        tags=["payments"],
        request=InputSerializer,
        responses={201: PaymentSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request, order_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = order_pay_start_for_customer(
            customer=request_user(request),
            order_id=order_id,
            provider=data.validated_data["provider"],
            actor=request_user(request),
        )
        return Response(represent(PaymentSerializer, payment), status=status.HTTP_201_CREATED)


class OrderCancelApi(APIView):
    """ORD-2, ORD-4: cancel before shipping; a paid order (after the ship-by deadline) is refunded at once."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(
        summary=gettext_lazy("Cancel my order"),
        description=gettext_lazy(
            "Cancel before shipping; a paid order (after the ship-by deadline) is refunded (ORD-2, ORD-4). Needs Idempotency-Key."
        ),
        tags=["orders"],
        request=InputSerializer,
        responses={200: OrderSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request, order_id: int) -> Response:
        order = order_get_for_customer(customer=request_user(request), order_id=order_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_cancel(order=order, reason=data.validated_data["reason"], actor=request_user(request))
        return Response(OrderSerializer(order).data)


class OrderConfirmReceiptApi(APIView):
    """ORD-6: the customer confirms receipt; the order completes and the after-sales window opens."""

    @extend_schema(
        summary=gettext_lazy("Confirm receipt"),
        description=gettext_lazy(
            "The customer confirms receipt; the order completes and the after-sales window opens (ORD-6)."
        ),
        tags=["orders"],
        request=None,
        responses={200: OrderSerializer},
    )
    def post(self, request: Request, order_id: int) -> Response:
        order = order_get_for_customer(customer=request_user(request), order_id=order_id)
        order = order_confirm_receipt(order=order, actor=request_user(request))
        return Response(OrderSerializer(order).data)


class OrderExtendConfirmationApi(APIView):
    """ORD-6: extend the automatic confirmation once, by 5 days."""

    @extend_schema(
        summary=gettext_lazy("Extend automatic confirmation"),
        description=gettext_lazy("Extend the automatic confirmation once, by 5 days (ORD-6)."),
        tags=["orders"],
        request=None,
        responses={200: OrderSerializer},
    )
    def post(self, request: Request, order_id: int) -> Response:
        order = order_get_for_customer(customer=request_user(request), order_id=order_id)
        order = order_extend_confirmation(order=order, actor=request_user(request))
        return Response(OrderSerializer(order).data)
