from django.contrib import admin
from django.http import HttpRequest

from platform_core.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """AUD-1: the audit log is read-only for everyone, superusers included."""

    list_display = ("at", "actor_repr", "action", "subject_repr")
    list_filter = ("action", ("at", admin.DateFieldListFilter))
    date_hierarchy = "at"
    search_fields = ("action", "actor_repr", "subject_repr", "subject_id", "reason")
    show_full_result_count = False  # the log only grows: skip the second COUNT(*)
    fields = (
        "at",
        "actor",
        "actor_repr",
        "action",
        "subject_type",
        "subject_id",
        "subject_repr",
        "before",
        "after",
        "reason",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
