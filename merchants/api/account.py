"""The merchant API's own-account endpoints: the shop as its members see it, and its documents."""

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
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
from merchants.selectors.standing import merchant_money_policy
from merchants.services.documents import merchant_document_add
from platform_core.accounts.acting import request_user

# --- the merchant's own account -------------------------------------------------------------------


class GradePolicySerializer(serializers.Serializer):
    """REP-3: what the shop's credit grade means for its deposit and payouts."""

    grade = serializers.IntegerField(help_text="1-5; the default grade until first computed.")
    grade_name = serializers.CharField()
    graded = serializers.BooleanField(help_text="False: not computed yet, the default grade counts.")
    base_deposit = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="The categories' deposit."
    )
    deposit_multiplier = serializers.DecimalField(max_digits=5, decimal_places=2)
    deposit_surcharge = serializers.DecimalField(max_digits=12, decimal_places=2)
    required_deposit = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="base × multiplier + surcharge."
    )
    payout_delay_days = serializers.IntegerField(
        help_text="Money is paid out this many days after it arrives."
    )


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
        grade_policy = serializers.SerializerMethodField(
            help_text=(
                "REP-3: why the shop must hold `deposit_required` and waits for payouts: its credit grade, the "
                "categories' deposit, the grade's multiplier and surcharge, the payout delay in days."
            )
        )

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
                "grade_policy",
            ]

        def get_role(self, merchant: Merchant) -> str:
            return str(self.context["role"])

        def _money(self, merchant: Merchant) -> dict[str, Any]:
            if "money" not in self.context:
                self.context["money"] = merchant_money_policy(merchant=merchant)
            money: dict[str, Any] = self.context["money"]
            return money

        def get_deposit_balance(self, merchant: Merchant) -> str:
            return str(self._money(merchant)["deposit_balance"])

        def get_deposit_required(self, merchant: Merchant) -> str:
            return str(self._money(merchant)["required_deposit"])

        @extend_schema_field(GradePolicySerializer)
        def get_grade_policy(self, merchant: Merchant) -> dict[str, Any]:
            return dict(GradePolicySerializer(self._money(merchant)).data)

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
