"""The public jury API (DSP-6): each party's consent (``/disputes/{id}/jury-consent/``,
``/merchant/disputes/{id}/jury-consent/``) and the juror's side (``/jury/cases/``): their own cases only,
with the anonymised case file, and their one vote. Another juror's case is a 404 (SEC-1)."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from disputes.models import Dispute, Party
from disputes.selectors import dispute_get_for_customer, dispute_get_for_merchant
from jury import selectors, services
from jury.models import JuryCase
from merchants.models import MerchantMember
from merchants.permissions import IsMerchantMember, merchant_for_request
from platform_core.accounts.acting import request_user
from platform_core.api.pagination import PagePagination

TAGS = ["jury"]
M = MerchantMember.Role
MerchantDisputant = IsMerchantMember.with_roles(M.OWNER, M.OPERATIONS, M.CUSTOMER_SERVICE)


# --- consent ---------------------------------------------------------------------------------------------


class JuryConsentOutputSerializer(serializers.Serializer[Any]):
    dispute = serializers.IntegerField()
    status = serializers.CharField()
    customer_consented = serializers.BooleanField()
    merchant_consented = serializers.BooleanField()
    max_amount = serializers.DecimalField(max_digits=12, decimal_places=2)


def _consent(request: Request, dispute: Dispute, party: str) -> Response:
    case = services.jury_consent_give(dispute=dispute, party=party, actor=request_user(request))
    data = {
        "dispute": dispute.pk,
        "status": case.status,
        "customer_consented": case.customer_consented_at is not None,
        "merchant_consented": case.merchant_consented_at is not None,
        "max_amount": settings.JURY_MAX_AMOUNT,
    }
    return Response(JuryConsentOutputSerializer(data).data)


class DisputeJuryConsentApi(APIView):
    """DSP-6: the customer agrees that a public jury, not the committee, decides (before arbitration,
    disputes of at most ¥500)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Consent to a public jury"),
        description=gettext_lazy(
            "The customer agrees that a public jury, not the committee, decides (DSP-6)."
        ),
        tags=["jury"],
        request=None,
        responses={200: JuryConsentOutputSerializer},
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = dispute_get_for_customer(customer=request_user(request), dispute_id=dispute_id)
        return _consent(request, dispute, Party.CUSTOMER)


class MerchantDisputeJuryConsentApi(APIView):
    """DSP-6: the shop agrees that a public jury decides."""

    permission_classes = [MerchantDisputant]

    @extend_schema(
        summary=gettext_lazy("Consent to a public jury as the shop"),
        description=gettext_lazy("The shop agrees that a public jury decides (DSP-6)."),
        tags=["jury"],
        request=None,
        responses={200: JuryConsentOutputSerializer},
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        merchant = merchant_for_request(request)
        dispute = dispute_get_for_merchant(merchant=merchant, dispute_id=dispute_id)
        return _consent(request, dispute, Party.MERCHANT)


# --- the juror's side ------------------------------------------------------------------------------------


class CaseFileLineSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    attributes = serializers.DictField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)


class CaseFileOrderSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    placed_on = serializers.DateField()
    status = serializers.CharField()
    lines = CaseFileLineSerializer(many=True)


class CaseFileFileSerializer(serializers.Serializer[Any]):
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class CaseFileStatementSerializer(serializers.Serializer[Any]):
    party = serializers.CharField()
    statement = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    files = CaseFileFileSerializer(many=True)


class CaseFileMediationSerializer(serializers.Serializer[Any]):
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    return_required = serializers.BooleanField()
    note = serializers.CharField()
    customer_accepted = serializers.BooleanField(allow_null=True)
    merchant_accepted = serializers.BooleanField(allow_null=True)
    proposed_at = serializers.DateTimeField()


class CaseFileSerializer(serializers.Serializer[Any]):
    """The anonymised case file: no names, phones, addresses or order number."""

    order = CaseFileOrderSerializer()
    opened_by = serializers.CharField()
    reason = serializers.CharField()
    claim_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    refundable_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    statements = CaseFileStatementSerializer(many=True)
    mediation = CaseFileMediationSerializer(many=True)


class JurorVoteSerializer(serializers.Serializer[Any]):
    vote = serializers.CharField()
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    reasons = serializers.CharField()
    voted_at = serializers.DateTimeField(allow_null=True)


class JuryCaseOutputSerializer(serializers.ModelSerializer[JuryCase]):
    my_vote = serializers.SerializerMethodField()

    class Meta:
        model = JuryCase
        fields = (
            "id",
            "status",
            "convened_at",
            "vote_due_at",
            "closed_at",
            "verdict",
            "refund_amount",
            "my_vote",
        )

    @extend_schema_field(JurorVoteSerializer(allow_null=True))
    def get_my_vote(self, obj: JuryCase) -> dict[str, Any] | None:
        seats = getattr(obj, "my_seat", [])
        if not seats or not seats[0].has_voted:
            return None
        return JurorVoteSerializer(seats[0]).data


class JuryCaseDetailSerializer(JuryCaseOutputSerializer):
    case_file = serializers.SerializerMethodField()

    class Meta(JuryCaseOutputSerializer.Meta):
        fields: tuple[str, ...] = (*JuryCaseOutputSerializer.Meta.fields, "case_file")  # type: ignore[assignment]

    @extend_schema_field(CaseFileSerializer)
    def get_case_file(self, obj: JuryCase) -> dict[str, Any]:
        return CaseFileSerializer(selectors.jury_case_file(case=obj)).data


class JuryCaseListApi(APIView):
    """DSP-6: the cases the caller was drawn for."""

    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination

    @extend_schema(
        summary=gettext_lazy("List my jury cases"),
        description=gettext_lazy("The cases the caller was drawn for (DSP-6)."),
        tags=["jury"],
        responses={200: JuryCaseOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        paginator = PagePagination()
        page = paginator.paginate_queryset(
            selectors.jury_case_list_for_juror(juror=request_user(request)), request, view=self
        )
        return paginator.get_paginated_response(JuryCaseOutputSerializer(page, many=True).data)


class JuryCaseDetailApi(APIView):
    """DSP-6: one of the caller's cases with its anonymised case file."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Get a jury case"),
        description=gettext_lazy("One of the caller's cases with its anonymised case file (DSP-6)."),
        tags=["jury"],
        responses={200: JuryCaseDetailSerializer},
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.jury_case_get_for_juror(juror=request_user(request), case_id=case_id)
        return Response(JuryCaseDetailSerializer(case).data)


class JuryVoteApi(APIView):
    """DSP-6: vote once, within 48 hours: full refund, partial refund (with its amount) or no refund."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer[Any]):
        vote = serializers.ChoiceField(choices=JuryCase.Verdict.choices)
        refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
        reasons = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        summary=gettext_lazy("Vote on a jury case"),
        description=gettext_lazy(
            "Vote once, within 48 hours: full refund, partial refund (with its amount) or no refund (DSP-6)."
        ),
        tags=["jury"],
        request=InputSerializer,
        responses={200: JuryCaseDetailSerializer},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.jury_case_get_for_juror(juror=request_user(request), case_id=case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.jury_vote_cast(case=case, juror=request_user(request), **data.validated_data)
        case = selectors.jury_case_get_for_juror(juror=request_user(request), case_id=case_id)
        return Response(JuryCaseDetailSerializer(case).data)
