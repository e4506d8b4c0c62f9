"""Customers' accounts as staff administer them: restrictions on a user (USR-1) and privacy settings."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.models import PrivacySettings, UserRestriction
from platform_core.accounts.services import user_restriction_impose, user_restriction_lift
from staff.admin._common import (
    ReasonActionForm,
    _reason,
    _run_each,
)


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
