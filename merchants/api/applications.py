"""The merchant API's applications (MER-1, MER-2) and their documents (SEC-4)."""

from django.http import FileResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Category
from merchants.models import (
    DocumentKind,
    MerchantApplication,
    QualificationDocument,
)
from merchants.selectors.applications import application_get_for_applicant, application_list_for_applicant
from merchants.selectors.documents import document_get_for_viewer
from merchants.services.applications import (
    application_create,
    application_document_add,
    application_submit,
    application_update,
)
from platform_core.accounts.acting import request_user
from platform_core.api.fields import SlugOrIdRelatedField

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
        source="categories", many=True, read_only=True, help_text="Deprecated: the categories' numeric ids."
    )
    # issue 24: the categories by the identifier every other operation takes and returns (their slugs)
    categories = SlugOrIdRelatedField(slug_field="slug", many=True, read_only=True)
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
            "categories",
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
    category_ids = serializers.ListField(
        child=SlugOrIdRelatedField(slug_field="slug", queryset=Category.objects.all()),
        allow_empty=False,
        help_text="The categories applied for: their slugs (as GET /categories/ lists them) or numeric ids.",
    )


class ApplicationListCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("List my shop applications"),
        description=gettext_lazy("The caller's applications to open a shop (MER-1)."),
        tags=["merchants"],
        responses={200: ApplicationOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        applications = application_list_for_applicant(user=request_user(request)).prefetch_related(
            "categories", "documents"
        )
        return Response(ApplicationOutputSerializer(applications, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Start a shop application"),
        description=gettext_lazy("Start an application to open a shop, with its categories (MER-1)."),
        tags=["merchants"],
        request=ApplicationInputSerializer,
        responses={201: ApplicationOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        category_ids = [category.pk for category in fields.pop("category_ids")]
        application = application_create(
            applicant=request_user(request),
            category_ids=category_ids,
            actor=request_user(request),
            **fields,
        )
        return Response(ApplicationOutputSerializer(application).data, status=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Get a shop application"),
        description=gettext_lazy("One application with its documents and review state (MER-1, MER-2)."),
        tags=["merchants"],
        responses={200: ApplicationOutputSerializer},
    )
    def get(self, request: Request, application_id: int) -> Response:
        application = application_get_for_applicant(user=request_user(request), application_id=application_id)
        return Response(ApplicationOutputSerializer(application).data)

    @extend_schema(
        summary=gettext_lazy("Change a shop application"),
        description=gettext_lazy("Change a draft or returned application (MER-1)."),
        tags=["merchants"],
        request=ApplicationInputSerializer(partial=True),
        responses={200: ApplicationOutputSerializer},
    )
    def patch(self, request: Request, application_id: int) -> Response:
        application = application_get_for_applicant(user=request_user(request), application_id=application_id)
        data = ApplicationInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        chosen = fields.pop("category_ids", None)
        category_ids = None if chosen is None else [category.pk for category in chosen]
        application = application_update(
            application=application,
            actor=request_user(request),
            category_ids=category_ids,
            **fields,
        )
        return Response(ApplicationOutputSerializer(application).data)


class ApplicationSubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary=gettext_lazy("Submit a shop application"),
        description=gettext_lazy("Submit the application for review (MER-2)."),
        tags=["merchants"],
        request=None,
        responses={200: ApplicationOutputSerializer},
    )
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
        summary=gettext_lazy("Upload an application document"),
        description=gettext_lazy(
            "Upload a qualification document; checked by content and size (MER-1, SEC-4)."
        ),
        tags=["merchants"],
        request={"multipart/form-data": DocumentInputSerializer},
        responses={201: DocumentOutputSerializer},
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
        summary=gettext_lazy("Download a shop document"),
        description=gettext_lazy(
            "The file itself, only for the merchant's members, the applicant and reviewers (SEC-4)."
        ),
        tags=["merchants"],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, document_id: int) -> FileResponse:
        document = document_get_for_viewer(user=request_user(request), document_id=document_id)
        response = FileResponse(document.file.open("rb"), content_type=document.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = f'attachment; filename="document-{document.pk}"'
        return response
