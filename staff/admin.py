"""Staff administration screens: departments, profiles, the application queue, grants, rotation tasks,
announcements (STF-1 … STF-6). Every change goes through ``staff.services``; reasons come from the action bar.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_core.errors import DomainError
from staff.models import (
    Announcement,
    CredentialRotationTask,
    Department,
    PermissionApplication,
    PermissionGrant,
    SharedCredential,
    StaffProfile,
)
from staff.selectors import permission_application_time_left
from staff.services import (
    announcement_publish,
    credential_rotation_task_complete,
    department_head_set,
    permission_application_approve,
    permission_application_reject,
    permission_revoke,
    staff_change_department,
    staff_offboard,
    staff_profile_create,
)


class ReasonActionForm(ActionForm):
    """The action bar with a reason (STF-2, STF-3: decisions and revocations carry one)."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=4000)


class DepartmentActionForm(ReasonActionForm):
    department = forms.ModelChoiceField(
        label=_("New department"), queryset=Department.objects.all(), required=False
    )


def _run_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    action: Callable[[Any], object],
) -> None:
    """Apply a service to each row; a refused row is reported and the others go on."""
    done = 0
    for obj in queryset:
        try:
            action(obj)
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, _("%(count)d done.") % {"count": done}, messages.SUCCESS)


def _reason(request: HttpRequest) -> str:
    return str(request.POST.get("reason", "")).strip()


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "head")
    fields = ("code", "name", "name_en", "head")
    readonly_fields = ("code", "name", "name_en")
    autocomplete_fields = ("head",)
    search_fields = ("code", "name", "name_en")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # seeded by a migration (STF-1)

    def has_delete_permission(self, request: HttpRequest, obj: Department | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Department, form: forms.ModelForm, change: bool) -> None:
        department_head_set(department=obj, head=obj.head, actor=request.user)  # type: ignore[arg-type]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "title", "is_active", "joined_at", "left_at")
    list_filter = ("department", "is_active")
    search_fields = ("user__name", "user__email", "user__phone", "title")
    list_select_related = ("user", "department")
    autocomplete_fields = ("user",)
    action_form = DepartmentActionForm
    actions = ["offboard", "change_department"]

    def get_readonly_fields(self, request: HttpRequest, obj: StaffProfile | None = None) -> tuple[str, ...]:
        # After creation, department and activity change only through the actions (they revoke access).
        return (
            ("user", "department", "is_active", "joined_at", "left_at") if obj else ("is_active", "left_at")
        )

    def has_delete_permission(self, request: HttpRequest, obj: StaffProfile | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: StaffProfile, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            obj.save(update_fields=["title"])
            return
        created = staff_profile_create(
            user=obj.user,
            department=obj.department,
            title=obj.title,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk

    @admin.action(
        description=_("Offboard: revoke access now, open credential rotation (STF-5)"), permissions=["change"]
    )
    def offboard(self, request: HttpRequest, queryset: QuerySet[StaffProfile]) -> None:
        reason = _reason(request)
        _run_each(
            self,
            request,
            queryset,
            lambda p: staff_offboard(user=p.user, reason=reason, actor=request.user),  # type: ignore[arg-type]
        )

    @admin.action(description=_("Move to the chosen department (STF-5)"), permissions=["change"])
    def change_department(self, request: HttpRequest, queryset: QuerySet[StaffProfile]) -> None:
        chosen = request.POST.get("department") or ""
        department = Department.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if department is None:
            self.message_user(request, _("Choose the new department."), messages.ERROR)
            return
        reason = _reason(request)
        _run_each(
            self,
            request,
            queryset,
            lambda p: staff_change_department(
                user=p.user,
                department=department,
                reason=reason,
                actor=request.user,  # type: ignore[arg-type]
            ),
        )


@admin.register(PermissionApplication)
class PermissionApplicationAdmin(admin.ModelAdmin):
    """STF-2, USR-2: the review queue, oldest first, with the time left of the 5-working-day clock."""

    list_display = (
        "id",
        "submitted_at",
        "applicant",
        "permission_key",
        "status",
        "time_left",
        "escalated_at",
        "reviewer",
        "decided_at",
    )
    list_filter = ("status", ("escalated_at", admin.EmptyFieldListFilter))
    search_fields = ("applicant__name", "applicant__email", "applicant__phone", "permission__codename")
    list_select_related = ("applicant", "reviewer", "permission__content_type")
    ordering = ("submitted_at", "id")
    readonly_fields = [f.name for f in PermissionApplication._meta.fields]
    action_form = ReasonActionForm
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people apply themselves (API)

    def has_delete_permission(self, request: HttpRequest, obj: PermissionApplication | None = None) -> bool:
        return False

    @admin.display(description=_("permission"))
    def permission_key(self, application: PermissionApplication) -> str:
        return application.permission_key

    @admin.display(description=_("time left"))
    def time_left(self, application: PermissionApplication) -> str:
        left = permission_application_time_left(application)
        if left is None:
            return "—"
        hours = int(left.total_seconds() // 3600)
        return (
            _("overdue %(h)d h") % {"h": -hours}
            if hours < 0
            else _("%(d)d d %(h)d h") % {"d": hours // 24, "h": hours % 24}
        )

    @admin.action(description=_("Approve selected applications (reason from the action bar)"))
    def approve(self, request: HttpRequest, queryset: QuerySet[PermissionApplication]) -> None:
        reason = _reason(request)
        _run_each(
            self,
            request,
            queryset,
            lambda a: permission_application_approve(application=a, reason=reason, actor=request.user),  # type: ignore[arg-type]
        )

    @admin.action(description=_("Reject selected applications (reason required)"))
    def reject(self, request: HttpRequest, queryset: QuerySet[PermissionApplication]) -> None:
        reason = _reason(request)
        _run_each(
            self,
            request,
            queryset,
            lambda a: permission_application_reject(application=a, reason=reason, actor=request.user),  # type: ignore[arg-type]
        )


@admin.register(PermissionGrant)
class PermissionGrantAdmin(admin.ModelAdmin):
    """STF-3: who holds what, why and until when; revoke at once with a reason."""

    list_display = ("user", "permission", "granted_at", "granted_by", "expires_at", "revoked_at", "lapsed_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), ("lapsed_at", admin.EmptyFieldListFilter))
    search_fields = ("user__name", "user__email", "user__phone", "permission__codename")
    list_select_related = ("user", "granted_by", "permission__content_type")
    readonly_fields = [f.name for f in PermissionGrant._meta.fields]
    action_form = ReasonActionForm
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # grants come from approved applications (STF-2)

    def has_delete_permission(self, request: HttpRequest, obj: PermissionGrant | None = None) -> bool:
        return False

    @admin.action(
        description=_("Revoke now: ends sessions and tokens (reason required)"), permissions=["change"]
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet[PermissionGrant]) -> None:
        reason = _reason(request)
        _run_each(
            self,
            request,
            queryset,
            lambda g: permission_revoke(grant=g, reason=reason, actor=request.user),  # type: ignore[arg-type]
        )


@admin.register(SharedCredential)
class SharedCredentialAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "last_rotated_at")
    list_filter = ("department",)
    search_fields = ("name",)
    filter_horizontal = ("holders",)
    readonly_fields = ("last_rotated_at",)


@admin.register(CredentialRotationTask)
class CredentialRotationTaskAdmin(admin.ModelAdmin):
    """STF-5: credentials a departed or moved person knew, for technology to rotate."""

    list_display = ("person", "assigned_department", "created_at", "completed_at", "completed_by")
    list_filter = (("completed_at", admin.EmptyFieldListFilter), "assigned_department")
    search_fields = ("person__name", "person__email", "credentials__name")
    list_select_related = ("person", "assigned_department", "completed_by")
    readonly_fields = (
        "person",
        "reason",
        "credentials",
        "assigned_department",
        "created_at",
        "completed_at",
        "completed_by",
    )
    actions = ["complete"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CredentialRotationTask | None = None) -> bool:
        return False

    @admin.action(description=_("Mark rotated"), permissions=["change"])
    def complete(self, request: HttpRequest, queryset: QuerySet[CredentialRotationTask]) -> None:
        _run_each(
            self,
            request,
            queryset,
            lambda t: credential_rotation_task_complete(task=t, actor=request.user),  # type: ignore[arg-type]
        )


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    """STF-6: published through ``announcement_publish``; a published announcement is not edited."""

    list_display = ("title", "published_at", "published_by")
    search_fields = ("title", "body")
    date_hierarchy = "published_at"
    fields = ("title", "body", "published_at", "published_by")
    readonly_fields = ("published_at", "published_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("staff.publish_announcement")

    def has_change_permission(self, request: HttpRequest, obj: Announcement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Announcement | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Announcement, form: forms.ModelForm, change: bool
    ) -> None:
        published = announcement_publish(title=obj.title, body=obj.body, actor=request.user)  # type: ignore[arg-type]
        obj.pk, obj.published_at, obj.published_by = (
            published.pk,
            published.published_at,
            published.published_by,
        )
