"""MSG-1, MSG-2 (decision 044): a shop's quick replies (快捷短语) in the merchant API — list, add, edit,
remove — for the roles that answer customers, as on the seller centre's quick replies page (owner,
operations, customer service: ``merchants.permissions.AFTERSALES_RESPONDERS``). Another shop's reply, or
a removed one, is a 404 (SEC-1). Thin views over ``aftersales.services.quick_replies``."""

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api._common import MerchantResponder
from aftersales.models import QuickReply
from aftersales.selectors import quick_reply_get_for_merchant
from aftersales.services.quick_replies import (
    quick_reply_create,
    quick_reply_delete,
    quick_reply_update,
    shop_quick_replies,
)
from merchants.permissions import merchant_for_request
from platform_core.accounts.acting import request_user

TAGS = ["conversations"]  # quick replies are what a shop answers conversations with


class QuickReplyOutputSerializer(serializers.ModelSerializer):
    title = serializers.CharField(
        source="shown_title", read_only=True, help_text="A built-in phrase not edited is in your language."
    )
    text = serializers.CharField(source="shown_text", read_only=True)
    built_in = serializers.SerializerMethodField(help_text="One of the platform's phrases, not edited.")

    class Meta:
        model = QuickReply
        fields = ["id", "title", "text", "position", "built_in", "updated_at"]

    def get_built_in(self, obj: QuickReply) -> bool:
        return bool(obj.default_key)


class QuickReplyInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=40)
    text = serializers.CharField(max_length=1000)


def _valid(request: Request) -> dict[str, Any]:
    data = QuickReplyInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _reply(request: Request, reply_id: int) -> QuickReply:
    return quick_reply_get_for_merchant(merchant=merchant_for_request(request), reply_id=reply_id)


class MerchantQuickReplyListApi(APIView):
    """MSG-1: the shop's quick replies in its order (a shop that never had any starts with the built-in
    ones); add one, last in the list."""

    permission_classes = [MerchantResponder]

    @extend_schema(
        summary=gettext_lazy("List the shop's quick replies"),
        description=gettext_lazy(
            "The shop's quick replies in its order; the built-in phrases the first time (MSG-1)."
        ),
        tags=TAGS,
        responses={200: QuickReplyOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        replies = shop_quick_replies(merchant_for_request(request))
        return Response(QuickReplyOutputSerializer(replies, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Add a quick reply"),
        description=gettext_lazy("A new quick reply, last in the shop's list (at most 50) (MSG-1)."),
        tags=TAGS,
        request=QuickReplyInputSerializer,
        responses={201: QuickReplyOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        reply = quick_reply_create(
            merchant=merchant_for_request(request), actor=request_user(request), **_valid(request)
        )
        return Response(QuickReplyOutputSerializer(reply).data, status=status.HTTP_201_CREATED)


class MerchantQuickReplyDetailApi(APIView):
    """MSG-1: one of the shop's quick replies: read, edit (a built-in phrase edited becomes the shop's
    own), remove."""

    permission_classes = [MerchantResponder]

    @extend_schema(
        summary=gettext_lazy("Get a quick reply"),
        description=gettext_lazy("One of the shop's quick replies (MSG-1)."),
        tags=TAGS,
        responses={200: QuickReplyOutputSerializer},
    )
    def get(self, request: Request, reply_id: int) -> Response:
        return Response(QuickReplyOutputSerializer(_reply(request, reply_id)).data)

    @extend_schema(
        summary=gettext_lazy("Edit a quick reply"),
        description=gettext_lazy("The quick reply's title and text (MSG-1)."),
        tags=TAGS,
        request=QuickReplyInputSerializer,
        responses={200: QuickReplyOutputSerializer},
    )
    def put(self, request: Request, reply_id: int) -> Response:
        found = _reply(request, reply_id)
        reply = quick_reply_update(reply=found, actor=request_user(request), **_valid(request))
        return Response(QuickReplyOutputSerializer(reply).data)

    @extend_schema(
        summary=gettext_lazy("Remove a quick reply"),
        description=gettext_lazy("Remove the quick reply from the shop's list (MSG-1)."),
        tags=TAGS,
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request, reply_id: int) -> Response:
        quick_reply_delete(reply=_reply(request, reply_id), actor=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
