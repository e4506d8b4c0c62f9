"""The caller's in-app inbox: list, mark one read, mark all read (OPS-3; SEC-1 scoping)."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.accounts.models import User
from platform_core.api.pagination import PagePagination
from platform_core.notifications.models import Notification
from platform_core.notifications.selectors import notification_list_for_user
from platform_core.notifications.services import notification_mark_read, notifications_mark_all_read


class NotificationOutputSerializer(serializers.ModelSerializer):
    subject_type = serializers.SerializerMethodField(help_text="app_label.model of the subject, if any.")
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "title",
            "body",
            "subject_type",
            "subject_id",
            "created_at",
            "read_at",
            "unread",
        ]

    def get_subject_type(self, notification: Notification) -> str | None:
        content_type: ContentType | None = notification.subject_type
        return f"{content_type.app_label}.{content_type.model}" if content_type else None

    def get_unread(self, notification: Notification) -> bool:
        return notification.read_at is None


class NotificationListApi(APIView):
    pagination_class = PagePagination

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(
            required=False, default=False, help_text="Only unread notifications."
        )

    @extend_schema(
        summary=gettext_lazy("List my notifications"),
        description=gettext_lazy("The caller's notifications, newest first."),
        tags=["notifications"],
        parameters=[FilterSerializer],
        responses={200: NotificationOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = notification_list_for_user(
            user=request.user, unread_only=filters.validated_data["unread"]
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(notifications, request, view=self)
        return paginator.get_paginated_response(NotificationOutputSerializer(page, many=True).data)


class NotificationReadApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Mark a notification read"),
        description=gettext_lazy("Mark one notification read."),
        tags=["notifications"],
        request=None,
        responses={200: NotificationOutputSerializer},
    )
    def post(self, request: Request, notification_id: int) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated
        notification = notification_mark_read(notification_id=notification_id, actor=request.user)
        return Response(NotificationOutputSerializer(notification).data)


class NotificationReadAllApi(APIView):
    @extend_schema(
        summary=gettext_lazy("Mark all notifications read"),
        description=gettext_lazy("Mark every unread notification read."),
        tags=["notifications"],
        request=None,
        responses={200: inline_serializer("NotificationsReadAll", {"marked": serializers.IntegerField()})},
    )
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated
        return Response({"marked": notifications_mark_all_read(actor=request.user)})
