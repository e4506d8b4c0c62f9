from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_core.notifications.models import Notification, SandboxSms
from platform_core.notifications.services import notifications_requeue


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: rows are written by ``notify`` and changed only by delivery or "requeue"."""

    list_display = (
        "id",
        "created_at",
        "recipient",
        "event",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "read_at",
    )
    list_filter = ("status", "channel", "event")
    search_fields = ("recipient__name", "recipient__email", "recipient__phone", "event", "title")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = ["requeue"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    @admin.action(description=_("Requeue selected notifications"), permissions=["change"])
    def requeue(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notifications_requeue(
            notification_ids=queryset.values_list("pk", flat=True),
            actor=request.user,  # type: ignore[arg-type]
        )
        self.message_user(
            request, _("%(count)d notification(s) queued for delivery.") % {"count": count}, messages.SUCCESS
        )


@admin.register(SandboxSms)
class SandboxSmsAdmin(admin.ModelAdmin):
    """What the sandbox SMS gateway would have sent (demo and tests)."""

    list_display = ("created_at", "phone", "text", "message_id")
    search_fields = ("phone", "text", "message_id")
    ordering = ("-created_at", "-id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SandboxSms | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SandboxSms | None = None) -> bool:
        return False
