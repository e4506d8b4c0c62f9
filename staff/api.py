"""Permission applications API for staff tools and users (STF-2, USR-2, USR-3; SEC-1 scoping).

Applicants see their own applications (``?scope=mine``, the default); reviewers see the open queue,
oldest first (``?scope=queue``). Deciding goes through the same services as the admin.
"""

from datetime import timedelta

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.accounts.api import PrivacySettingsOutputSerializer
from platform_core.accounts.masking import mask_name
from platform_core.accounts.models import User
from platform_core.accounts.selectors import (
    BasicPermissionState,
    basic_permissions_for,
    privacy_settings_for,
)
from platform_core.api.pagination import PagePagination
from platform_core.api.parsers import BoundedJSONParser
from staff.models import Announcement, IdentityVerification, PermissionApplication, TrainingAttendance
from staff.selectors import (
    advanced_permissions_for,
    announcement_list_published,
    learning_record_for,
    permission_application_get_for_user,
    permission_application_list_for_applicant,
    permission_application_queue_for_reviewer,
    permission_application_time_left,
    permission_grant_get_for_holder,
)
from staff.services._common import permission_resolve
from staff.services.applications import (
    permission_application_approve,
    permission_application_reject,
    permission_application_submit,
    permission_application_withdraw,
)
from staff.services.grants import permission_give_up


class IdentityOutputSerializer(serializers.ModelSerializer):
    """USR-2, SEC-2: the real identity of an application, masked for everyone (first 3 + last 4)."""

    real_name = serializers.SerializerMethodField()
    id_number = serializers.CharField(source="id_number_masked")

    class Meta:
        model = IdentityVerification
        fields = ["real_name", "id_number", "verified_at"]

    def get_real_name(self, identity: IdentityVerification) -> str:
        return mask_name(identity.real_name)


class PermissionApplicationOutputSerializer(serializers.ModelSerializer):
    permission = serializers.CharField(source="permission_key", help_text="app_label.codename")
    applicant = serializers.IntegerField(source="applicant_id")
    reviewer = serializers.IntegerField(source="reviewer_id", allow_null=True)
    target_grant = serializers.IntegerField(source="target_grant_id", allow_null=True)
    has_attachment = serializers.SerializerMethodField()
    identity = serializers.SerializerMethodField()
    review_seconds_left = serializers.SerializerMethodField(
        help_text="Seconds left of the 5-working-day review (negative when overdue; null once decided)."
    )

    class Meta:
        model = PermissionApplication
        fields = [
            "id",
            "kind",
            "target_grant",
            "applicant",
            "permission",
            "justification",
            "material",
            "has_attachment",
            "identity",
            "requested_expires_at",
            "status",
            "submitted_at",
            "reviewer",
            "decided_at",
            "decision_reason",
            "escalated_at",
            "review_seconds_left",
        ]

    def get_has_attachment(self, application: PermissionApplication) -> bool:
        return bool(application.attachment)

    @extend_schema_field(IdentityOutputSerializer(allow_null=True))
    def get_identity(self, application: PermissionApplication) -> dict[str, object] | None:
        identity = getattr(application, "identity", None)  # reverse one-to-one: absent for staff
        return IdentityOutputSerializer(identity).data if identity is not None else None

    def get_review_seconds_left(self, application: PermissionApplication) -> int | None:
        left: timedelta | None = permission_application_time_left(application)
        return int(left.total_seconds()) if left is not None else None


class PermissionApplicationListCreateApi(APIView):
    pagination_class = PagePagination
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    class FilterSerializer(serializers.Serializer):
        scope = serializers.ChoiceField(
            choices=["mine", "queue"],
            default="mine",
            help_text="mine: your own applications; queue: open applications you may review, oldest first.",
        )

    class InputSerializer(serializers.Serializer):
        permission = serializers.CharField(
            max_length=200, help_text="app_label.codename, e.g. staff.user_jury"
        )
        justification = serializers.CharField(max_length=4000)
        material = serializers.JSONField(required=False, help_text="Supporting material (a JSON object).")
        attachment = serializers.FileField(required=False, help_text="PDF, PNG or JPEG (multipart).")
        requested_expires_at = serializers.DateTimeField(required=False, allow_null=True)
        change_of_grant = serializers.IntegerField(
            required=False,
            help_text="Id of your own active grant of this permission to change (USR-3, STF-3).",
        )
        real_name = serializers.CharField(
            max_length=100, required=False, default="", help_text="USR-2: your name as on your ID card."
        )
        id_number = serializers.CharField(
            max_length=32,
            required=False,
            default="",
            help_text="USR-2: your 18-digit resident ID number (checked by its check digit; stored encrypted).",
        )
        identity_material = serializers.JSONField(
            required=False, help_text="USR-2: identity material (a JSON object), e.g. references to ID scans."
        )

        def validate_material(self, value: object) -> object:
            if not isinstance(value, dict):
                raise serializers.ValidationError("Give a JSON object.")
            return value

        validate_identity_material = validate_material

    @extend_schema(
        summary=gettext_lazy("List permission applications"),
        description=gettext_lazy(
            "Applications for a permission: the caller's own, or for staff reviewing them, those to decide (USR-3)."
        ),
        tags=["permission-applications"],
        parameters=[FilterSerializer],
        responses={200: PermissionApplicationOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        if filters.validated_data["scope"] == "queue":
            applications = permission_application_queue_for_reviewer(reviewer=request.user)
        else:
            applications = permission_application_list_for_applicant(applicant=request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(applications, request, view=self)
        return paginator.get_paginated_response(PermissionApplicationOutputSerializer(page, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Apply for a permission"),
        description=gettext_lazy("Apply for an advanced permission with a reason (USR-3)."),
        tags=["permission-applications"],
        request=InputSerializer,
        responses={201: PermissionApplicationOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant_id = data.validated_data.get("change_of_grant")
        change_of = (
            permission_grant_get_for_holder(user=request.user, grant_id=grant_id) if grant_id else None
        )
        application = permission_application_submit(
            applicant=request.user,
            permission=permission_resolve(data.validated_data["permission"]),
            justification=data.validated_data["justification"],
            material=data.validated_data.get("material"),
            attachment=data.validated_data.get("attachment"),
            requested_expires_at=data.validated_data.get("requested_expires_at"),
            change_of=change_of,
            real_name=data.validated_data["real_name"],
            id_number=data.validated_data["id_number"],
            identity_material=data.validated_data.get("identity_material"),
            actor=request.user,
        )
        return Response(
            PermissionApplicationOutputSerializer(application).data, status=status.HTTP_201_CREATED
        )


class PermissionApplicationDetailApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Get a permission application"),
        description=gettext_lazy("One application with its decision (USR-3)."),
        tags=["permission-applications"],
        responses={200: PermissionApplicationOutputSerializer},
    )
    def get(self, request: Request, application_id: int) -> Response:
        assert isinstance(request.user, User)
        application = permission_application_get_for_user(user=request.user, application_id=application_id)
        return Response(PermissionApplicationOutputSerializer(application).data)


class PermissionApplicationApproveApi(APIView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
        expires_at = serializers.DateTimeField(required=False, allow_null=True, help_text="End of the grant.")

    @extend_schema(
        summary=gettext_lazy("Approve a permission application"),
        description=gettext_lazy("A reviewer approves the application; the permission is granted (USR-3)."),
        tags=["permission-applications"],
        request=InputSerializer,
        responses={200: PermissionApplicationOutputSerializer},
    )
    def post(self, request: Request, application_id: int) -> Response:
        assert isinstance(request.user, User)
        application = permission_application_get_for_user(user=request.user, application_id=application_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        permission_application_approve(
            application=application,
            reason=data.validated_data["reason"],
            expires_at=data.validated_data.get("expires_at"),
            actor=request.user,
        )
        application.refresh_from_db()
        return Response(PermissionApplicationOutputSerializer(application).data)


class PermissionApplicationRejectApi(APIView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=4000)

    @extend_schema(
        summary=gettext_lazy("Reject a permission application"),
        description=gettext_lazy("A reviewer rejects the application with a reason (USR-3)."),
        tags=["permission-applications"],
        request=InputSerializer,
        responses={200: PermissionApplicationOutputSerializer},
    )
    def post(self, request: Request, application_id: int) -> Response:
        assert isinstance(request.user, User)
        application = permission_application_get_for_user(user=request.user, application_id=application_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = permission_application_reject(
            application=application, reason=data.validated_data["reason"], actor=request.user
        )
        return Response(PermissionApplicationOutputSerializer(application).data)


class PermissionApplicationWithdrawApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Withdraw a permission application"),
        description=gettext_lazy("The applicant withdraws a pending application (USR-3)."),
        tags=["permission-applications"],
        request=None,
        responses={200: PermissionApplicationOutputSerializer},
    )
    def post(self, request: Request, application_id: int) -> Response:
        assert isinstance(request.user, User)
        application = permission_application_get_for_user(user=request.user, application_id=application_id)
        application = permission_application_withdraw(application=application, actor=request.user)
        return Response(PermissionApplicationOutputSerializer(application).data)


class PermissionGrantOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    granted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)


class PermissionGrantGiveUpApi(APIView):
    """USR-3: the holder gives up one of their own permissions."""

    @extend_schema(
        summary=gettext_lazy("Give up a permission"),
        description=gettext_lazy("The holder gives up one of their own permissions (USR-3)."),
        tags=["me"],
        request=None,
        responses={200: PermissionGrantOutputSerializer},
    )
    def post(self, request: Request, grant_id: int) -> Response:
        assert isinstance(request.user, User)
        grant = permission_grant_get_for_holder(user=request.user, grant_id=grant_id)
        grant = permission_give_up(grant=grant, actor=request.user)
        return Response(PermissionGrantOutputSerializer(grant).data)


class BasicPermissionOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField(source="label")
    state = serializers.SerializerMethodField(help_text="active, or restricted (by a penalty)")
    reason = serializers.CharField(source="restriction.reason", default=None, allow_null=True)
    restricted_until = serializers.DateTimeField(source="restriction.ends_at", default=None, allow_null=True)

    def get_state(self, state: BasicPermissionState) -> str:
        return "active" if state.active else "restricted"


class AdvancedPermissionOutputSerializer(serializers.Serializer):
    key = serializers.CharField(source="spec.key")
    description = serializers.CharField(source="spec.description")
    state = serializers.ChoiceField(choices=["held", "pending", "available"])
    grant = serializers.IntegerField(source="grant.pk", default=None, allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    application = serializers.IntegerField(source="application.pk", default=None, allow_null=True)
    requires_training = serializers.CharField(source="spec.requires_training", allow_null=True)


class MyPermissionsApi(APIView):
    """USR-1: what I may do (basic permissions, and any penalty restricting one, with its reason), the
    advanced permissions I hold, have applied for or may apply for, and my privacy settings.
    """

    class OutputSerializer(serializers.Serializer):
        basic = BasicPermissionOutputSerializer(many=True)
        advanced = AdvancedPermissionOutputSerializer(many=True)
        privacy = PrivacySettingsOutputSerializer()

    @extend_schema(
        summary=gettext_lazy("Get my permissions"),
        description=gettext_lazy(
            "What the caller may do: basic permissions and any penalty restricting one, with its reason (USR-1)."
        ),
        tags=["me"],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        user = request.user
        overview = {
            "basic": basic_permissions_for(user=user),
            "advanced": advanced_permissions_for(user=user),
            "privacy": privacy_settings_for(user=user),
        }
        return Response(self.OutputSerializer(overview).data)


class LearningRecordOutputSerializer(serializers.ModelSerializer):
    course = serializers.CharField(source="session.course.code")
    course_title = serializers.CharField(source="session.course.title")
    starts_at = serializers.DateTimeField(source="session.starts_at")
    pass_score = serializers.IntegerField(source="session.course.pass_score")

    class Meta:
        model = TrainingAttendance
        fields = ["id", "course", "course_title", "starts_at", "attended", "score", "pass_score", "passed"]


class MyLearningRecordApi(APIView):
    """STF-8: my learning record (学习档案): the training sessions I attended, scores and results."""

    pagination_class = PagePagination

    @extend_schema(
        summary=gettext_lazy("Get my learning record"),
        description=gettext_lazy(
            "The training sessions the caller attended, with scores and results (STF-8)."
        ),
        tags=["me"],
        responses={200: LearningRecordOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(learning_record_for(user=request.user), request, view=self)
        return paginator.get_paginated_response(LearningRecordOutputSerializer(page, many=True).data)


class AnnouncementOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "published_at"]


class AnnouncementListApi(APIView):
    """STF-6: the platform's published announcements, for everyone (customers need no account to read them)."""

    permission_classes = [AllowAny]
    pagination_class = PagePagination

    @extend_schema(
        summary=gettext_lazy("List the platform's announcements"),
        description=gettext_lazy(
            "The announcements and rules the platform published, newest first (STF-6); open to everyone."
        ),
        tags=["announcements"],
        responses={200: AnnouncementOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(announcement_list_published(), request, view=self)
        return paginator.get_paginated_response(AnnouncementOutputSerializer(page, many=True).data)
