"""The merchant API's re-verification and reported changes (MER-6, MER-6a)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from merchants.models import (
    MerchantChange,
    Reverification,
)
from merchants.permissions import (
    IsMerchantMember,
    IsMerchantOwner,
    merchant_for_request,
)
from merchants.selectors.documents import reverification_list_for_merchant
from merchants.services.changes import merchant_change_report
from merchants.services.reverification import reverification_submit
from platform_core.accounts.acting import request_user
from platform_core.errors import NotFound

# --- MER-6, MER-6a: re-verification and changes ----------------------------------------------------


class ReverificationListApi(APIView):
    permission_classes = [IsMerchantMember]

    class OutputSerializer(serializers.ModelSerializer):
        status = serializers.CharField(read_only=True, help_text="open, submitted, passed (MER-6).")

        class Meta:
            model = Reverification
            fields = ["id", "status", "opened_at", "submitted_at", "passed_at", "note"]

    @extend_schema(
        summary=gettext_lazy("List re-verifications"),
        description=gettext_lazy("The shop's periodic re-verifications and their deadlines (MER-6)."),
        tags=["merchants"],
        responses={200: OutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        reverifications = reverification_list_for_merchant(merchant=merchant_for_request(request))
        return Response(self.OutputSerializer(reverifications, many=True).data)


class ReverificationSubmitApi(APIView):
    """MER-6: the owner has uploaded current documents (POST /merchant/documents/) and asks for review."""

    permission_classes = [IsMerchantOwner]

    @extend_schema(
        summary=gettext_lazy("Submit a re-verification"),
        description=gettext_lazy("The owner has uploaded current documents and asks for review (MER-6)."),
        tags=["merchants"],
        request=None,
        responses={200: ReverificationListApi.OutputSerializer},
    )
    def post(self, request: Request, reverification_id: int) -> Response:
        reverification = (
            reverification_list_for_merchant(merchant=merchant_for_request(request))
            .filter(pk=reverification_id)
            .first()
        )
        if reverification is None:
            raise NotFound(_("No such re-verification."))
        reverification = reverification_submit(reverification=reverification, actor=request_user(request))
        return Response(ReverificationListApi.OutputSerializer(reverification).data)


class ChangeReportApi(APIView):
    """MER-6a: report a change of registered information; staff verify within 7 working days."""

    permission_classes = [IsMerchantOwner]

    class InputSerializer(serializers.Serializer):
        legal_name = serializers.CharField(max_length=200, required=False)
        legal_representative = serializers.CharField(max_length=100, required=False)
        registered_address = serializers.CharField(max_length=300, required=False)
        contact_phone = serializers.CharField(max_length=20, required=False)
        contact_email = serializers.EmailField(required=False)

    class OutputSerializer(serializers.ModelSerializer):
        status = serializers.CharField(read_only=True, help_text="pending, verified, rejected (MER-6a).")

        class Meta:
            model = MerchantChange
            fields = ["id", "status", "changes", "reported_at", "verified_at", "note"]

    @extend_schema(
        summary=gettext_lazy("Report a change of information"),
        description=gettext_lazy(
            "Report a change of registered information; staff verify it within 7 working days (MER-6a)."
        ),
        tags=["merchants"],
        request=InputSerializer,
        responses={201: OutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = merchant_change_report(
            merchant=merchant_for_request(request),
            changes=dict(data.validated_data),
            actor=request_user(request),
        )
        return Response(self.OutputSerializer(change).data, status=status.HTTP_201_CREATED)
