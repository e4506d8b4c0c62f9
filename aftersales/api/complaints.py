"""Complaints (/complaints/, CMP-1 … CMP-3) and customer service's complaint desk
(/customer-service/complaints/).
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales import selectors
from aftersales.api._common import ClockSerializer, EvidenceSerializer
from aftersales.models import Complaint, ComplaintStep
from aftersales.services.complaints import (
    complaint_acknowledge,
    complaint_answer,
    complaint_close,
    complaint_file,
)
from platform_core.accounts.acting import request_user
from platform_core.api.pagination import PagePagination, paginate
from platform_core.api.parsers import BoundedJSONParser
from platform_core.errors import NotFound

COMPLAINT_TAGS = ["complaints"]


class IsCustomerService(BasePermission):
    """Platform customer-service staff (or superusers)."""

    message = gettext_lazy("Only customer service may do this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and selectors.user_is_customer_service(request_user(request))
        )


class ComplaintStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComplaintStep
        fields = ["at", "action", "from_status", "to_status", "note"]


class ComplaintOutputSerializer(serializers.ModelSerializer):
    steps = ComplaintStepSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    clock = serializers.SerializerMethodField(help_text="CMP-2: the running clock and the time left.")

    class Meta:
        model = Complaint
        fields = [
            "id",
            "complainant_kind",
            "target_kind",
            "merchant",
            "listing",
            "order",
            "category",
            "description",
            "status",
            "created_at",
            "acknowledge_by",
            "answer_by",
            "acknowledged_at",
            "answer",
            "answered_at",
            "escalated_at",
            "closed_at",
            "clock",
            "steps",
            "evidence",
        ]

    @extend_schema_field(ClockSerializer(allow_null=True))
    def get_clock(self, obj: Complaint) -> dict[str, Any] | None:
        return selectors.complaint_clock(obj)


class ComplaintListCreateApi(APIView):
    pagination_class = PagePagination  # documents the page envelope in the schema
    """CMP-1: customers and merchants file complaints about a merchant, a listing, an order or the platform."""

    permission_classes = [IsAuthenticated]
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        target_kind = serializers.ChoiceField(choices=Complaint.TargetKind.choices)
        merchant = serializers.IntegerField(required=False)
        listing = serializers.IntegerField(required=False)
        order = serializers.IntegerField(required=False)
        category = serializers.ChoiceField(choices=Complaint.Category.choices)
        description = serializers.CharField(max_length=5000)
        evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    @extend_schema(
        summary=gettext_lazy("List my complaints"),
        description=gettext_lazy("The caller's complaints, newest first (CMP-1)."),
        tags=["complaints"],
        responses={200: ComplaintOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return paginate(
            request,
            self,
            selectors.complaint_list_for_complainant(user=request_user(request)),
            ComplaintOutputSerializer,
        )

    @extend_schema(
        summary=gettext_lazy("File a complaint"),
        description=gettext_lazy(
            "Complain about an order, a merchant or the platform, with evidence (CMP-1)."
        ),
        tags=["complaints"],
        request={"multipart/form-data": InputSerializer},
        responses={201: ComplaintOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        complaint = complaint_file(
            complainant=request_user(request),
            target_kind=v["target_kind"],
            category=v["category"],
            description=v["description"],
            merchant_id=v.get("merchant"),
            listing_id=v.get("listing"),
            order_id=v.get("order"),
            evidence=v["evidence"],
            actor=request_user(request),
        )
        return Response(ComplaintOutputSerializer(complaint).data, status=status.HTTP_201_CREATED)


class ComplaintDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Get a complaint"),
        description=gettext_lazy("One of the caller's complaints with its steps (CMP-2)."),
        tags=["complaints"],
        responses={200: ComplaintOutputSerializer},
    )
    def get(self, request: Request, complaint_id: int) -> Response:
        complaint = selectors.complaint_get_for_complainant(
            user=request_user(request), complaint_id=complaint_id
        )
        return Response(ComplaintOutputSerializer(complaint).data)


class ComplaintCloseApi(APIView):
    """CMP-2: the complainant closes the complaint (satisfied with the answer, or no longer needed)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Close a complaint"),
        description=gettext_lazy(
            "The complainant closes the complaint, satisfied or no longer needing it (CMP-2)."
        ),
        tags=["complaints"],
        request=None,
        responses={200: ComplaintOutputSerializer},
    )
    def post(self, request: Request, complaint_id: int) -> Response:
        complaint = selectors.complaint_get_for_complainant(
            user=request_user(request), complaint_id=complaint_id
        )
        return Response(
            ComplaintOutputSerializer(complaint_close(complaint=complaint, actor=request_user(request))).data
        )


# --- customer service's desk ----------------------------------------------------------------------------


def _cs_complaint(complaint_id: int) -> Complaint:
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:
        raise NotFound(_("No such complaint."))
    return complaint


class ServiceComplaintQueueApi(APIView):
    pagination_class = PagePagination  # documents the page envelope in the schema
    """CMP-2: open complaints, the most urgent first (the head's escalated queue with ``?escalated=1``)."""

    permission_classes = [IsCustomerService]

    @extend_schema(
        summary=gettext_lazy("List the complaint queue"),
        description=gettext_lazy(
            "Customer service's complaints to handle, the oldest deadline first (CMP-2)."
        ),
        tags=["complaints"],
        responses={200: ComplaintOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        if request.query_params.get("escalated"):
            qs = selectors.complaint_queue_for_head()
        else:
            qs = selectors.complaint_queue_for_customer_service()
        return paginate(request, self, qs.prefetch_related("steps", "evidence"), ComplaintOutputSerializer)


class ServiceComplaintAcknowledgeApi(APIView):
    permission_classes = [IsCustomerService]

    @extend_schema(
        summary=gettext_lazy("Acknowledge a complaint"),
        description=gettext_lazy("Customer service acknowledges the complaint within its deadline (CMP-2)."),
        tags=["complaints"],
        request=None,
        responses={200: ComplaintOutputSerializer},
    )
    def post(self, request: Request, complaint_id: int) -> Response:
        complaint = complaint_acknowledge(complaint=_cs_complaint(complaint_id), actor=request_user(request))
        return Response(ComplaintOutputSerializer(complaint).data)


class ServiceComplaintAnswerApi(APIView):
    permission_classes = [IsCustomerService]

    class InputSerializer(serializers.Serializer):
        answer = serializers.CharField(max_length=5000)

    @extend_schema(
        summary=gettext_lazy("Answer a complaint"),
        description=gettext_lazy("Customer service answers the complaint with the outcome (CMP-2)."),
        tags=["complaints"],
        request=InputSerializer,
        responses={200: ComplaintOutputSerializer},
    )
    def post(self, request: Request, complaint_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaint_answer(
            complaint=_cs_complaint(complaint_id),
            answer=data.validated_data["answer"],
            actor=request_user(request),
        )
        return Response(ComplaintOutputSerializer(complaint).data)
