"""The merchant API's public reads: the shop profile (MER-9), credit and penalties (REP-3, VIO-5)."""

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from merchants.models import (
    Merchant,
    MerchantCreditSnapshot,
    Penalty,
    QualificationDocument,
)
from merchants.policies import CREDIT_GRADE_NAMES
from merchants.selectors.credit import credit_history_for_merchant, credit_latest_for_merchant
from merchants.selectors.documents import licence_list_public_for_merchant
from merchants.selectors.members import merchant_get_public
from merchants.selectors.violations import penalty_list_public
from platform_core.accounts.masking import mask_name
from platform_core.api.pagination import PagePagination

# --- REP-3, VIO-5: credit and penalties, as the public sees them -------------------------------------


class CreditSerializer(serializers.ModelSerializer):
    grade_name = serializers.SerializerMethodField()
    components = serializers.JSONField(
        read_only=True, help_text="component -> {value 0-100, weight, basis}; docs/credit-formula.md."
    )

    class Meta:
        model = MerchantCreditSnapshot
        fields = ["score", "grade", "grade_name", "components", "computed_at"]

    def get_grade_name(self, snapshot: MerchantCreditSnapshot) -> str:
        return CREDIT_GRADE_NAMES.get(snapshot.grade, str(snapshot.grade))


class CreditHistorySerializer(serializers.ModelSerializer):
    class Meta:
        model = MerchantCreditSnapshot
        fields = ["computed_at", "score", "grade"]


class PenaltyPublicSerializer(serializers.ModelSerializer):
    """VIO-5: shop name, violation, measure and period."""

    merchant_id = serializers.IntegerField(read_only=True)
    shop_name = serializers.CharField(source="merchant.name", read_only=True)
    violation_kind = serializers.CharField(source="trigger.kind", read_only=True)
    measure = serializers.CharField(read_only=True, help_text="listing_restriction, trading_restriction, …")
    measure_label = serializers.CharField(source="get_measure_display", read_only=True)

    class Meta:
        model = Penalty
        fields = [
            "id",
            "merchant_id",
            "shop_name",
            "violation_kind",
            "measure",
            "measure_label",
            "reason",
            "starts_at",
            "ends_at",
            "published_at",
        ]


class PenaltyPublicListApi(APIView):
    """VIO-5 (ECL Art. 36): penalties in force, published within 1 working day of taking effect."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @extend_schema(
        summary=gettext_lazy("List published penalties"),
        description=gettext_lazy(
            "Penalties in force, published within 1 working day of taking effect (VIO-5)."
        ),
        tags=["merchants"],
        responses={200: PenaltyPublicSerializer(many=True)},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(penalty_list_public(), request, view=self)
        return paginator.get_paginated_response(PenaltyPublicSerializer(page, many=True).data)


# --- MER-9: public profile ------------------------------------------------------------------------


class LicencePublicSerializer(serializers.ModelSerializer):
    """MER-9 (ECL Art. 15): a licence as the public sees it: no file, no uploader."""

    kind = serializers.CharField(read_only=True, help_text="business_licence, food_licence, …")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    valid_until = serializers.DateField(read_only=True, allow_null=True, help_text="null: long-term.")

    class Meta:
        model = QualificationDocument
        fields = ["kind", "kind_label", "number", "issuer", "valid_from", "valid_until"]


class MerchantPublicProfileApi(APIView):
    """MER-9 (ECL Art. 15, 37): licence information (the business licence and industry licences with
    their numbers and validity, the legal representative masked to the surname: a person's name), the
    credit code, the self-operated label, the credit grade (REP-3) and the penalties in force (VIO-5)."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.ModelSerializer):
        status = serializers.CharField(read_only=True, help_text="active or restricted (MER-8).")
        self_operated_label = serializers.SerializerMethodField()
        credit_grade = serializers.IntegerField(
            read_only=True, allow_null=True, help_text="REP-3: 1-5; null until first computed."
        )
        credit = serializers.SerializerMethodField(help_text="REP-3: score, grade and components.")
        credit_history = serializers.SerializerMethodField(
            help_text="REP-3: one snapshot a month, 12 months."
        )
        penalties_in_force = serializers.SerializerMethodField(help_text="VIO-5: published, in force.")
        legal_representative = serializers.SerializerMethodField(
            help_text="ECL Art. 15: the legal representative, masked (surname and *)."
        )
        licences = serializers.SerializerMethodField(
            help_text="ECL Art. 15: the business licence and industry licences (行政许可) valid today."
        )

        class Meta:
            model = Merchant
            fields = [
                "id",
                "name",
                "legal_name",
                "credit_code",
                "legal_representative",
                "registered_address",
                "licences",
                "is_self_operated",
                "self_operated_label",
                "status",
                "credit_grade",
                "credit",
                "credit_history",
                "penalties_in_force",
            ]

        def get_self_operated_label(self, merchant: Merchant) -> str | None:
            return "自营" if merchant.is_self_operated else None

        def get_legal_representative(self, merchant: Merchant) -> str:
            return mask_name(merchant.legal_representative)

        @extend_schema_field(LicencePublicSerializer(many=True))
        def get_licences(self, merchant: Merchant) -> list[dict[str, Any]]:
            documents = licence_list_public_for_merchant(merchant=merchant)
            return list(LicencePublicSerializer(documents, many=True).data)

        @extend_schema_field(CreditSerializer(allow_null=True))
        def get_credit(self, merchant: Merchant) -> dict[str, Any] | None:
            snapshot = credit_latest_for_merchant(merchant=merchant)
            return CreditSerializer(snapshot).data if snapshot else None

        @extend_schema_field(CreditHistorySerializer(many=True))
        def get_credit_history(self, merchant: Merchant) -> list[dict[str, Any]]:
            history = credit_history_for_merchant(merchant=merchant)
            return list(CreditHistorySerializer(history, many=True).data)

        @extend_schema_field(PenaltyPublicSerializer(many=True))
        def get_penalties_in_force(self, merchant: Merchant) -> list[dict[str, Any]]:
            penalties = penalty_list_public().filter(merchant=merchant)
            return list(PenaltyPublicSerializer(penalties, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Get a shop's public page"),
        description=gettext_lazy(
            "Licence information, the self-operated label, grade and penalties in force (MER-9)."
        ),
        tags=["merchants"],
        responses={200: OutputSerializer},
        auth=[],
    )
    def get(self, request: Request, merchant_id: int) -> Response:
        merchant = merchant_get_public(merchant_id=merchant_id)
        return Response(self.OutputSerializer(merchant).data)
