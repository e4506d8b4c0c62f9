"""The after-sales API: customers' requests (/aftersales/), merchants' side (/merchant/aftersales/),
complaints (/complaints/) and customer service's complaint desk (/customer-service/complaints/).

Thin views: parse, call a selector or service, serialise. Money-moving POSTs take an Idempotency-Key.
"""

from typing import Any, cast

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales import selectors
from aftersales.models import (
    AfterSalesEvent,
    AfterSalesRequest,
    Complaint,
    ComplaintStep,
    Conversation,
    Evidence,
    Message,
    MessageImage,
    Suggestion,
)
from aftersales.services.complaints import (
    complaint_acknowledge,
    complaint_answer,
    complaint_close,
    complaint_file,
)
from aftersales.services.conversations import (
    conversation_close,
    conversation_mark_read,
    conversation_start,
    message_post,
)
from aftersales.services.requests import (
    request_approve,
    request_create,
    request_escalate,
    request_refuse,
    request_withdraw,
)
from aftersales.services.returns import (
    request_close,
    request_confirm_receipt,
    request_refund_issue,
    request_reship,
    request_ship_return,
)
from aftersales.services.suggestions import suggestion_record
from merchants.permissions import (
    AFTERSALES_REFUNDERS,
    AFTERSALES_RESPONDERS,
    IsMerchantMember,
    merchant_for_request,
)
from platform_core.accounts.acting import request_user
from platform_core.accounts.models import User
from platform_core.api.idempotency import idempotent
from platform_core.api.pagination import PagePagination, paginate
from platform_core.errors import NotFound
from platform_core.uploads import file_response

TAGS = ["aftersales"]
COMPLAINT_TAGS = ["complaints"]
MerchantResponder = IsMerchantMember.with_roles(*AFTERSALES_RESPONDERS)
MerchantRefunder = IsMerchantMember.with_roles(*AFTERSALES_REFUNDERS)


class IsCustomerService(BasePermission):
    """Platform customer-service staff (or superusers)."""

    message = "Only customer service may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and selectors.user_is_customer_service(request_user(request))
        )


# --- serializers ---------------------------------------------------------------------------------------


class ClockSerializer(serializers.Serializer):
    waiting_for = serializers.CharField(help_text="Which deadline the request waits on.")
    due_at = serializers.DateTimeField()
    seconds_left = serializers.IntegerField(help_text="Negative when overdue.")


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "content_type", "size", "uploaded_at"]


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


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


# --- customers -------------------------------------------------------------------------------------------


class RequestListCreateApi(APIView):
    pagination_class = PagePagination  # documents the page envelope in the schema
    """AFS-1: the customer's requests; open one on a delivered or completed order line."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        order = serializers.IntegerField()
        line = serializers.IntegerField()
        kind = serializers.ChoiceField(choices=AfterSalesRequest.Kind.choices)
        reason_kind = serializers.ChoiceField(choices=AfterSalesRequest.ReasonKind.choices)
        reason = serializers.CharField(max_length=2000)
        amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
        evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    @extend_schema(responses={200: RequestOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        qs = selectors.request_list_for_customer(
            customer=request_user(request), status=request.query_params.get("status")
        )
        return paginate(request, self, qs.select_related("refund"), RequestOutputSerializer)

    @extend_schema(
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={201: RequestDetailSerializer},
        tags=TAGS,
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

    @extend_schema(responses={200: RequestDetailSerializer}, tags=TAGS)
    def get(self, request: Request, request_id: int) -> Response:
        found = selectors.request_get_for_customer(customer=request_user(request), request_id=request_id)
        return Response(RequestDetailSerializer(found).data)


class RequestWithdrawApi(APIView):
    """AFS-6: the customer withdraws the request."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: RequestDetailSerializer}, tags=TAGS)
    def post(self, request: Request, request_id: int) -> Response:
        found = selectors.request_get_for_customer(customer=request_user(request), request_id=request_id)
        return Response(
            RequestDetailSerializer(request_withdraw(request=found, actor=request_user(request))).data
        )


class RequestShipReturnApi(APIView):
    """AFS-4: the customer ships the return with carrier and tracking number."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CarrierInputSerializer, responses={200: RequestDetailSerializer}, tags=TAGS)
    def post(self, request: Request, request_id: int) -> Response:
        found = selectors.request_get_for_customer(customer=request_user(request), request_id=request_id)
        data = CarrierInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = request_ship_return(request=found, actor=request_user(request), **data.validated_data)
        return Response(RequestDetailSerializer(updated).data)


class RequestEscalateApi(APIView):
    """AFS-5: the customer escalates the merchant's refusal to a dispute."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReasonInputSerializer, responses={200: RequestDetailSerializer}, tags=TAGS)
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

    @extend_schema(request=None, responses={200: RequestDetailSerializer}, tags=TAGS)
    def post(self, request: Request, request_id: int) -> Response:
        found = selectors.request_get_for_customer(customer=request_user(request), request_id=request_id)
        return Response(
            RequestDetailSerializer(request_close(request=found, actor=request_user(request))).data
        )


class EvidenceFileApi(APIView):
    """SEC-4: an evidence file, only for its request's or complaint's parties and customer service."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)}, tags=TAGS
    )
    def get(self, request: Request, evidence_id: int) -> FileResponse:
        evidence = selectors.evidence_get_for_viewer(user=request_user(request), evidence_id=evidence_id)
        return file_response(
            evidence.file, content_type=evidence.content_type, download_name=f"evidence-{evidence.pk}"
        )


# --- merchants -------------------------------------------------------------------------------------------


def _merchant_request(request: Request, request_id: int) -> AfterSalesRequest:
    return selectors.request_get_for_merchant(merchant=merchant_for_request(request), request_id=request_id)


class MerchantRequestListApi(APIView):
    pagination_class = PagePagination  # documents the page envelope in the schema
    """AFS-3: the shop's requests, the most urgent first, with the time left."""

    permission_classes = [MerchantResponder]

    @extend_schema(responses={200: RequestOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        qs = selectors.request_list_for_merchant(
            merchant=merchant_for_request(request),
            status=request.query_params.get("status"),
        )
        return paginate(request, self, qs.select_related("refund"), RequestOutputSerializer)


class MerchantRequestDetailApi(APIView):
    permission_classes = [MerchantResponder]

    @extend_schema(responses={200: RequestDetailSerializer}, tags=TAGS)
    def get(self, request: Request, request_id: int) -> Response:
        return Response(RequestDetailSerializer(_merchant_request(request, request_id)).data)


class MerchantRequestApproveApi(APIView):
    """AFS-3, AFS-4: approve; a refund-only request is refunded at once (money moves: Idempotency-Key)."""

    permission_classes = [MerchantResponder]

    @extend_schema(request=None, responses={200: RequestDetailSerializer}, tags=TAGS)
    @idempotent(required=True)
    def post(self, request: Request, request_id: int) -> Response:
        found = _merchant_request(request, request_id)
        return Response(
            RequestDetailSerializer(request_approve(request=found, actor=request_user(request))).data
        )


class MerchantRequestRefuseApi(APIView):
    """AFS-5: refuse, with the reason."""

    permission_classes = [MerchantResponder]

    @extend_schema(request=ReasonInputSerializer, responses={200: RequestDetailSerializer}, tags=TAGS)
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

    @extend_schema(request=None, responses={200: RequestDetailSerializer}, tags=TAGS)
    @idempotent(required=True)
    def post(self, request: Request, request_id: int) -> Response:
        found = _merchant_request(request, request_id)
        updated = request_confirm_receipt(request=found, actor=request_user(request))
        return Response(RequestDetailSerializer(updated).data)


class MerchantRequestRefundApi(APIView):
    """AFS-4, PAY-5: issue the refund if the system's immediate attempt could not (Idempotency-Key)."""

    permission_classes = [MerchantRefunder]

    @extend_schema(request=None, responses={200: RequestDetailSerializer}, tags=TAGS)
    @idempotent(required=True)
    def post(self, request: Request, request_id: int) -> Response:
        found = _merchant_request(request, request_id)
        updated = request_refund_issue(request=found, actor=request_user(request))
        return Response(RequestDetailSerializer(updated).data)


class MerchantRequestReshipApi(APIView):
    """AFS-6: ship the replacement (exchange) or the repaired item back (repair)."""

    permission_classes = [MerchantResponder]

    @extend_schema(request=CarrierInputSerializer, responses={200: RequestDetailSerializer}, tags=TAGS)
    def post(self, request: Request, request_id: int) -> Response:
        found = _merchant_request(request, request_id)
        data = CarrierInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = request_reship(request=found, actor=request_user(request), **data.validated_data)
        return Response(RequestDetailSerializer(updated).data)


# --- complaints ------------------------------------------------------------------------------------------


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
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        target_kind = serializers.ChoiceField(choices=Complaint.TargetKind.choices)
        merchant = serializers.IntegerField(required=False)
        listing = serializers.IntegerField(required=False)
        order = serializers.IntegerField(required=False)
        category = serializers.ChoiceField(choices=Complaint.Category.choices)
        description = serializers.CharField(max_length=5000)
        evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    @extend_schema(responses={200: ComplaintOutputSerializer(many=True)}, tags=COMPLAINT_TAGS)
    def get(self, request: Request) -> Response:
        return paginate(
            request,
            self,
            selectors.complaint_list_for_complainant(user=request_user(request)),
            ComplaintOutputSerializer,
        )

    @extend_schema(
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={201: ComplaintOutputSerializer},
        tags=COMPLAINT_TAGS,
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

    @extend_schema(responses={200: ComplaintOutputSerializer}, tags=COMPLAINT_TAGS)
    def get(self, request: Request, complaint_id: int) -> Response:
        complaint = selectors.complaint_get_for_complainant(
            user=request_user(request), complaint_id=complaint_id
        )
        return Response(ComplaintOutputSerializer(complaint).data)


class ComplaintCloseApi(APIView):
    """CMP-2: the complainant closes the complaint (satisfied with the answer, or no longer needed)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ComplaintOutputSerializer}, tags=COMPLAINT_TAGS)
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

    @extend_schema(responses={200: ComplaintOutputSerializer(many=True)}, tags=COMPLAINT_TAGS)
    def get(self, request: Request) -> Response:
        if request.query_params.get("escalated"):
            qs = selectors.complaint_queue_for_head()
        else:
            qs = selectors.complaint_queue_for_customer_service()
        return paginate(request, self, qs.prefetch_related("steps", "evidence"), ComplaintOutputSerializer)


class ServiceComplaintAcknowledgeApi(APIView):
    permission_classes = [IsCustomerService]

    @extend_schema(request=None, responses={200: ComplaintOutputSerializer}, tags=COMPLAINT_TAGS)
    def post(self, request: Request, complaint_id: int) -> Response:
        complaint = complaint_acknowledge(complaint=_cs_complaint(complaint_id), actor=request_user(request))
        return Response(ComplaintOutputSerializer(complaint).data)


class ServiceComplaintAnswerApi(APIView):
    permission_classes = [IsCustomerService]

    class InputSerializer(serializers.Serializer):
        answer = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, responses={200: ComplaintOutputSerializer}, tags=COMPLAINT_TAGS)
    def post(self, request: Request, complaint_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaint_answer(
            complaint=_cs_complaint(complaint_id),
            answer=data.validated_data["answer"],
            actor=request_user(request),
        )
        return Response(ComplaintOutputSerializer(complaint).data)


# --- MSG-1, MSG-2: conversations ------------------------------------------------------------------------


class MessageImageSerializer(serializers.ModelSerializer):
    class Meta:
        model = MessageImage
        fields = ["id", "content_type", "size"]


class MessageOutputSerializer(serializers.ModelSerializer):
    """MSG-1: the viewer reads the other party's phone numbers and addresses masked."""

    text = serializers.SerializerMethodField(help_text="Masked (phones, addresses) unless you wrote it.")
    mine = serializers.SerializerMethodField()
    images = MessageImageSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "side", "mine", "text", "images", "created_at", "read_at"]

    def _viewer(self) -> User:
        return cast(User, self.context["viewer"])

    def get_text(self, obj: Message) -> str:
        return selectors.message_text_for(obj, viewer=self._viewer())

    def get_mine(self, obj: Message) -> bool:
        return obj.sender_id == self._viewer().pk


class ConversationOutputSerializer(serializers.ModelSerializer):
    listing_title = serializers.CharField(
        source="listing.live_version.title", read_only=True, default=None, allow_null=True
    )
    order_number = serializers.CharField(source="order.number", read_only=True, default=None, allow_null=True)
    merchant_name = serializers.CharField(
        source="merchant.name", read_only=True, default=None, allow_null=True
    )
    unread = serializers.IntegerField(
        read_only=True, default=0, help_text="Messages from the other side not yet read."
    )
    clock = serializers.SerializerMethodField(help_text="MSG-2: the reply clock while the customer waits.")

    class Meta:
        model = Conversation
        fields = [
            "id",
            "kind",
            "status",
            "merchant",
            "merchant_name",
            "listing",
            "listing_title",
            "order",
            "order_number",
            "created_at",
            "last_message_at",
            "awaiting_since",
            "reply_due_at",
            "unread",
            "clock",
        ]

    @extend_schema_field(ClockSerializer(allow_null=True))
    def get_clock(self, obj: Conversation) -> dict[str, Any] | None:
        return selectors.conversation_clock(obj)


class MessageInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    images = serializers.ListField(child=serializers.FileField(), required=False, default=list)


def _messages_page(request: Request, view: APIView, conversation: Conversation) -> Response:
    paginator = PagePagination()
    page = paginator.paginate_queryset(
        selectors.conversation_messages(conversation=conversation), request, view=view
    )
    data = MessageOutputSerializer(page, many=True, context={"viewer": request.user}).data
    return paginator.get_paginated_response(data)


def _post_message(request: Request, conversation: Conversation) -> Response:
    data = MessageInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    message = message_post(
        conversation=conversation,
        sender=request_user(request),
        text=data.validated_data["text"],
        images=data.validated_data["images"],
        actor=request_user(request),
    )
    return Response(
        MessageOutputSerializer(message, context={"viewer": request.user}).data,
        status=status.HTTP_201_CREATED,
    )


class ReadOutputSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


CONVERSATION_TAGS = ["conversations"]
MESSAGE_PARSERS = [JSONParser, MultiPartParser, FormParser]
MESSAGE_REQUEST = {"multipart/form-data": MessageInputSerializer, "application/json": MessageInputSerializer}


class ConversationListCreateApi(APIView):
    pagination_class = PagePagination  # documents the page envelope in the schema
    """MSG-1: the customer's conversations; start one about a listing, an order, or with customer service."""

    permission_classes = [IsAuthenticated]
    parser_classes = MESSAGE_PARSERS

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Conversation.Kind.choices)
        listing = serializers.IntegerField(required=False)
        order = serializers.IntegerField(required=False)
        text = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
        images = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    @extend_schema(responses={200: ConversationOutputSerializer(many=True)}, tags=CONVERSATION_TAGS)
    def get(self, request: Request) -> Response:
        qs = selectors.conversation_list_for_customer(customer=request_user(request))
        return paginate(request, self, qs, ConversationOutputSerializer)

    @extend_schema(
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={201: ConversationOutputSerializer},
        tags=CONVERSATION_TAGS,
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        conversation = conversation_start(
            customer=request_user(request),
            kind=v["kind"],
            listing_id=v.get("listing"),
            order_id=v.get("order"),
            text=v["text"],
            images=v["images"],
            actor=request_user(request),
        )
        return Response(ConversationOutputSerializer(conversation).data, status=status.HTTP_201_CREATED)


class ConversationDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ConversationOutputSerializer}, tags=CONVERSATION_TAGS)
    def get(self, request: Request, conversation_id: int) -> Response:
        found = selectors.conversation_get_for_customer(
            customer=request_user(request), conversation_id=conversation_id
        )
        return Response(ConversationOutputSerializer(found).data)


class ConversationMessagesApi(APIView):
    pagination_class = PagePagination  # documents the page envelope in the schema
    """MSG-1: the conversation's messages (oldest first); post one (text and/or images)."""

    permission_classes = [IsAuthenticated]
    parser_classes = MESSAGE_PARSERS

    @extend_schema(responses={200: MessageOutputSerializer(many=True)}, tags=CONVERSATION_TAGS)
    def get(self, request: Request, conversation_id: int) -> Response:
        found = selectors.conversation_get_for_customer(
            customer=request_user(request), conversation_id=conversation_id
        )
        return _messages_page(request, self, found)

    @extend_schema(request=MESSAGE_REQUEST, responses={201: MessageOutputSerializer}, tags=CONVERSATION_TAGS)
    def post(self, request: Request, conversation_id: int) -> Response:
        found = selectors.conversation_get_for_customer(
            customer=request_user(request), conversation_id=conversation_id
        )
        return _post_message(request, found)


class ConversationReadApi(APIView):
    """MSG-1: read receipts: mark the other side's messages read."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ReadOutputSerializer}, tags=CONVERSATION_TAGS)
    def post(self, request: Request, conversation_id: int) -> Response:
        found = selectors.conversation_get_for_customer(
            customer=request_user(request), conversation_id=conversation_id
        )
        n = conversation_mark_read(conversation=found, reader=request_user(request))
        return Response({"marked_read": n})


class ConversationCloseApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ConversationOutputSerializer}, tags=CONVERSATION_TAGS)
    def post(self, request: Request, conversation_id: int) -> Response:
        found = selectors.conversation_get_for_customer(
            customer=request_user(request), conversation_id=conversation_id
        )
        closed = conversation_close(conversation=found, actor=request_user(request))
        return Response(ConversationOutputSerializer(closed).data)


class MessageImageFileApi(APIView):
    """MSG-1, SEC-4: an attached file, for the conversation's parties only."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
        tags=CONVERSATION_TAGS,
    )
    def get(self, request: Request, image_id: int) -> FileResponse:
        image = selectors.message_image_get_for_viewer(user=request_user(request), image_id=image_id)
        response = FileResponse(image.file.open("rb"), content_type=image.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = f'attachment; filename="message-image-{image.pk}"'
        return response


def _merchant_conversation(request: Request, conversation_id: int) -> Conversation:
    return selectors.conversation_get_for_merchant(
        merchant=merchant_for_request(request),
        conversation_id=conversation_id,
    )


class MerchantConversationListApi(APIView):
    pagination_class = PagePagination  # documents the page envelope in the schema
    """MSG-1, MSG-2: the shop's conversations, those waiting longest for an answer first."""

    permission_classes = [MerchantResponder]

    @extend_schema(responses={200: ConversationOutputSerializer(many=True)}, tags=CONVERSATION_TAGS)
    def get(self, request: Request) -> Response:
        qs = selectors.conversation_list_for_merchant(merchant=merchant_for_request(request))
        return paginate(request, self, qs, ConversationOutputSerializer)


class MerchantConversationMessagesApi(APIView):
    pagination_class = PagePagination  # documents the page envelope in the schema
    """MSG-1, MSG-2: read and answer; the answer meets the 24-hour reply clock."""

    permission_classes = [MerchantResponder]
    parser_classes = MESSAGE_PARSERS

    @extend_schema(responses={200: MessageOutputSerializer(many=True)}, tags=CONVERSATION_TAGS)
    def get(self, request: Request, conversation_id: int) -> Response:
        return _messages_page(request, self, _merchant_conversation(request, conversation_id))

    @extend_schema(request=MESSAGE_REQUEST, responses={201: MessageOutputSerializer}, tags=CONVERSATION_TAGS)
    def post(self, request: Request, conversation_id: int) -> Response:
        return _post_message(request, _merchant_conversation(request, conversation_id))


class MerchantConversationReadApi(APIView):
    permission_classes = [MerchantResponder]

    @extend_schema(request=None, responses={200: ReadOutputSerializer}, tags=CONVERSATION_TAGS)
    def post(self, request: Request, conversation_id: int) -> Response:
        found = _merchant_conversation(request, conversation_id)
        n = conversation_mark_read(conversation=found, reader=request_user(request))
        return Response({"marked_read": n})


# --- MSG-3: suggestions ---------------------------------------------------------------------------------


class SuggestionCreateApi(APIView):
    """MSG-3: send feedback or a suggestion, with tags."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=5000)
        tags = serializers.ListField(child=serializers.CharField(max_length=32), required=False, default=list)

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Suggestion
            fields = ["id", "text", "tags", "created_at"]

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, tags=["suggestions"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        suggestion = suggestion_record(
            user=request_user(request),
            text=data.validated_data["text"],
            tags=data.validated_data["tags"],
            actor=request_user(request),
        )
        return Response(self.OutputSerializer(suggestion).data, status=status.HTTP_201_CREATED)
