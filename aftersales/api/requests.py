"""The customers' after-sales requests (/aftersales/): AFS-1 … AFS-6, and the evidence files (SEC-4).

Thin views: parse, call a selector or service, serialise.
"""

from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales import selectors
from aftersales.api._common import ClockSerializer, EvidenceSerializer
from aftersales.models import AfterSalesEvent, AfterSalesRequest
from aftersales.services.requests import request_create, request_escalate, request_withdraw
from aftersales.services.returns import request_close, request_ship_return
from platform_core.accounts.acting import request_user
from platform_core.api.fields import MoneyField
from platform_core.api.pagination import PagePagination, paginate
from platform_core.api.parsers import BoundedJSONParser
from platform_core.uploads import file_response

TAGS = ["aftersales"]


# --- serializers ---------------------------------------------------------------------------------------


class RequestEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AfterSalesEvent
        fields = ["at", "action", "from_status", "to_status", "reason"]


class RequestOutputSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    line_title = serializers.CharField(source="line.title", read_only=True)
    clock = serializers.SerializerMethodField(help_text="AFS-3: the running clock and the time left.")
    evidence = EvidenceSerializer(many=True, read_only=True)
    refund_no = serializers.CharField(source="refund.refund_no", read_only=True, default=None)

    class Meta:
        model = AfterSalesRequest
        fields = [
            "id",
            "order",
            "order_number",
            "line",
            "line_title",
            "kind",
            "reason_kind",
            "reason",
            "amount",
            "status",
            "created_at",
            "response_hours",
            "respond_by",
            "responded_at",
            "auto_approved",
            "refusal_reason",
            "return_shipping_payer",
            "return_shipping_fee",
            "return_shipping_reimbursed_at",
            "return_ship_by",
            "return_carrier",
            "return_tracking_number",
            "return_shipped_at",
            "return_delivered_at",
            "receipt_due_at",
            "return_received_at",
            "receipt_auto_confirmed",
            "refund_due_at",
            "refund_no",
            "refunded_at",
            "reship_carrier",
            "reship_tracking_number",
            "escalated_to",
            "escalation_reason",
            "escalate_until",
            "closed_at",
            "clock",
            "evidence",
        ]

    @extend_schema_field(ClockSerializer(allow_null=True))
    def get_clock(self, obj: AfterSalesRequest) -> dict[str, Any] | None:
        return selectors.request_clock(obj)


class RequestDetailSerializer(RequestOutputSerializer):
    events = RequestEventSerializer(many=True, read_only=True)

    class Meta(RequestOutputSerializer.Meta):
        fields = [*RequestOutputSerializer.Meta.fields, "events"]


class CarrierInputSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=32)
    tracking_number = serializers.CharField(max_length=64)


class ShipReturnInputSerializer(CarrierInputSerializer):
    shipping_fee = MoneyField(
        min_value=Decimal("0.00"),
        required=False,
        default=Decimal("0.00"),
        help_text=(
            "AFS-4: the postage paid for the return (CNY, at most AFTERSALES_RETURN_SHIPPING_FEE_MAX); the "
            "shop pays it back when it is the return-shipping payer (`return_shipping_payer`)."
        ),
    )


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


# --- customers -------------------------------------------------------------------------------------------


class RequestListCreateApi(APIView):
    pagination_class = PagePagination  # documents the page envelope in the schema
    """AFS-1: the customer's requests; open one on a delivered or completed order line."""

    permission_classes = [IsAuthenticated]
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        order = serializers.IntegerField()
        line = serializers.IntegerField()
        kind = serializers.ChoiceField(choices=AfterSalesRequest.Kind.choices)
        reason_kind = serializers.ChoiceField(choices=AfterSalesRequest.ReasonKind.choices)
        reason = serializers.CharField(max_length=2000)
        amount = serializers.DecimalField(
            max_digits=12,
            decimal_places=2,
            required=False,
            min_value=Decimal("0.01"),
            help_text=gettext_lazy(
                "Required for refund_only and return_refund (at most what was paid for the line, net of "
                "earlier refunds); ignored for exchange and repair."
            ),
        )
        evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    @extend_schema(
        summary=gettext_lazy("List my after-sales requests"),
        description=gettext_lazy(
            "The customer's after-sales requests, newest first, optionally filtered by status (AFS-1)."
        ),
        tags=["aftersales"],
        responses={200: RequestOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.request_list_for_customer(
            customer=request_user(request), status=request.query_params.get("status")
        )
        return paginate(request, self, qs.select_related("refund"), RequestOutputSerializer)

    @extend_schema(
        summary=gettext_lazy("Open an after-sales request"),
        description=gettext_lazy(
            "Open a refund, return, exchange or repair request on a delivered or completed order line, with evidence; `amount` is required for refund kinds (AFS-1, AFS-2)."
        ),
        tags=["aftersales"],
        request={"multipart/form-data": InputSerializer},
        responses={201: RequestDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        created = request_create(
            customer=request_user(request),
            order_id=v["order"],
            line_id=v["line"],
            kind=v["kind"],
            reason_kind=v["reason_kind"],
            reason=v["reason"],
            amount=v.get("amount"),
            evidence=v["evidence"],
            actor=request_user(request),
        )
        return Response(RequestDetailSerializer(created).data, status=status.HTTP_201_CREATED)


class RequestDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Get an after-sales request"),
        description=gettext_lazy("One of the customer's requests with its deadline and refund."),
        tags=["aftersales"],
        responses={200: RequestDetailSerializer},
    )
    def get(self, request: Request, request_id: int) -> Response:
        found = selectors.request_get_for_customer(customer=request_user(request), request_id=request_id)
        return Response(RequestDetailSerializer(found).data)


class RequestWithdrawApi(APIView):
    """AFS-6: the customer withdraws the request."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Withdraw an after-sales request"),
        description=gettext_lazy("The customer withdraws the request before it is resolved (AFS-6)."),
        tags=["aftersales"],
        request=None,
        responses={200: RequestDetailSerializer},
    )
    def post(self, request: Request, request_id: int) -> Response:
        found = selectors.request_get_for_customer(customer=request_user(request), request_id=request_id)
        return Response(
            RequestDetailSerializer(request_withdraw(request=found, actor=request_user(request))).data
        )


class RequestShipReturnApi(APIView):
    """AFS-4: the customer ships the return with carrier and tracking number."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Ship the return"),
        description=gettext_lazy(
            "The customer ships the returned item with carrier and tracking number, and what the carrier "
            "charged (AFS-4)."
        ),
        tags=["aftersales"],
        request=ShipReturnInputSerializer,
        responses={200: RequestDetailSerializer},
    )
    def post(self, request: Request, request_id: int) -> Response:
        found = selectors.request_get_for_customer(customer=request_user(request), request_id=request_id)
        data = ShipReturnInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = request_ship_return(request=found, actor=request_user(request), **data.validated_data)
        return Response(RequestDetailSerializer(updated).data)


class RequestEscalateApi(APIView):
    """AFS-5: the customer escalates the merchant's refusal to a dispute."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Escalate a refused request"),
        description=gettext_lazy(
            "The customer escalates the merchant's refusal to a platform dispute (AFS-5, DSP-1)."
        ),
        tags=["aftersales"],
        request=ReasonInputSerializer,
        responses={200: RequestDetailSerializer},
    )
    def post(self, request: Request, request_id: int) -> Response:
        found = selectors.request_get_for_customer(customer=request_user(request), request_id=request_id)
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = request_escalate(
            request=found, reason=data.validated_data["reason"], actor=request_user(request)
        )
        return Response(RequestDetailSerializer(updated).data)


class RequestCloseApi(APIView):
    """AFS-6: the customer confirms the replacement or repaired item arrived (or ends a refunded request)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Confirm an exchange or repair arrived"),
        description=gettext_lazy(
            "The customer confirms the replacement or repaired item arrived, which closes the request (AFS-6)."
        ),
        tags=["aftersales"],
        request=None,
        responses={200: RequestDetailSerializer},
    )
    def post(self, request: Request, request_id: int) -> Response:
        found = selectors.request_get_for_customer(customer=request_user(request), request_id=request_id)
        return Response(
            RequestDetailSerializer(request_close(request=found, actor=request_user(request))).data
        )


class EvidenceFileApi(APIView):
    """SEC-4: an evidence file, only for its request's or complaint's parties and customer service."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Download after-sales evidence"),
        description=gettext_lazy(
            "An evidence file, only for its request's or complaint's parties and customer service (SEC-4)."
        ),
        tags=["aftersales"],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, evidence_id: int) -> FileResponse:
        evidence = selectors.evidence_get_for_viewer(user=request_user(request), evidence_id=evidence_id)
        return file_response(
            evidence.file, content_type=evidence.content_type, download_name=f"evidence-{evidence.pk}"
        )
