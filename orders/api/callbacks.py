"""The orders API: payment providers' and carriers' signed callbacks, and the sandbox cashier (PAY-3,
ORD-5)."""

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api._common import PaymentSerializer, TrackingEventSerializer
from orders.logistics import carrier_get
from orders.models import TrackingEvent
from orders.payments import provider_get
from orders.services.fulfilment import logistics_callback_receive
from orders.services.payments import payment_callback_receive, sandbox_cashier_pay
from platform_core.accounts.acting import request_user
from platform_core.api.throttles import RejectedCallbackThrottle

# --- provider and carrier callbacks ----------------------------------------------------------------


class RawBodyParser(BaseParser):
    """Provider and carrier callbacks are verified over the exact bytes received, whatever their type."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> dict[str, Any]:
        return {}  # the view reads ``request.body`` itself


class SignedCallbackApi(APIView):
    """A provider's or carrier's webhook: no caller to authenticate (the signature over the raw body is the
    proof), and no anonymous per-IP rate limit — only rejected callbacks are counted (issue 26)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    parser_classes = [RawBodyParser]
    throttle_classes = [RejectedCallbackThrottle]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if response.status_code == status.HTTP_400_BAD_REQUEST:
            RejectedCallbackThrottle().record_rejection(request, self)
        return super().finalize_response(request, response, *args, **kwargs)


class PaymentCallbackApi(SignedCallbackApi):
    """PAY-3: a payment provider's signed notification (verified over the raw body)."""

    @extend_schema(
        summary=gettext_lazy("Receive a payment notification"),
        description=gettext_lazy(
            "A payment provider's signed notification, verified over the raw body (PAY-3)."
        ),
        tags=["payments"],
        request=OpenApiTypes.BINARY,
        responses={200: OpenApiTypes.STR, 400: OpenApiResponse()},
    )
    def post(self, request: Request, provider: str) -> HttpResponse:
        payment_callback_receive(provider=provider, headers=dict(request.headers), body=request.body)
        return HttpResponse(provider_get(provider).callback_ack(), content_type="text/plain")


class SandboxCashierApi(APIView):
    """PAY-3 (sandbox only): the customer pays at the sandbox cashier; the notification follows."""

    @extend_schema(
        summary=gettext_lazy("Pay at the sandbox cashier"),
        description=gettext_lazy(
            "Sandbox only: the customer pays at the sandbox cashier; the signed notification follows (PAY-3)."
        ),
        tags=["payments"],
        request=None,
        responses={202: PaymentSerializer},
    )
    def post(self, request: Request, out_trade_no: str) -> Response:
        payment = sandbox_cashier_pay(out_trade_no=out_trade_no, actor=request_user(request))
        return Response(PaymentSerializer(payment).data, status=status.HTTP_202_ACCEPTED)


class CarrierWebhookSerializer(serializers.Serializer):
    """ORD-5: the body a carrier posts (the sandbox carrier's shape; real carriers' adapters map to it)."""

    event_id = serializers.CharField(max_length=64)
    tracking_number = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=TrackingEvent.Kind.choices)
    at = serializers.DateTimeField()
    location = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class LogisticsCallbackApi(SignedCallbackApi):
    """ORD-5: a tracker's signed push (the sandbox's JSON webhook, 快递100's form). Verified by its signature,
    not its caller; like the payment callbacks, only rejected pushes are counted per address (an aggregator
    pushes bursts from a few addresses, and a push refused with 429 would be retried late or dropped). The
    answer is what the tracker expects: 快递100's acknowledgement, the sandbox's event."""

    @extend_schema(
        summary=gettext_lazy("Receive a carrier's tracking event"),
        description=gettext_lazy(
            "A carrier's signed tracking webhook, verified over the raw body (ORD-5). The sandbox carrier "
            "posts JSON signed in X-Carrier-Signature; 快递100 posts its form (param, sign) and is answered "
            "with its own acknowledgement."
        ),
        tags=["logistics"],
        request={"application/json": CarrierWebhookSerializer},
        parameters=[
            OpenApiParameter(
                "X-Carrier-Signature",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description=gettext_lazy("Hex HMAC-SHA256 of the raw body with the carrier's key."),
            )
        ],
        responses={200: TrackingEventSerializer},
    )
    def post(self, request: Request, carrier: str) -> HttpResponse:
        events = logistics_callback_receive(carrier=carrier, headers=dict(request.headers), body=request.body)
        ack = carrier_get(carrier).ack
        if ack is not None:
            return HttpResponse(ack, content_type="application/json; charset=utf-8")
        if not events:
            return Response({})
        return Response(TrackingEventSerializer(events[-1]).data)
