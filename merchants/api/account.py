"""The merchant API's own-account endpoints: the shop as its members see it, and its documents."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from merchants.api.applications import DocumentInputSerializer, DocumentOutputSerializer
from merchants.models import Merchant
from merchants.permissions import (
    IsMerchantMember,
    IsMerchantOwner,
    merchant_for_request,
    merchant_role_for_request,
)
from merchants.selectors.standing import merchant_deposit_balance, merchant_required_deposit
from merchants.services.documents import merchant_document_add
from platform_core.accounts.acting import request_user

# --- the merchant's own account -------------------------------------------------------------------


class MerchantMeApi(APIView):
    """The caller's shop: standing, causes in force, deposit held and required (MER-5, MER-8)."""

    permission_classes = [IsMerchantMember]

    class OutputSerializer(serializers.ModelSerializer):
        status = serializers.CharField(
            read_only=True, help_text="onboarding, active, restricted, suspended, closed, banned (MER-8)."
        )
        role = serializers.SerializerMethodField()
        deposit_balance = serializers.SerializerMethodField()
        deposit_required = serializers.SerializerMethodField()

        class Meta:
            model = Merchant
            fields = [
                "id",
                "name",
                "legal_name",
                "credit_code",
                "status",
                "status_reason",
                "restriction_causes",
                "suspension_causes",
                "role",
                "deposit_balance",
                "deposit_required",
            ]

        def get_role(self, merchant: Merchant) -> str:
            return str(self.context["role"])

        def get_deposit_balance(self, merchant: Merchant) -> str:
            return str(merchant_deposit_balance(merchant=merchant))

        def get_deposit_required(self, merchant: Merchant) -> str:
            return str(merchant_required_deposit(merchant=merchant))

    @extend_schema(
        summary=gettext_lazy("Get my shop"),
        description=gettext_lazy(
            "The caller's shop: standing, causes in force, deposit held and required (MER-5, MER-8)."
        ),
        tags=["merchants"],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(
            self.OutputSerializer(
                merchant_for_request(request), context={"role": merchant_role_for_request(request)}
            ).data
        )


class MerchantDocumentCreateApi(APIView):
    """MER-6, MER-7: the owner uploads a renewed or re-verified document; it replaces the same kind."""

    permission_classes = [IsMerchantOwner]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary=gettext_lazy("Upload a shop document"),
        description=gettext_lazy(
            "The owner uploads a renewed or re-verified document; it replaces the same kind (MER-6, MER-7)."
        ),
        tags=["merchants"],
        request={"multipart/form-data": DocumentInputSerializer},
        responses={201: DocumentOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = DocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = merchant_document_add(
            merchant=merchant_for_request(request),
            actor=request_user(request),
            valid_until=data.validated_data.get("valid_until"),
            **{k: v for k, v in data.validated_data.items() if k != "valid_until"},
        )
        return Response(DocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED)
