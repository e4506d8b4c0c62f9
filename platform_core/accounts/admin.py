from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.models import CHANGE
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from platform_core.accounts.acting import request_user
from platform_core.accounts.deletion import (
    DELETE_PERMISSION,
    account_deletion_blockers,
    user_account_delete_by_staff,
)
from platform_core.accounts.masking import mask_name, mask_phone, may_view_personal_data
from platform_core.accounts.models import User
from platform_core.accounts.services import (
    RESTRICT_PERMISSION,
    credential_delete,
    user_account_save,
    user_active_set,
)
from platform_core.admin_site import PersonalDataAdmin, ViewOnlyMixin, action_permission, service_form_run
from platform_core.errors import DomainError
from platform_core.reports.masks import mask_email, mask_person

#: SEC-2: the personal fields of an account
USER_PERSONAL_FIELDS = ("name", "email", "phone")


class AccountActionForm(ActionForm):
    """The action bar with the reason a deactivation (a penalty, USR-1) or a reactivation needs."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class AccountDeleteForm(forms.Form):
    """USR-4: staff delete an account at its holder's request; the reason goes on the audit row."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("How and when the account holder asked for the deletion (e.g. the service ticket)."),
    )


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
    has_account_delete_permission = action_permission(DELETE_PERMISSION)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """USR-4, issue 21: an account is never deleted as a row (that would skip the anonymisers and the
        audit chain): "注销账户" (``account_delete_view``) anonymises it through the deletion service."""
        return False

    def get_urls(self) -> list[URLPattern]:
        page = path(
            "<int:user_id>/delete-account/",
            self.admin_site.admin_view(self.account_delete_view),
            name="accounts_user_delete_account",
        )
        return [page, *super().get_urls()]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        """The account's page offers "注销账户" (its object tools) to those who may do it."""
        obj = kwargs.get("obj")
        if obj is not None and obj.anonymised_at is None and self.has_account_delete_permission(request):
            url = reverse("admin:accounts_user_delete_account", args=[obj.pk])
            link = {"url": url, "label": _("Delete account")}
            context["task_links"] = [*context.get("task_links", []), link]
        return super().render_change_form(request, context, *args, **kwargs)

    def account_delete_view(self, request: HttpRequest, user_id: int) -> HttpResponseBase:
        """USR-4, issue 21 (decision 047): "注销账户" at the holder's request. The page shows whose account it is
        (SEC-2: masked without ``staff.view_personal_data``, audited when unmasked) and what still holds the
        deletion back; the POST calls ``user_account_delete_by_staff`` (anonymisers, audit row)."""
        if not self.has_account_delete_permission(request):
            raise PermissionDenied
        user = get_object_or_404(User, pk=user_id)
        see = may_view_personal_data(request.user)
        name = str(user) if see else (self.personal_repr(user) or str(user))
        form = AccountDeleteForm(request.POST or None)
        actor = request_user(request)
        deleted = service_form_run(
            request,
            form,
            lambda data: user_account_delete_by_staff(user=user, reason=data["reason"], actor=actor),
        )
        if deleted is not None:
            self._log(request, [deleted], CHANGE, [{"changed": {"fields": list(USER_PERSONAL_FIELDS)}}])
            message = _(
                "The account of %(name)s was deleted: its personal data is anonymised, its trade records kept."
            )
            self.message_user(request, message % {"name": name}, messages.SUCCESS)
            return redirect("admin:accounts_user_change", object_id=user.pk)
        rows = [
            (_("name"), user.name if see else mask_name(user.name)),
            (_("email"), (user.email or "") if see else mask_email(user.email)),
            (_("phone"), (user.phone or "") if see else mask_phone(user.phone)),
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Delete the account of %(name)s") % {"name": str(user)},
            "original": user,
            "form": form,
            "rows": rows,
            "deleted_at": user.anonymised_at,
            "blockers": account_deletion_blockers(user=user) if user.anonymised_at is None else [],
            "notice": _(
                "At the account holder's request (USR-4): their personal data is removed from the account and "
                "from their orders, applications and grants; the trade records stay (ORD-8). The account "
                "cannot sign in again. This cannot be undone."
            ),
            "submit_label": _("Delete the account"),
        }
        response = TemplateResponse(request, "admin/accounts/user/delete_account.html", context)
        return self._audited(request, response, [user], "admin account deletion page")

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
class GroupAdmin(ViewOnlyMixin, BaseGroupAdmin):
    """STF-2, STF-4: roles (groups) and their permissions are seen here, never edited: rights change only
    through reviewed, capped grants (staff app) and the roles' data migrations. Otherwise a holder of
    ``auth.change_group`` could add ``staff.platform_administrator`` to their own group."""


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
