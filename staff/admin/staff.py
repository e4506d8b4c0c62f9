"""Staff administration screens: departments, profiles, the application queue (STF-1, STF-2), announcements
(STF-6) and identity verification. Every change goes through ``staff.services``; reasons come from the action bar.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.acting import request_user
from platform_core.accounts.masking import mask_name, may_view_personal_data, personal_data_viewed
from platform_core.admin_site import action_permission
from staff.admin._common import (
    DepartmentActionForm,
    ReasonActionForm,
    _reason,
    _run_each,
)
from staff.models import (
    Announcement,
    Department,
    IdentityVerification,
    PermissionApplication,
    StaffProfile,
)
from staff.selectors import REVIEW_PERMISSION, permission_application_time_left
from staff.services.announcements import announcement_publish
from staff.services.applications import permission_application_approve, permission_application_reject
from staff.services.offboarding import (
    staff_change_department,
    staff_offboard,
)
from staff.services.profiles import department_head_set, staff_profile_create, staff_profile_title_set


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
            staff_profile_title_set(profile=obj, title=obj.title, actor=request_user(request))
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
        "identity_masked",
        "status",
        "time_left",
        "escalated_at",
        "reviewer",
        "decided_at",
    )
    list_filter = ("status", ("escalated_at", admin.EmptyFieldListFilter))
    search_fields = ("applicant__name", "applicant__email", "applicant__phone", "permission__codename")
    list_select_related = ("applicant", "reviewer", "permission__content_type", "identity")
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

    @admin.display(description=_("real identity"))
    def identity_masked(self, application: PermissionApplication) -> str:
        identity = getattr(application, "identity", None)
        if identity is None:
            return "—"
        return f"{mask_name(identity.real_name)} {identity.id_number_masked}"

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

    has_review_permission = action_permission(REVIEW_PERMISSION)

    @admin.action(
        description=_("Approve selected applications (reason from the action bar)"), permissions=["review"]
    )
    def approve(self, request: HttpRequest, queryset: QuerySet[PermissionApplication]) -> None:
        reason = _reason(request)
        _run_each(
            self,
            request,
            queryset,
            lambda a: permission_application_approve(application=a, reason=reason, actor=request.user),  # type: ignore[arg-type]
        )

    @admin.action(description=_("Reject selected applications (reason required)"), permissions=["review"])
    def reject(self, request: HttpRequest, queryset: QuerySet[PermissionApplication]) -> None:
        reason = _reason(request)
        _run_each(
            self,
            request,
            queryset,
            lambda a: permission_application_reject(application=a, reason=reason, actor=request.user),  # type: ignore[arg-type]
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


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(admin.ModelAdmin):
    """USR-2, SEC-2: real identities given with applications: masked; unmasked only for holders of
    ``staff.view_personal_data``, and each unmasked view is audited.
    """

    list_display = ("application", "user", "name_masked", "id_number_masked", "verified_at", "anonymised_at")
    list_filter = (("verified_at", admin.EmptyFieldListFilter),)
    search_fields = ("id_number_masked", "user__email", "user__phone")
    list_select_related = ("application", "user")
    fields = (
        "application",
        "user",
        "name_masked",
        "id_number_masked",
        "verified_at",
        "verified_by",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: IdentityVerification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: IdentityVerification | None = None) -> bool:
        return False

    @admin.display(description=_("real name"))
    def name_masked(self, identity: IdentityVerification) -> str:
        return mask_name(identity.real_name)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        """SEC-2: a holder of ``staff.view_personal_data`` sees the identity unmasked (audited) to verify it."""
        identity = IdentityVerification.objects.filter(pk=object_id).first()
        if identity is not None and identity.anonymised_at is None and may_view_personal_data(request.user):
            personal_data_viewed(
                viewer=request.user,
                subject=identity,
                fields=["real_name", "id_number"],
                purpose="identity verification",
            )
            self.message_user(
                request,
                _("Unmasked (this view is recorded): %(name)s %(number)s")
                % {"name": identity.real_name, "number": identity.id_number},
                messages.WARNING,
            )
        return super().change_view(request, object_id, form_url, extra_context)
