"""The merchants' side of after-sales requests (/merchant/aftersales/): AFS-3 … AFS-6.

Thin views: parse, call a selector or service, serialise. Money-moving POSTs take an Idempotency-Key.
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales import selectors
from aftersales.api._common import MerchantResponder
from aftersales.api.requests import (
    CarrierInputSerializer,
    ReasonInputSerializer,
    RequestDetailSerializer,
    RequestOutputSerializer,
)
from aftersales.models import AfterSalesRequest
from aftersales.services.policies import aftersales_policy_set
from aftersales.services.requests import request_approve, request_refuse
from aftersales.services.returns import request_confirm_receipt, request_refund_issue, request_reship
from merchants.models import MerchantMember
from merchants.permissions import AFTERSALES_REFUNDERS, IsMerchantMember, merchant_for_request
from platform_core.accounts.acting import request_user
from platform_core.api.idempotency import idempotent
from platform_core.api.pagination import PagePagination, paginate

MerchantRefunder = IsMerchantMember.with_roles(*AFTERSALES_REFUNDERS)
#: ORD-1: who sets the shop's after-sales policy (it becomes part of every later contract).
AFTERSALES_POLICY_EDITORS = (MerchantMember.Role.OWNER, MerchantMember.Role.OPERATIONS)


def _merchant_request(request: Request, request_id: int) -> AfterSalesRequest:
    return selectors.request_get_for_merchant(merchant=merchant_for_request(request), request_id=request_id)


class MerchantRequestListApi(APIView):
    pagination_class = PagePagination  # documents the page envelope in the schema
    """AFS-3: the shop's requests, the most urgent first, with the time left."""

    permission_classes = [MerchantResponder]

    @extend_schema(
        summary=gettext_lazy("List the shop's after-sales requests"),
        description=gettext_lazy("The shop's after-sales requests, the nearest deadline first (AFS-3)."),
        tags=["aftersales"],
        responses={200: RequestOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.request_list_for_merchant(
            merchant=merchant_for_request(request),
            status=request.query_params.get("status"),
        )
        return paginate(request, self, qs.select_related("refund"), RequestOutputSerializer)


class MerchantRequestDetailApi(APIView):
    permission_classes = [MerchantResponder]

    @extend_schema(
        summary=gettext_lazy("Get a shop's after-sales request"),
        description=gettext_lazy("One of the shop's requests with its deadline (AFS-3)."),
        tags=["aftersales"],
        responses={200: RequestDetailSerializer},
    )
    def get(self, request: Request, request_id: int) -> Response:
        return Response(RequestDetailSerializer(_merchant_request(request, request_id)).data)


class MerchantRequestApproveApi(APIView):
    """AFS-3, AFS-4: approve; a refund-only request is refunded at once (money moves: Idempotency-Key)."""

    permission_classes = [MerchantResponder]

    @extend_schema(
        summary=gettext_lazy("Approve an after-sales request"),
        description=gettext_lazy(
            "Approve; a refund-only request is refunded at once (AFS-3, AFS-4). Needs Idempotency-Key."
        ),
        tags=["aftersales"],
        request=None,
        responses={200: RequestDetailSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request, request_id: int) -> Response:
        found = _merchant_request(request, request_id)
        return Response(
            RequestDetailSerializer(request_approve(request=found, actor=request_user(request))).data
        )


class MerchantRequestRefuseApi(APIView):
    """AFS-5: refuse, with the reason."""

    permission_classes = [MerchantResponder]

    @extend_schema(
        summary=gettext_lazy("Refuse an after-sales request"),
        description=gettext_lazy("Refuse the request with a reason; the customer may escalate (AFS-5)."),
        tags=["aftersales"],
        request=ReasonInputSerializer,
        responses={200: RequestDetailSerializer},
    )
    def post(self, request: Request, request_id: int) -> Response:
        found = _merchant_request(request, request_id)
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = request_refuse(
            request=found, reason=data.validated_data["reason"], actor=request_user(request)
        )
        return Response(RequestDetailSerializer(updated).data)


class MerchantRequestConfirmReceiptApi(APIView):
    """AFS-4: confirm the return arrived; a return-and-refund is refunded at once (Idempotency-Key)."""

    permission_classes = [MerchantResponder]

    @extend_schema(
        summary=gettext_lazy("Confirm the return arrived"),
        description=gettext_lazy(
            "Confirm the returned item arrived; a return-and-refund is refunded at once (AFS-4). Needs Idempotency-Key."
        ),
        tags=["aftersales"],
        request=None,
        responses={200: RequestDetailSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request, request_id: int) -> Response:
        found = _merchant_request(request, request_id)
        updated = request_confirm_receipt(request=found, actor=request_user(request))
        return Response(RequestDetailSerializer(updated).data)


class MerchantRequestRefundApi(APIView):
    """AFS-4, PAY-5: issue the refund if the system's immediate attempt could not (Idempotency-Key)."""

    permission_classes = [MerchantRefunder]

    @extend_schema(
        summary=gettext_lazy("Issue the refund"),
        description=gettext_lazy(
            "Issue the refund if the system's immediate attempt could not (AFS-4, PAY-5). Needs Idempotency-Key."
        ),
        tags=["aftersales"],
        request=None,
        responses={200: RequestDetailSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request, request_id: int) -> Response:
        found = _merchant_request(request, request_id)
        updated = request_refund_issue(request=found, actor=request_user(request))
        return Response(RequestDetailSerializer(updated).data)


class MerchantRequestReshipApi(APIView):
    """AFS-6: ship the replacement (exchange) or the repaired item back (repair)."""

    permission_classes = [MerchantResponder]

    @extend_schema(
        summary=gettext_lazy("Ship the replacement"),
        description=gettext_lazy(
            "Ship the replacement (exchange) or the repaired item back (repair) (AFS-6)."
        ),
        tags=["aftersales"],
        request=CarrierInputSerializer,
        responses={200: RequestDetailSerializer},
    )
    def post(self, request: Request, request_id: int) -> Response:
        found = _merchant_request(request, request_id)
        data = CarrierInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = request_reship(request=found, actor=request_user(request), **data.validated_data)
        return Response(RequestDetailSerializer(updated).data)


# --- ORD-1, AFS-1, AFS-4: the shop's own after-sales policy --------------------------------------------


class AfterSalesPolicySerializer(serializers.Serializer):
    pays_no_reason_return_shipping = serializers.BooleanField(
        help_text="AFS-4 (7DR Art. 18): the shop pays the return shipping of no-reason returns."
    )
    warranty_days = serializers.IntegerField(
        min_value=1,
        max_value=3650,
        allow_null=True,
        help_text="AFS-1: the warranty for repairs; null: the platform's default.",
    )
    exchange_repair_terms = serializers.CharField(max_length=2000, allow_blank=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class MerchantAfterSalesPolicyApi(APIView):
    """ORD-1: the shop's after-sales policy. A change applies to orders placed afterwards only: each
    order's contract keeps the policy of its purchase (``aftersales_policy``), which is what its
    after-sales requests follow."""

    permission_classes = [IsMerchantMember.with_roles(*AFTERSALES_POLICY_EDITORS)]

    @extend_schema(
        summary=gettext_lazy("Get my shop's after-sales policy"),
        description=gettext_lazy(
            "Who pays a no-reason return's shipping, the repair warranty and the exchange and repair terms; "
            "new orders' contracts copy it at checkout (ORD-1, AFS-4)."
        ),
        tags=["aftersales"],
        responses={200: AfterSalesPolicySerializer},
    )
    def get(self, request: Request) -> Response:
        policy = selectors.aftersales_policy_for_merchant(merchant=merchant_for_request(request))
        data = AfterSalesPolicySerializer(policy).data
        if policy.pk is None:
            data["updated_at"] = None
        return Response(data)

    @extend_schema(
        summary=gettext_lazy("Set my shop's after-sales policy"),
        description=gettext_lazy(
            "Changes the shop's after-sales policy for orders placed from now on; orders already placed keep "
            "the policy their contract copied (ORD-1). Shop owner and operations only; audited."
        ),
        tags=["aftersales"],
        request=AfterSalesPolicySerializer,
        responses={200: AfterSalesPolicySerializer},
    )
    def put(self, request: Request) -> Response:
        data = AfterSalesPolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = aftersales_policy_set(
            merchant=merchant_for_request(request), actor=request_user(request), **data.validated_data
        )
        return Response(AfterSalesPolicySerializer(policy).data)
