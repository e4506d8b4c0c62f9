"""The disputes API: customers (/disputes/) and merchants (/merchant/disputes/), DSP-1 … DSP-5.

Thin views: parse, call a selector or a service, serialise. Another party's dispute is a 404. Staff work
the cases in the admin (the committee console).
"""

from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.selectors import complaint_get_on_order, request_get_for_customer
from disputes import selectors
from disputes.models import (
    Dispute,
    DisputeEvidence,
    DisputeEvidenceFile,
    DisputeReturn,
    MediationProposal,
    Party,
    Ruling,
)
from disputes.services.appeal import dispute_appeal
from disputes.services.evidence import dispute_evidence_submit
from disputes.services.mediation import proposal_answer
from disputes.services.opening import dispute_open_from_request, dispute_open_on_complaint
from disputes.services.returns import dispute_return_receive, dispute_return_ship
from disputes.services.suspension import dispute_withdraw
from merchants.permissions import DISPUTANTS, IsMerchantMember, merchant_for_request
from platform_core.accounts.acting import request_user
from platform_core.accounts.contact_masking import mask_contact_details
from platform_core.api.idempotency import idempotent
from platform_core.api.pagination import PagePagination, paginate
from platform_core.api.parsers import BoundedJSONParser
from platform_core.errors import InvalidInput, NotFound
from platform_core.uploads import file_response

TAGS = ["disputes"]
MERCHANT_TAGS = ["merchant-disputes"]
MerchantDisputant = IsMerchantMember.with_roles(*DISPUTANTS)


class DisputeEvidenceFileOutputSerializer(serializers.ModelSerializer[DisputeEvidenceFile]):
    class Meta:
        model = DisputeEvidenceFile
        fields = ("id", "content_type", "size")


class DisputeEvidenceOutputSerializer(serializers.ModelSerializer[DisputeEvidence]):
    files = DisputeEvidenceFileOutputSerializer(many=True, read_only=True)

    class Meta:
        model = DisputeEvidence
        fields = ("id", "party", "statement", "submitted_at", "files")


class DisputeProposalOutputSerializer(serializers.ModelSerializer[MediationProposal]):
    class Meta:
        model = MediationProposal
        fields = (
            "id",
            "refund_amount",
            "return_required",
            "note",
            "customer_accepted",
            "merchant_accepted",
            "proposed_at",
            "decided_at",
        )


class DisputeRulingOutputSerializer(serializers.ModelSerializer[Ruling]):
    class Meta:
        model = Ruling
        fields = ("id", "kind", "refund_amount", "reasons", "issued_at", "is_appeal_decision", "by_jury")


class DisputeReturnOutputSerializer(serializers.ModelSerializer[DisputeReturn]):
    class Meta:
        model = DisputeReturn
        fields = DisputeReturn.SHOWN_FIELDS


class DisputeDeadlineOutputSerializer(serializers.Serializer[Any]):
    rule = serializers.CharField()
    due_at = serializers.DateTimeField()


def _viewer_party(context: dict[str, Any], dispute: Dispute) -> str | None:
    """The side the caller is on: the order's customer, or the shop (the views let no one else in)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return Party.CUSTOMER if dispute.order.customer_id == user.pk else Party.MERCHANT


class DisputeOutputSerializer(serializers.ModelSerializer[Dispute]):
    order_number = serializers.CharField(source="order.number", read_only=True)

    class Meta:
        model = Dispute
        fields = (
            "id",
            "order",
            "order_number",
            "aftersales_request",
            "complaint",
            "opener_role",
            "reason",
            "claim_amount",
            "status",
            "refunded_amount",
            "opened_at",
            "closed_at",
        )

    def to_representation(self, instance: Dispute) -> dict[str, Any]:
        """MSG-1, SEC-2: what the other party wrote (the opening reason, statements) is read with its
        contact details masked. The viewer is ``context["request"].user``; without one, all is masked."""
        data: dict[str, Any] = super().to_representation(instance)
        party = _viewer_party(self.context, instance)
        if instance.opener_role != party:
            data["reason"] = mask_contact_details(data["reason"])
        for evidence in data.get("evidence") or []:
            if evidence["party"] != party:
                evidence["statement"] = mask_contact_details(evidence["statement"])
        return data


class DisputeDetailSerializer(DisputeOutputSerializer):
    """DSP-2: both sides' evidence, the proposals, the rulings and what is due by when."""

    evidence = DisputeEvidenceOutputSerializer(many=True, read_only=True)
    proposals = DisputeProposalOutputSerializer(many=True, read_only=True)
    rulings = DisputeRulingOutputSerializer(many=True, read_only=True)
    return_case = DisputeReturnOutputSerializer(read_only=True, allow_null=True)
    deadline = serializers.SerializerMethodField()

    class Meta(DisputeOutputSerializer.Meta):
        fields: tuple[str, ...] = (  # type: ignore[assignment]
            *DisputeOutputSerializer.Meta.fields,
            "evidence",
            "proposals",
            "rulings",
            "return_case",
            "deadline",
        )

    @extend_schema_field(DisputeDeadlineOutputSerializer(allow_null=True))
    def get_deadline(self, obj: Dispute) -> dict[str, Any] | None:
        return selectors.dispute_next_deadline(obj)


class DisputeEvidenceInputSerializer(serializers.Serializer[Any]):
    statement = serializers.CharField()
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class DisputeReturnShipInputSerializer(serializers.Serializer[Any]):
    carrier = serializers.CharField(max_length=32)
    tracking_number = serializers.CharField(max_length=64)


class DisputeReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class DisputeOpenInputSerializer(serializers.Serializer[Any]):
    """DSP-1: a refused after-sales request (customer) or an order's unresolved complaint (either party)."""

    aftersales_request = serializers.IntegerField(required=False)
    complaint = serializers.IntegerField(required=False)
    reason = serializers.CharField()
    claim_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)


def _open(request: Request, *, merchant_side: bool) -> Dispute:
    data = DisputeOpenInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    actor = request_user(request)
    if v.get("aftersales_request") and not merchant_side:
        found = request_get_for_customer(customer=actor, request_id=v["aftersales_request"])
        return dispute_open_from_request(
            request=found, reason=v["reason"], actor=actor, claim_amount=v.get("claim_amount")
        )
    if v.get("complaint"):
        complaint = complaint_get_on_order(complaint_id=v["complaint"])
        return dispute_open_on_complaint(
            complaint=complaint, reason=v["reason"], actor=actor, claim_amount=v.get("claim_amount")
        )
    raise InvalidInput(
        "Name the refused after-sales request or the complaint.",
        errors={"aftersales_request": ["Required (or complaint)."]},
    )


def _evidence(request: Request, dispute: Dispute) -> Response:
    data = DisputeEvidenceInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    dispute_evidence_submit(
        dispute=dispute,
        statement=data.validated_data["statement"],
        files=data.validated_data["files"],
        actor=request_user(request),
    )
    return Response(
        DisputeDetailSerializer(
            selectors.dispute_get_any(dispute_id=dispute.pk), context={"request": request}
        ).data,
        status=201,
    )


def _proposal(dispute: Dispute, proposal_id: int) -> MediationProposal:
    proposal = dispute.proposals.filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("No such proposal."))
    return proposal


def _answer(request: Request, dispute: Dispute, proposal_id: int, *, accept: bool) -> Response:
    proposal_answer(proposal=_proposal(dispute, proposal_id), accept=accept, actor=request_user(request))
    return Response(
        DisputeDetailSerializer(
            selectors.dispute_get_any(dispute_id=dispute.pk), context={"request": request}
        ).data
    )


def _appeal(request: Request, dispute: Dispute) -> Response:
    data = DisputeReasonInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    dispute_appeal(dispute=dispute, reason=data.validated_data["reason"], actor=request_user(request))
    return Response(
        DisputeDetailSerializer(
            selectors.dispute_get_any(dispute_id=dispute.pk), context={"request": request}
        ).data
    )


# --- customers -------------------------------------------------------------------------------------------


def _mine(request: Request, dispute_id: int) -> Dispute:
    return selectors.dispute_get_for_customer(customer=request_user(request), dispute_id=dispute_id)


class DisputeListCreateApi(APIView):
    """DSP-1: the customer's disputes; open one on a refused request or a complaint."""

    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination

    @extend_schema(
        summary=gettext_lazy("List my disputes"),
        description=gettext_lazy("The customer's disputes, newest first (DSP-1)."),
        tags=["disputes"],
        responses={200: DisputeOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return paginate(
            request,
            self,
            selectors.dispute_list_for_customer(customer=request_user(request)),
            DisputeOutputSerializer,
        )

    @extend_schema(
        summary=gettext_lazy("Open a dispute"),
        description=gettext_lazy(
            "Open a dispute on a refused after-sales request or an unresolved complaint (DSP-1)."
        ),
        tags=["disputes"],
        request=DisputeOpenInputSerializer,
        responses={201: DisputeDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        dispute = _open(request, merchant_side=False)
        return Response(
            DisputeDetailSerializer(dispute, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class DisputeDetailApi(APIView):
    """DSP-2: the case with both sides' evidence, proposals, rulings and the next deadline."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Get a dispute"),
        description=gettext_lazy(
            "The case with both sides' evidence, proposals, rulings and the next deadline (DSP-2)."
        ),
        tags=["disputes"],
        responses={200: DisputeDetailSerializer},
    )
    def get(self, request: Request, dispute_id: int) -> Response:
        return Response(
            DisputeDetailSerializer(_mine(request, dispute_id), context={"request": request}).data
        )


class DisputeEvidenceApi(APIView):
    """DSP-2, SEC-4: submit a statement with files (PDF/JPEG/PNG, checked by content)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    @extend_schema(
        summary=gettext_lazy("Submit evidence"),
        description=gettext_lazy(
            "Submit a statement with files (PDF/JPEG/PNG, checked by content) (DSP-2, SEC-4)."
        ),
        tags=["disputes"],
        request=DisputeEvidenceInputSerializer,
        responses={201: DisputeDetailSerializer},
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        return _evidence(request, _mine(request, dispute_id))


class DisputeProposalAcceptApi(APIView):
    """DSP-2: the customer accepts the mediator's proposal (money moves if both accept)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Accept a proposal"),
        description=gettext_lazy(
            "The customer accepts the mediator's proposal; money moves once both sides accept (DSP-2). Needs Idempotency-Key."
        ),
        tags=["disputes"],
        request=None,
        responses={200: DisputeDetailSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request, dispute_id: int, proposal_id: int) -> Response:
        return _answer(request, _mine(request, dispute_id), proposal_id, accept=True)


class DisputeProposalRejectApi(APIView):
    """DSP-2: the customer rejects the proposal."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Reject a proposal"),
        description=gettext_lazy("The customer rejects the mediator's proposal (DSP-2)."),
        tags=["disputes"],
        request=None,
        responses={200: DisputeDetailSerializer},
    )
    def post(self, request: Request, dispute_id: int, proposal_id: int) -> Response:
        return _answer(request, _mine(request, dispute_id), proposal_id, accept=False)


class DisputeAppealApi(APIView):
    """DSP-4: appeal the ruling once, within 3 days."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Appeal a ruling"),
        description=gettext_lazy("Appeal the ruling once, within 3 days (DSP-4)."),
        tags=["disputes"],
        request=DisputeReasonInputSerializer,
        responses={200: DisputeDetailSerializer},
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        return _appeal(request, _mine(request, dispute_id))


class DisputeWithdrawApi(APIView):
    """DSP-5: the customer withdraws the dispute before a ruling."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Withdraw a dispute"),
        description=gettext_lazy("The customer withdraws the dispute before a ruling (DSP-5)."),
        tags=["disputes"],
        request=None,
        responses={200: DisputeDetailSerializer},
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = dispute_withdraw(dispute=_mine(request, dispute_id), actor=request_user(request))
        return Response(
            DisputeDetailSerializer(
                selectors.dispute_get_any(dispute_id=dispute.pk), context={"request": request}
            ).data
        )


class DisputeReturnShipApi(APIView):
    """DSP-4, AFS-4: the customer ships the required return (carrier, tracking) within 7 days."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Ship the dispute return"),
        description=gettext_lazy(
            "The customer ships the required return (carrier, tracking) within 7 days (DSP-4, AFS-4)."
        ),
        tags=["disputes"],
        request=DisputeReturnShipInputSerializer,
        responses={200: DisputeDetailSerializer},
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = _mine(request, dispute_id)
        data = DisputeReturnShipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute_return_ship(dispute=dispute, actor=request_user(request), **data.validated_data)
        return Response(
            DisputeDetailSerializer(
                selectors.dispute_get_any(dispute_id=dispute.pk), context={"request": request}
            ).data
        )


class DisputeEvidenceFileApi(APIView):
    """SEC-4: an evidence file, only for the case's parties and dispute staff."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Download dispute evidence"),
        description=gettext_lazy("An evidence file, only for the case's parties and dispute staff (SEC-4)."),
        tags=["disputes"],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, file_id: int) -> FileResponse:
        found = selectors.evidence_file_get_for_viewer(user=request_user(request), file_id=file_id)
        return file_response(
            found.file, content_type=found.content_type, download_name=f"dispute-evidence-{found.pk}"
        )


# --- merchants -------------------------------------------------------------------------------------------


def _shop(request: Request, dispute_id: int) -> Dispute:
    return selectors.dispute_get_for_merchant(merchant=merchant_for_request(request), dispute_id=dispute_id)


class MerchantDisputeListCreateApi(APIView):
    """DSP-1: the shop's disputes; open one on an order with an unresolved complaint."""

    permission_classes = [MerchantDisputant]
    pagination_class = PagePagination

    @extend_schema(
        summary=gettext_lazy("List the shop's disputes"),
        description=gettext_lazy("The shop's disputes, newest first (DSP-1)."),
        tags=["disputes"],
        responses={200: DisputeOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.dispute_list_for_merchant(merchant=merchant_for_request(request))
        return paginate(request, self, qs, DisputeOutputSerializer)

    @extend_schema(
        summary=gettext_lazy("Open a dispute as the shop"),
        description=gettext_lazy(
            "The shop opens a dispute on an order with an unresolved complaint (DSP-1)."
        ),
        tags=["disputes"],
        request=DisputeOpenInputSerializer,
        responses={201: DisputeDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        dispute = _open(request, merchant_side=True)
        return Response(
            DisputeDetailSerializer(dispute, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class MerchantDisputeDetailApi(APIView):
    """DSP-2: the case as the shop sees it (the customer's evidence included)."""

    permission_classes = [MerchantDisputant]

    @extend_schema(
        summary=gettext_lazy("Get a shop's dispute"),
        description=gettext_lazy("The case as the shop sees it, the customer's evidence included (DSP-2)."),
        tags=["disputes"],
        responses={200: DisputeDetailSerializer},
    )
    def get(self, request: Request, dispute_id: int) -> Response:
        return Response(
            DisputeDetailSerializer(_shop(request, dispute_id), context={"request": request}).data
        )


class MerchantDisputeEvidenceApi(APIView):
    """DSP-2, SEC-4: the shop's statement and files."""

    permission_classes = [MerchantDisputant]
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    @extend_schema(
        summary=gettext_lazy("Submit the shop's evidence"),
        description=gettext_lazy("The shop's statement and files (DSP-2, SEC-4)."),
        tags=["disputes"],
        request=DisputeEvidenceInputSerializer,
        responses={201: DisputeDetailSerializer},
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        return _evidence(request, _shop(request, dispute_id))


class MerchantDisputeProposalAcceptApi(APIView):
    """DSP-2: the shop accepts the mediator's proposal (money moves if both accept)."""

    permission_classes = [MerchantDisputant]

    @extend_schema(
        summary=gettext_lazy("Accept a proposal as the shop"),
        description=gettext_lazy(
            "The shop accepts the mediator's proposal; money moves once both sides accept (DSP-2). Needs Idempotency-Key."
        ),
        tags=["disputes"],
        request=None,
        responses={200: DisputeDetailSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request, dispute_id: int, proposal_id: int) -> Response:
        return _answer(request, _shop(request, dispute_id), proposal_id, accept=True)


class MerchantDisputeProposalRejectApi(APIView):
    """DSP-2: the shop rejects the proposal."""

    permission_classes = [MerchantDisputant]

    @extend_schema(
        summary=gettext_lazy("Reject a proposal as the shop"),
        description=gettext_lazy("The shop rejects the mediator's proposal (DSP-2)."),
        tags=["disputes"],
        request=None,
        responses={200: DisputeDetailSerializer},
    )
    def post(self, request: Request, dispute_id: int, proposal_id: int) -> Response:
        return _answer(request, _shop(request, dispute_id), proposal_id, accept=False)


class MerchantDisputeAppealApi(APIView):
    """DSP-4: the shop appeals the ruling once, within 3 days."""

    permission_classes = [MerchantDisputant]

    @extend_schema(
        summary=gettext_lazy("Appeal a ruling as the shop"),
        description=gettext_lazy("The shop appeals the ruling once, within 3 days (DSP-4)."),
        tags=["disputes"],
        request=DisputeReasonInputSerializer,
        responses={200: DisputeDetailSerializer},
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        return _appeal(request, _shop(request, dispute_id))


class MerchantDisputeReturnReceiveApi(APIView):
    """DSP-4, AFS-4: the shop confirms the returned item arrived; the refund executes."""

    permission_classes = [MerchantDisputant]

    @extend_schema(
        summary=gettext_lazy("Confirm the dispute return arrived"),
        description=gettext_lazy(
            "The shop confirms the returned item arrived; the refund executes (DSP-4, AFS-4). Needs Idempotency-Key."
        ),
        tags=["disputes"],
        request=None,
        responses={200: DisputeDetailSerializer},
    )
    @idempotent(required=True)
    def post(self, request: Request, dispute_id: int) -> Response:
        dispute = _shop(request, dispute_id)
        dispute_return_receive(dispute=dispute, actor=request_user(request))
        return Response(
            DisputeDetailSerializer(
                selectors.dispute_get_any(dispute_id=dispute.pk), context={"request": request}
            ).data
        )
