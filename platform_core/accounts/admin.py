from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from platform_core.accounts.acting import request_user
from platform_core.accounts.masking import mask_name, mask_phone, may_view_personal_data
from platform_core.accounts.models import User
from platform_core.accounts.services import (
    RESTRICT_PERMISSION,
    credential_delete,
    user_account_save,
    user_active_set,
)
from platform_core.admin_site import PersonalDataAdmin, action_permission
from platform_core.errors import DomainError
from platform_core.reports.masks import mask_email, mask_person

#: SEC-2: the personal fields of an account
USER_PERSONAL_FIELDS = ("name", "email", "phone")


class AccountActionForm(ActionForm):
    """The action bar with the reason a deactivation (a penalty, USR-1) or a reactivation needs."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


@admin.register(User)
class UserAdmin(PersonalDataAdmin, BaseUserAdmin):
    ordering = ("-date_joined",)
    list_display = ("id", "name_shown", "email_shown", "phone_shown", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    # an exact e-mail or phone finds the account without the list ever showing it unmasked
    search_fields = ("=email", "=phone", "name")
    personal_search_fields = ("=email", "=phone", "name")
    personal_data_fields = USER_PERSONAL_FIELDS
    # STF-2, STF-4: rights are granted through reviewed applications and the capped grant service
    # (staff app), never by ticking boxes here: staff status, superuser, groups and permissions are shown only.
    # USR-1, STF-3, issue 21: whether the account is active changes only through the actions below (a reason,
    # sessions and tokens ended, audited) or, for staff, offboarding (STF-5).
    readonly_fields = (
        "is_active",
        "date_joined",
        "last_login",
        "anonymised_at",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
        "name_shown",
        "email_shown",
        "phone_shown",
    )
    fieldsets = (
        (None, {"fields": ("email", "phone", "password")}),
        (_("Personal info"), {"fields": ("name",)}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "anonymised_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "phone", "password1", "password2")}),)

    action_form = AccountActionForm
    actions = ["deactivate", "reactivate"]

    has_restrict_permission = action_permission(RESTRICT_PERMISSION)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        user_account_save(user=obj, changed=list(form.changed_data), actor=request_user(request))

    def _set_active(self, request: HttpRequest, queryset: QuerySet[User], active: bool) -> None:
        reason = str(request.POST.get("reason", "")).strip()
        done = 0
        for user in queryset:
            try:
                user_active_set(user=user, active=active, reason=reason, actor=request_user(request))
            except DomainError as exc:
                self.message_user(request, f"#{user.pk}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)d done.") % {"count": done}, messages.SUCCESS)

    @admin.action(
        description=_("Deactivate the accounts (reason required): their sessions and API tokens end now"),
        permissions=["restrict"],
    )
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, False)

    @admin.action(description=_("Reactivate the accounts (reason required)"), permissions=["restrict"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, True)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """SEC-2: without ``view_personal_data`` the contact details are shown masked and cannot be edited."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or may_view_personal_data(request.user):
            return fieldsets
        return (
            (None, {"fields": ("email_shown", "phone_shown", "password")}),
            (_("Personal info"), {"fields": ("name_shown",)}),
            *fieldsets[2:],
        )

    def personal_repr(self, obj: Any) -> str | None:
        return mask_person(str(obj))

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """SEC-2: the password page's title and breadcrumbs name the account masked (and audited unmasked)."""
        response = super().user_change_password(request, id, form_url)
        user = (getattr(response, "context_data", None) or {}).get("original")
        return self._audited(request, response, [user] if user is not None else [], "admin password page")

    @admin.display(description=_("name"), ordering="name")
    def name_shown(self, user: User) -> str:
        return self.personal(user.name, mask_name)

    @admin.display(description=_("email"), ordering="email")
    def email_shown(self, user: User) -> str:
        return self.personal(user.email, mask_email)

    @admin.display(description=_("phone"), ordering="phone")
    def phone_shown(self, user: User) -> str:
        return self.personal(user.phone, mask_phone)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """STF-2, STF-4: roles (groups) and their permissions are seen here, never edited: rights change only
    through reviewed, capped grants (staff app) and the roles' data migrations. Otherwise a holder of
    ``auth.change_group`` could add ``staff.platform_administrator`` to their own group."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CredentialAdmin(admin.ModelAdmin):
    """SEC-3, issue 21: second factors and API tokens are never made or edited for someone else here (a
    device key or a token in a third person's hands): staff enrol their own authenticator on first sign-in
    (``/admin/second-factor/``), tokens come from the sign-in API. Deleting one (a lost phone, a leaked
    token) is allowed to their model's delete permission and audited."""

    list_display = ["user", "name", "confirmed"]
    search_fields = ["=user__email", "=user__phone"]
    audit_action = "account.second_factor_reset"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        credential_delete(credential=obj, action=self.audit_action, actor=request_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


for _model in (TOTPDevice, StaticDevice, AuthToken):
    admin.site.unregister(_model)


#: never the device's key or its codes: shown, they are the second factor itself
DEVICE_FIELDS = ("user", "name", "confirmed", "created_at", "last_used_at")


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(CredentialAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    fields = DEVICE_FIELDS


@admin.register(StaticDevice)
class StaticDeviceAdmin(CredentialAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    fields = DEVICE_FIELDS


@admin.register(AuthToken)
class AuthTokenAdmin(CredentialAdmin):
    list_display = ["user", "created", "expiry"]
    fields = ["user", "created", "expiry"]
    audit_action = "account.token_revoked"
