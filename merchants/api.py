"""The merchant API: the public shop profile (MER-9) and the onboarding steps under /merchant/.

Thin views: parse, call a selector or service, serialise. Errors map through the API exception handler.
"""

from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from merchants.models import (
    AgreementAcceptance,
    DocumentKind,
    Merchant,
    MerchantApplication,
    MerchantChange,
    MerchantCreditSnapshot,
    MerchantKpi,
    MerchantMember,
    Penalty,
    PlatformAgreement,
    QualificationDocument,
    Reverification,
    Violation,
    ViolationAppeal,
)
from merchants.permissions import (
    IsMerchantMember,
    IsMerchantOwner,
    merchant_for_request,
    merchant_role_for_request,
)
from merchants.policies import CREDIT_GRADE_NAMES
from merchants.selectors.applications import application_get_for_applicant, application_list_for_applicant
from merchants.selectors.credit import credit_history_for_merchant, credit_latest_for_merchant
from merchants.selectors.documents import document_get_for_viewer, reverification_list_for_merchant
from merchants.selectors.kpis import kpi_latest_for_merchant
from merchants.selectors.members import member_list_for_merchant, merchant_get_public
from merchants.selectors.standing import (
    agreement_current,
    merchant_deposit_balance,
    merchant_required_deposit,
)
from merchants.selectors.violations import (
    appeal_list_for_merchant,
    penalty_list_for_merchant,
    penalty_list_public,
    violation_get_for_merchant,
    violation_list_for_merchant,
)
from merchants.services.agreements import agreement_accept
from merchants.services.appeals import violation_appeal_submit
from merchants.services.applications import (
    application_create,
    application_document_add,
    application_submit,
    application_update,
)
from merchants.services.changes import merchant_change_report
from merchants.services.documents import merchant_document_add
from merchants.services.members import merchant_member_invite, merchant_member_remove
from merchants.services.reverification import reverification_submit
from platform_core.accounts.acting import request_user
from platform_core.api.pagination import PagePagination
from platform_core.errors import NotFound

TAGS = ["merchants"]


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

    @extend_schema(responses={200: PenaltyPublicSerializer(many=True)}, tags=TAGS, auth=[])
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(penalty_list_public(), request, view=self)
        return paginator.get_paginated_response(PenaltyPublicSerializer(page, many=True).data)


# --- MER-9: public profile ------------------------------------------------------------------------


class MerchantPublicProfileApi(APIView):
    """MER-9 (ECL Art. 15, 37): licence information, the self-operated label, grade and penalties."""

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

        class Meta:
            model = Merchant
            fields = [
                "id",
                "name",
                "legal_name",
                "credit_code",
                "registered_address",
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

    @extend_schema(responses={200: OutputSerializer}, tags=TAGS, auth=[])
    def get(self, request: Request, merchant_id: int) -> Response:
        merchant = merchant_get_public(merchant_id=merchant_id)
        return Response(self.OutputSerializer(merchant).data)


# --- MER-1, MER-2: applications -------------------------------------------------------------------


class DocumentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = QualificationDocument
        fields = [
            "id",
            "kind",
            "number",
            "issuer",
            "valid_from",
            "valid_until",
            "content_type",
            "size",
            "uploaded_at",
            "superseded_at",
            "expired_at",
        ]


class ApplicationOutputSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True,
        help_text="draft, submitted, under_review, approved, rejected, needs_more_info (MER-2).",
    )
    category_ids: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        source="categories", many=True, read_only=True
    )
    documents = DocumentOutputSerializer(many=True, read_only=True)

    class Meta:
        model = MerchantApplication
        fields = [
            "id",
            "status",
            "shop_name",
            "legal_name",
            "credit_code",
            "legal_representative",
            "registered_address",
            "contact_phone",
            "contact_email",
            "category_ids",
            "documents",
            "created_at",
            "submitted_at",
            "decided_at",
            "decision_reason",
            "merchant",
        ]


class ApplicationInputSerializer(serializers.Serializer):
    shop_name = serializers.CharField(max_length=100)
    legal_name = serializers.CharField(max_length=200)
    credit_code = serializers.CharField(max_length=18, help_text="GB 32100-2015, 18 characters.")
    legal_representative = serializers.CharField(max_length=100)
    registered_address = serializers.CharField(max_length=300)
    contact_phone = serializers.CharField(max_length=20)
    contact_email = serializers.EmailField()
    category_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class ApplicationListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ApplicationOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        applications = application_list_for_applicant(user=request_user(request)).prefetch_related(
            "categories", "documents"
        )
        return Response(ApplicationOutputSerializer(applications, many=True).data)

    @extend_schema(
        request=ApplicationInputSerializer, responses={201: ApplicationOutputSerializer}, tags=TAGS
    )
    def post(self, request: Request) -> Response:
        data = ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        category_ids = fields.pop("category_ids")
        application = application_create(
            applicant=request_user(request),
            category_ids=category_ids,
            actor=request_user(request),
            **fields,
        )
        return Response(ApplicationOutputSerializer(application).data, status=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ApplicationOutputSerializer}, tags=TAGS)
    def get(self, request: Request, application_id: int) -> Response:
        application = application_get_for_applicant(user=request_user(request), application_id=application_id)
        return Response(ApplicationOutputSerializer(application).data)

    @extend_schema(
        request=ApplicationInputSerializer(partial=True),
        responses={200: ApplicationOutputSerializer},
        tags=TAGS,
    )
    def patch(self, request: Request, application_id: int) -> Response:
        application = application_get_for_applicant(user=request_user(request), application_id=application_id)
        data = ApplicationInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        category_ids = fields.pop("category_ids", None)
        application = application_update(
            application=application,
            actor=request_user(request),
            category_ids=category_ids,
            **fields,
        )
        return Response(ApplicationOutputSerializer(application).data)


class ApplicationSubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ApplicationOutputSerializer}, tags=TAGS)
    def post(self, request: Request, application_id: int) -> Response:
        application = application_get_for_applicant(user=request_user(request), application_id=application_id)
        application = application_submit(application=application, actor=request_user(request))
        return Response(ApplicationOutputSerializer(application).data)


class DocumentInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    number = serializers.CharField(max_length=100)
    issuer = serializers.CharField(max_length=200)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, help_text="Empty: long-term.")
    file = serializers.FileField(help_text="PDF, JPEG or PNG (checked by content), at most 10 MB.")


class ApplicationDocumentCreateApi(APIView):
    """SEC-4: uploads are checked by content and size in the service."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": DocumentInputSerializer},
        responses={201: DocumentOutputSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, application_id: int) -> Response:
        application = application_get_for_applicant(user=request_user(request), application_id=application_id)
        data = DocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = application_document_add(
            application=application,
            actor=request_user(request),
            valid_until=data.validated_data.get("valid_until"),
            **{k: v for k, v in data.validated_data.items() if k != "valid_until"},
        )
        return Response(DocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentFileApi(APIView):
    """SEC-4: the file itself, only for the merchant's members, the applicant and reviewers (404 otherwise)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)}, tags=TAGS
    )
    def get(self, request: Request, document_id: int) -> FileResponse:
        document = document_get_for_viewer(user=request_user(request), document_id=document_id)
        response = FileResponse(document.file.open("rb"), content_type=document.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = f'attachment; filename="document-{document.pk}"'
        return response


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

    @extend_schema(responses={200: OutputSerializer}, tags=TAGS)
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
        request={"multipart/form-data": DocumentInputSerializer},
        responses={201: DocumentOutputSerializer},
        tags=TAGS,
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


# --- MER-4: agreements ----------------------------------------------------------------------------


class AgreementOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlatformAgreement
        fields = ["id", "version", "title", "body", "published_at", "effective_at"]


class AgreementCurrentApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AgreementOutputSerializer}, tags=TAGS)
    def get(self, request: Request) -> Response:
        agreement = agreement_current()
        if agreement is None:
            raise NotFound(_("No agreement is in force."))
        return Response(AgreementOutputSerializer(agreement).data)


class AgreementAcceptApi(APIView):
    permission_classes = [IsMerchantOwner]

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = AgreementAcceptance
            fields = ["id", "agreement", "merchant", "accepted_at", "ip"]

    @extend_schema(request=None, responses={201: OutputSerializer}, tags=TAGS)
    def post(self, request: Request, agreement_id: int) -> Response:
        agreement = PlatformAgreement.objects.filter(pk=agreement_id).first()
        if agreement is None:
            raise NotFound(_("No such agreement."))
        acceptance = agreement_accept(
            merchant=merchant_for_request(request),
            agreement=agreement,
            actor=request_user(request),
            ip=request.META.get("REMOTE_ADDR"),
        )
        return Response(self.OutputSerializer(acceptance).data, status=status.HTTP_201_CREATED)


# --- members --------------------------------------------------------------------------------------


class MemberOutputSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.name", read_only=True)

    class Meta:
        model = MerchantMember
        fields = ["id", "user", "user_name", "role", "is_active", "created_at"]


class MemberListInviteApi(APIView):
    permission_classes = [IsMerchantMember]

    class InputSerializer(serializers.Serializer):
        login = serializers.CharField(help_text="The invitee's mobile number or email address.")
        role = serializers.ChoiceField(
            choices=[r for r in MerchantMember.Role.choices if r[0] != MerchantMember.Role.OWNER]
        )

    @extend_schema(responses={200: MemberOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        members = member_list_for_merchant(merchant=merchant_for_request(request))
        return Response(MemberOutputSerializer(members, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: MemberOutputSerializer}, tags=TAGS)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = merchant_member_invite(
            merchant=merchant_for_request(request),
            actor=request_user(request),
            **data.validated_data,
        )
        return Response(MemberOutputSerializer(member).data, status=status.HTTP_201_CREATED)


class MemberRemoveApi(APIView):
    permission_classes = [IsMerchantOwner]

    @extend_schema(request=None, responses={204: None}, tags=TAGS)
    def delete(self, request: Request, member_id: int) -> Response:
        member = member_list_for_merchant(merchant=merchant_for_request(request)).filter(pk=member_id).first()
        if member is None:
            raise NotFound(_("No such member."))
        merchant_member_remove(member=member, actor=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- MER-6, MER-6a: re-verification and changes ----------------------------------------------------


class ReverificationListApi(APIView):
    permission_classes = [IsMerchantMember]

    class OutputSerializer(serializers.ModelSerializer):
        status = serializers.CharField(read_only=True, help_text="open, submitted, passed (MER-6).")

        class Meta:
            model = Reverification
            fields = ["id", "status", "opened_at", "submitted_at", "passed_at", "note"]

    @extend_schema(responses={200: OutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        reverifications = reverification_list_for_merchant(merchant=merchant_for_request(request))
        return Response(self.OutputSerializer(reverifications, many=True).data)


class ReverificationSubmitApi(APIView):
    """MER-6: the owner has uploaded current documents (POST /merchant/documents/) and asks for review."""

    permission_classes = [IsMerchantOwner]

    @extend_schema(request=None, responses={200: ReverificationListApi.OutputSerializer}, tags=TAGS)
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

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, tags=TAGS)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = merchant_change_report(
            merchant=merchant_for_request(request),
            changes=dict(data.validated_data),
            actor=request_user(request),
        )
        return Response(self.OutputSerializer(change).data, status=status.HTTP_201_CREATED)


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

    class Meta:
        model = MerchantKpi
        fields = ["kpi", "date", "value", "sample", "level"]


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

    @extend_schema(responses={200: OutputSerializer}, tags=TAGS)
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

    @extend_schema(request=InputSerializer, responses={201: AppealOutputSerializer}, tags=TAGS)
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
