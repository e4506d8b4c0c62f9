"""The merchant API's own standing (REP-3, VIO-2..VIO-6): credit, KPIs, violations, appeals."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from merchants.api.public import CreditHistorySerializer, CreditSerializer, PenaltyPublicSerializer
from merchants.models import (
    MerchantKpi,
    MerchantMember,
    Violation,
    ViolationAppeal,
)
from merchants.permissions import (
    IsMerchantMember,
    merchant_for_request,
)
from merchants.policies import kpi_format, kpi_label
from merchants.selectors.credit import credit_history_for_merchant, credit_latest_for_merchant
from merchants.selectors.kpis import kpi_latest_for_merchant
from merchants.selectors.violations import (
    appeal_list_for_merchant,
    penalty_list_for_merchant,
    violation_get_for_merchant,
    violation_list_for_merchant,
)
from merchants.services.appeals import violation_appeal_submit
from platform_core.accounts.acting import request_user

# --- REP-3, VIO-2..VIO-6: the merchant's own standing ----------------------------------------------


class AppealOutputSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="submitted, upheld, overturned (VIO-4).")

    class Meta:
        model = ViolationAppeal
        fields = [
            "id",
            "violation",
            "status",
            "statement",
            "evidence",
            "submitted_at",
            "decided_at",
            "reason",
        ]


class ViolationOutputSerializer(serializers.ModelSerializer):
    appeal_status = serializers.SerializerMethodField()

    class Meta:
        model = Violation
        fields = [
            "id",
            "kind",
            "points",
            "track",
            "source",
            "evidence",
            "created_at",
            "voided_at",
            "voided_reason",
            "appeal_status",
        ]

    def get_appeal_status(self, violation: Violation) -> str | None:
        appeal = getattr(violation, "appeal", None)
        return appeal.status if appeal is not None else None


class KpiOutputSerializer(serializers.ModelSerializer):
    level = serializers.CharField(read_only=True, help_text="ok, warning, limit (VIO-6).")
    name = serializers.SerializerMethodField(help_text="The KPI's name in the reader's language.")
    value_display = serializers.SerializerMethodField(help_text="The value as read: per cent or hours.")

    class Meta:
        model = MerchantKpi
        fields = ["kpi", "name", "date", "value", "value_display", "sample", "level"]

    def get_name(self, kpi: MerchantKpi) -> str:
        return kpi_label(kpi.kpi)

    def get_value_display(self, kpi: MerchantKpi) -> str:
        return kpi_format(kpi.kpi, kpi.value)


class PenaltyOutputSerializer(PenaltyPublicSerializer):
    class Meta(PenaltyPublicSerializer.Meta):
        fields = [*PenaltyPublicSerializer.Meta.fields, "track", "threshold"]


class MerchantStandingApi(APIView):
    """REP-3, VIO-2..VIO-6: credit with components and history, latest KPIs, the past year's
    violations, penalties in force and appeals — what the merchant's standing rests on."""

    permission_classes = [IsMerchantMember]

    class OutputSerializer(serializers.Serializer):
        credit = CreditSerializer(allow_null=True)
        credit_history = CreditHistorySerializer(many=True)
        kpis = KpiOutputSerializer(many=True)
        violations = ViolationOutputSerializer(many=True)
        penalties_in_force = PenaltyOutputSerializer(many=True)
        appeals = AppealOutputSerializer(many=True)

    @extend_schema(
        summary=gettext_lazy("Get my shop's standing"),
        description=gettext_lazy(
            "Credit with components and history, the latest KPIs, the past year's violations (REP-3, VIO-2 … VIO-6)."
        ),
        tags=["merchants"],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        merchant = merchant_for_request(request)
        data = {
            "credit": credit_latest_for_merchant(merchant=merchant),
            "credit_history": credit_history_for_merchant(merchant=merchant),
            "kpis": kpi_latest_for_merchant(merchant=merchant),
            "violations": violation_list_for_merchant(merchant=merchant),
            "penalties_in_force": penalty_list_for_merchant(merchant=merchant).select_related("merchant"),
            "appeals": appeal_list_for_merchant(merchant=merchant),
        }
        return Response(self.OutputSerializer(data).data)


class ViolationAppealCreateApi(APIView):
    """VIO-4: the owner or operations appeals a violation within 7 days of it."""

    permission_classes = [
        IsMerchantMember.with_roles(MerchantMember.Role.OWNER, MerchantMember.Role.OPERATIONS)
    ]

    class InputSerializer(serializers.Serializer):
        statement = serializers.CharField(max_length=5000)
        evidence = serializers.JSONField(required=False, help_text="References to supporting material.")

    @extend_schema(
        summary=gettext_lazy("Appeal a violation"),
        description=gettext_lazy("The owner or operations appeals a violation within 7 days of it (VIO-4)."),
        tags=["merchants"],
        request=InputSerializer,
        responses={201: AppealOutputSerializer},
    )
    def post(self, request: Request, violation_id: int) -> Response:
        violation = violation_get_for_merchant(
            merchant=merchant_for_request(request), violation_id=violation_id
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = violation_appeal_submit(
            violation=violation,
            statement=data.validated_data["statement"],
            evidence=data.validated_data.get("evidence") or {},
            actor=request_user(request),
        )
        return Response(AppealOutputSerializer(appeal).data, status=status.HTTP_201_CREATED)
