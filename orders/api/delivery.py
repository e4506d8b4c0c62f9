"""ORD-10: delivery cases through the API — the customer takes the full refund of a lapsed case; the
merchant reships or agrees a refund (the seller centre's buttons call the same services)."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from merchants.permissions import AFTERSALES_REFUNDERS, ORDER_SHIPPERS, IsMerchantMember, merchant_for_request
from orders.api._common import DeliveryCaseSerializer
from orders.selectors.delivery import delivery_case_current_for_customer, delivery_case_get_for_merchant
from orders.services.delivery_resolution import (
    delivery_case_agree_refund,
    delivery_case_refund,
    delivery_case_reship,
)
from platform_core.accounts.acting import request_user
from platform_core.api.idempotency import idempotent


class OrderDeliveryCaseApi(APIView):
    """ORD-10: the order's latest delivery case (404 if none, or not the caller's order)."""

    @extend_schema(
        summary=gettext_lazy("Get my order's delivery case"),
        description=gettext_lazy("The order's latest delivery case; 404 if none (ORD-10)."),
        tags=["delivery-cases"],
        responses={200: DeliveryCaseSerializer},
    )
    def get(self, request: Request, order_id: int) -> Response:
        case = delivery_case_current_for_customer(customer=request_user(request), order_id=order_id)
        return Response(DeliveryCaseSerializer(case).data)


class OrderDeliveryCaseRefundApi(APIView):
    """ORD-10, PAY-5, PAY-7: the case lapsed (the shop did not resolve it within 48 hours): take a full
    refund at once. 409 while the case is open or once it is resolved; a retry with the same
    Idempotency-Key replays the first answer."""

    @extend_schema(
        summary=gettext_lazy("Take the delivery-case refund"),
        description=gettext_lazy(
            "The shop did not resolve the case within 48 hours: take the full refund (ORD-10, PAY-5). Needs Idempotency-Key."
        ),
        tags=["delivery-cases"],
        request=None,
        responses={200: DeliveryCaseSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request, order_id: int) -> Response:
        case = delivery_case_current_for_customer(customer=request_user(request), order_id=order_id)
        case = delivery_case_refund(case=case, actor=request_user(request))
        return Response(DeliveryCaseSerializer(case).data)


class MerchantDeliveryCaseReshipApi(APIView):
    """ORD-10: reship the parcel under a new tracking number (409 unless the case is open)."""

    permission_classes = [IsMerchantMember.with_roles(*ORDER_SHIPPERS)]

    class InputSerializer(serializers.Serializer):
        carrier = serializers.CharField(max_length=32)
        tracking_number = serializers.CharField(max_length=64)

    @extend_schema(
        summary=gettext_lazy("Reship a delivery case"),
        description=gettext_lazy(
            "Reship the parcel under a new tracking number; 409 unless the case is open (ORD-10)."
        ),
        tags=["delivery-cases"],
        request=InputSerializer,
        responses={200: DeliveryCaseSerializer},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = delivery_case_get_for_merchant(merchant=merchant_for_request(request), case_id=case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = delivery_case_reship(case=case, actor=request_user(request), **data.validated_data)
        return Response(DeliveryCaseSerializer(case).data)


class MerchantDeliveryCaseAgreeRefundApi(APIView):
    """ORD-10, PAY-5, PAY-7: agree a full refund to the customer (409 unless the case is open)."""

    permission_classes = [IsMerchantMember.with_roles(*AFTERSALES_REFUNDERS)]

    @extend_schema(
        summary=gettext_lazy("Agree to refund a delivery case"),
        description=gettext_lazy(
            "Agree a full refund to the customer; 409 unless the case is open (ORD-10, PAY-5). Needs Idempotency-Key."
        ),
        tags=["delivery-cases"],
        request=None,
        responses={200: DeliveryCaseSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request, case_id: int) -> Response:
        case = delivery_case_get_for_merchant(merchant=merchant_for_request(request), case_id=case_id)
        case = delivery_case_agree_refund(case=case, actor=request_user(request))
        return Response(DeliveryCaseSerializer(case).data)
