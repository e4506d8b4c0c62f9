"""MSG-1, MSG-2: conversations and messages, the customer's side (/conversations/) and the shop's
(/merchant/conversations/).
"""

from typing import Any, cast

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
from aftersales.api._common import ClockSerializer, MerchantResponder
from aftersales.models import Conversation, Message, MessageImage
from aftersales.services.conversations import (
    conversation_close,
    conversation_mark_read,
    conversation_start,
    message_post,
)
from merchants.permissions import merchant_for_request
from platform_core.accounts.acting import request_user
from platform_core.accounts.models import User
from platform_core.api.pagination import PagePagination, paginate
from platform_core.api.parsers import BoundedJSONParser


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
MESSAGE_PARSERS = [BoundedJSONParser, MultiPartParser, FormParser]
MESSAGE_REQUEST = {"multipart/form-data": MessageInputSerializer}


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

    @extend_schema(
        summary=gettext_lazy("List my conversations"),
        description=gettext_lazy("The customer's conversations with shops and customer service (MSG-1)."),
        tags=["conversations"],
        responses={200: ConversationOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.conversation_list_for_customer(customer=request_user(request))
        return paginate(request, self, qs, ConversationOutputSerializer)

    @extend_schema(
        summary=gettext_lazy("Start a conversation"),
        description=gettext_lazy("Start a conversation with a shop or customer service (MSG-1)."),
        tags=["conversations"],
        request={"multipart/form-data": InputSerializer},
        responses={201: ConversationOutputSerializer},
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

    @extend_schema(
        summary=gettext_lazy("Get a conversation"),
        description=gettext_lazy("One conversation with its reply clock (MSG-1)."),
        tags=["conversations"],
        responses={200: ConversationOutputSerializer},
    )
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

    @extend_schema(
        summary=gettext_lazy("List messages"),
        description=gettext_lazy(
            "The conversation's messages, oldest first; contact details of the other side are masked (MSG-1)."
        ),
        tags=["conversations"],
        responses={200: MessageOutputSerializer(many=True)},
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        found = selectors.conversation_get_for_customer(
            customer=request_user(request), conversation_id=conversation_id
        )
        return _messages_page(request, self, found)

    @extend_schema(
        summary=gettext_lazy("Send a message"),
        description=gettext_lazy("Send text and images in the conversation (MSG-1, SEC-4)."),
        tags=["conversations"],
        request=MESSAGE_REQUEST,
        responses={201: MessageOutputSerializer},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        found = selectors.conversation_get_for_customer(
            customer=request_user(request), conversation_id=conversation_id
        )
        return _post_message(request, found)


class ConversationReadApi(APIView):
    """MSG-1: read receipts: mark the other side's messages read."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Mark messages read"),
        description=gettext_lazy("Mark the other side's messages read (read receipts, MSG-1)."),
        tags=["conversations"],
        request=None,
        responses={200: ReadOutputSerializer},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        found = selectors.conversation_get_for_customer(
            customer=request_user(request), conversation_id=conversation_id
        )
        n = conversation_mark_read(conversation=found, reader=request_user(request))
        return Response({"marked_read": n})


class ConversationCloseApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Close a conversation"),
        description=gettext_lazy("The customer closes the conversation (MSG-1)."),
        tags=["conversations"],
        request=None,
        responses={200: ConversationOutputSerializer},
    )
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
        summary=gettext_lazy("Download a message image"),
        description=gettext_lazy("An attached file, for the conversation's parties only (MSG-1, SEC-4)."),
        tags=["conversations"],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
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

    @extend_schema(
        summary=gettext_lazy("List the shop's conversations"),
        description=gettext_lazy(
            "The shop's conversations with customers, the oldest unanswered first (MSG-1)."
        ),
        tags=["conversations"],
        responses={200: ConversationOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.conversation_list_for_merchant(merchant=merchant_for_request(request))
        return paginate(request, self, qs, ConversationOutputSerializer)


class MerchantConversationMessagesApi(APIView):
    pagination_class = PagePagination  # documents the page envelope in the schema
    """MSG-1, MSG-2: read and answer; the answer meets the 24-hour reply clock."""

    permission_classes = [MerchantResponder]
    parser_classes = MESSAGE_PARSERS

    @extend_schema(
        summary=gettext_lazy("List a shop conversation's messages"),
        description=gettext_lazy("The conversation's messages, oldest first (MSG-1)."),
        tags=["conversations"],
        responses={200: MessageOutputSerializer(many=True)},
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        return _messages_page(request, self, _merchant_conversation(request, conversation_id))

    @extend_schema(
        summary=gettext_lazy("Reply in a conversation"),
        description=gettext_lazy("The shop replies with text and images (MSG-1, SEC-4)."),
        tags=["conversations"],
        request=MESSAGE_REQUEST,
        responses={201: MessageOutputSerializer},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        return _post_message(request, _merchant_conversation(request, conversation_id))


class MerchantConversationReadApi(APIView):
    permission_classes = [MerchantResponder]

    @extend_schema(
        summary=gettext_lazy("Mark a shop conversation read"),
        description=gettext_lazy("Mark the customer's messages read (MSG-1)."),
        tags=["conversations"],
        request=None,
        responses={200: ReadOutputSerializer},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        found = _merchant_conversation(request, conversation_id)
        n = conversation_mark_read(conversation=found, reader=request_user(request))
        return Response({"marked_read": n})
