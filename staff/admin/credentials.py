"""STF-5 in the admin: shared credentials (kept through their service) and the rotation tasks offboarding opens."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.acting import request_user
from platform_core.admin_site import ServiceAdmin
from staff.admin._common import (
    _run_each,
)
from staff.models import (
    CredentialRotationTask,
    SharedCredential,
)
from staff.services.catalogue import (
    SHARED_CREDENTIAL_FIELDS,
    shared_credential_delete,
    shared_credential_save,
)
from staff.services.offboarding import (
    credential_rotation_task_complete,
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
