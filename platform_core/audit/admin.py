from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_core.audit.models import AuditEntry
from platform_core.audit.selectors import audit_subject_names


class _NamedSubjectsChangeList(ChangeList):
    """Issue 21 (decision 046): names the page's subjects in the reader's language, one query per type."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        entries = list(self.result_list)
        names = audit_subject_names((e.subject_type_id, e.subject_id) for e in entries)
        for entry in entries:
            entry.subject_name = names.get((entry.subject_type_id or 0, entry.subject_id or ""))


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """AUD-1: the audit log is read-only for everyone, superusers included."""

    list_display = ("at", "actor_repr", "action", "subject")
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
        "subject",
        "subject_as_recorded",
        "before",
        "after",
        "reason",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return _NamedSubjectsChangeList

    @admin.display(description=_("subject"))
    def subject(self, obj: AuditEntry) -> str:
        """Issue 21: the subject as it is named now in the reader's language; the stored (language-neutral)
        text when it no longer exists."""
        if not hasattr(obj, "subject_name"):  # the change page: one entry
            names = audit_subject_names([(obj.subject_type_id, obj.subject_id)])
            obj.subject_name = names.get((obj.subject_type_id or 0, obj.subject_id or ""))  # type: ignore[attr-defined]
        return obj.subject_name or obj.subject_repr  # type: ignore[attr-defined]

    @admin.display(description=_("subject as recorded"))
    def subject_as_recorded(self, obj: AuditEntry) -> str:
        return obj.subject_repr

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
