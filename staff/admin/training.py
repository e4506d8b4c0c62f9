"""STF-8 in the admin: training courses, their sessions and the attendance recorded."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from platform_core.accounts.acting import request_user
from platform_core.admin_site import ServiceAdmin
from staff.models import (
    TrainingAttendance,
    TrainingCourse,
    TrainingSession,
)
from staff.services.catalogue import (
    TRAINING_COURSE_FIELDS,
    training_course_save,
)
from staff.services.training import (
    training_attendance_record,
    training_session_change,
    training_session_schedule,
)


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
