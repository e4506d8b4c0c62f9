"""Staff administration screens: departments, profiles, the application queue, grants, rotation tasks,
announcements, training, discipline (STF-1 … STF-9). Every change goes through ``staff.services``; reasons come from the action bar.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.acting import request_user
from platform_core.accounts.masking import mask_name, may_view_personal_data, personal_data_viewed
from platform_core.accounts.models import PrivacySettings, UserRestriction
from platform_core.accounts.services import user_restriction_impose, user_restriction_lift
from platform_core.admin_site import ServiceAdmin, action_permission
from platform_core.errors import DomainError
from staff.models import (
    Announcement,
    CredentialRotationTask,
    Department,
    IdentityVerification,
    PermissionApplication,
    SharedCredential,
    StaffProfile,
    TrainingAttendance,
    TrainingCourse,
    TrainingSession,
)
from staff.selectors import REVIEW_PERMISSION, permission_application_time_left
from staff.services.announcements import announcement_publish
from staff.services.applications import permission_application_approve, permission_application_reject
from staff.services.catalogue import (
    SHARED_CREDENTIAL_FIELDS,
    TRAINING_COURSE_FIELDS,
    shared_credential_delete,
    shared_credential_save,
    training_course_save,
)
from staff.services.offboarding import (
    credential_rotation_task_complete,
    staff_change_department,
    staff_offboard,
)
from staff.services.profiles import department_head_set, staff_profile_create, staff_profile_title_set
from staff.services.training import (
    training_attendance_record,
    training_session_change,
    training_session_schedule,
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


@admin.register(SharedCredential)
class SharedCredentialAdmin(ServiceAdmin):
    """STF-5: shared passwords and keys and who knows them, through the service (audited); rotation is
    recorded by completing a rotation task."""

    list_display = ("name", "department", "last_rotated_at")
    list_filter = ("department",)
    search_fields = ("name",)
    filter_horizontal = ("holders",)
    fields = (*SHARED_CREDENTIAL_FIELDS, "last_rotated_at")
    readonly_fields = ("last_rotated_at",)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> SharedCredential:
        return shared_credential_save(credential=None, data=data, actor=request_user(request))

    def update(self, request: HttpRequest, obj: SharedCredential, data: dict[str, Any]) -> SharedCredential:
        return shared_credential_save(credential=obj, data=data, actor=request_user(request))

    def delete(self, request: HttpRequest, obj: SharedCredential) -> None:
        shared_credential_delete(credential=obj, actor=request_user(request))


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


@admin.register(UserRestriction)
class UserRestrictionAdmin(admin.ModelAdmin):
    """USR-1: penalties restricting a basic permission; imposed and lifted with a reason."""

    list_display = ("user", "permission", "starts_at", "ends_at", "imposed_by", "lifted_at")
    list_filter = ("permission", ("lifted_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "user__phone", "reason")
    list_select_related = ("user", "imposed_by")
    autocomplete_fields = ("user",)
    action_form = ReasonActionForm
    actions = ["lift"]

    def get_fields(self, request: HttpRequest, obj: UserRestriction | None = None) -> Any:
        if obj is None:
            return ("user", "permission", "reason", "ends_at")
        return (
            "user",
            "permission",
            "reason",
            "starts_at",
            "ends_at",
            "imposed_by",
            "lifted_at",
            "lifted_by",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: UserRestriction | None = None) -> Any:
        return self.get_fields(request, obj) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: UserRestriction | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: UserRestriction, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            return
        created = user_restriction_impose(
            user=obj.user,
            permission=obj.permission,
            reason=obj.reason,
            ends_at=obj.ends_at,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk

    @admin.action(description=_("Lift the restriction (reason from the action bar)"), permissions=["change"])
    def lift(self, request: HttpRequest, queryset: QuerySet[UserRestriction]) -> None:
        reason = _reason(request)
        _run_each(
            self,
            request,
            queryset,
            lambda r: user_restriction_lift(restriction=r, reason=reason, actor=request.user),  # type: ignore[arg-type]
        )


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(admin.ModelAdmin):
    """USR-1: users' privacy choices, read-only for staff (users change them in their account)."""

    list_display = (
        "user",
        "show_purchase_history",
        "allow_follow",
        "personalised_recommendations",
        "updated_at",
    )
    list_filter = ("show_purchase_history", "allow_follow", "personalised_recommendations")
    search_fields = ("user__email", "user__phone")
    readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PrivacySettings | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PrivacySettings | None = None) -> bool:
        return False


class TrainingSessionInline(admin.TabularInline):
    model = TrainingSession
    fields = ("starts_at", "trainer", "location")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TrainingCourse)
class TrainingCourseAdmin(ServiceAdmin):
    """STF-8: courses for staff and partner institutions, with their pass score, through the service
    (audited); the code is fixed once created, courses are never deleted."""

    list_display = ("code", "title", "audience", "pass_score")
    list_filter = ("audience",)
    search_fields = ("code", "title")
    fields = TRAINING_COURSE_FIELDS
    inlines = [TrainingSessionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: TrainingCourse | None = None) -> Any:
        return ("code",) if obj is not None else ()

    def create(self, request: HttpRequest, data: dict[str, Any]) -> TrainingCourse:
        return training_course_save(course=None, data=data, actor=request_user(request))

    def update(self, request: HttpRequest, obj: TrainingCourse, data: dict[str, Any]) -> TrainingCourse:
        return training_course_save(course=obj, data=data, actor=request_user(request))


class TrainingAttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    fields = ("person", "attended", "score", "passed", "recorded_by", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # recorded through the attendance screen (the service assesses the result)


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    """STF-8: sessions of a course, given by a trainer; attendance listed below."""

    list_display = ("course", "starts_at", "trainer", "location")
    list_filter = ("course",)
    search_fields = ("course__code", "course__title", "location")
    list_select_related = ("course", "trainer")
    autocomplete_fields = ("trainer",)
    date_hierarchy = "starts_at"
    inlines = [TrainingAttendanceInline]

    def get_readonly_fields(self, request: HttpRequest, obj: TrainingSession | None = None) -> Any:
        return ("course",) if obj is not None else ()  # the learning records name it

    def has_delete_permission(self, request: HttpRequest, obj: TrainingSession | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: TrainingSession, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            training_session_change(
                session=obj,
                course=obj.course,
                starts_at=obj.starts_at,
                trainer=obj.trainer,
                location=obj.location,
                actor=request_user(request),
            )
            return
        created = training_session_schedule(
            course=obj.course,
            starts_at=obj.starts_at,
            trainer=obj.trainer,
            location=obj.location,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk


@admin.register(TrainingAttendance)
class TrainingAttendanceAdmin(admin.ModelAdmin):
    """STF-8: the learning records (学习档案): search a person to see every session, score and result."""

    list_display = ("person", "session", "attended", "score", "passed", "recorded_by", "recorded_at")
    list_filter = ("passed", "attended", "session__course")
    search_fields = ("person__name", "person__email", "person__phone", "session__course__code")
    list_select_related = ("person", "session__course", "recorded_by")
    autocomplete_fields = ("person",)
    fields = ("session", "person", "attended", "score")

    def get_readonly_fields(self, request: HttpRequest, obj: TrainingAttendance | None = None) -> Any:
        return ("session", "person") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: TrainingAttendance | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: TrainingAttendance, form: forms.ModelForm, change: bool
    ) -> None:
        recorded = training_attendance_record(
            session=obj.session,
            person=obj.person,
            attended=obj.attended,
            score=obj.score,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk, obj.passed = recorded.pk, recorded.passed
