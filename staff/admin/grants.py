"""STF-3, USR-3: permission grants in the admin: who holds what, why and until when; change a grant's
scope or end with reason and evidence, or revoke it at once (sessions and API tokens end)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.acting import request_user
from platform_core.admin_site import admin_form_page
from platform_core.errors import DomainError
from staff.admin._common import ReasonActionForm, _reason, _run_each
from staff.models import PermissionGrant
from staff.services.grants import permission_grant_change, permission_revoke


class PermissionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        return f"{obj.content_type.app_label}.{obj.codename} · {obj.name}"


class GrantChangeForm(forms.Form):
    """STF-3: a grant's new scope and end, why, and what shows it."""

    permission = PermissionChoiceField(
        label=_("Permission (scope)"),
        queryset=Permission.objects.select_related("content_type").order_by(
            "content_type__app_label", "codename"
        ),
        help_text=_("Keep it to change only the end; another one replaces the old at once."),
    )
    expires_at = forms.SplitDateTimeField(
        label=_("Ends at"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_("Empty: the grant does not end by itself."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What supports the change: an application, a ticket, a manager's instruction."),
    )


class GrantRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person is told. Their sessions and API tokens end at once."),
    )


@admin.register(PermissionGrant)
class PermissionGrantAdmin(admin.ModelAdmin):
    """STF-3: who holds what, why and until when; change or revoke at once with a reason."""

    list_display = ("user", "permission", "granted_at", "granted_by", "expires_at", "revoked_at", "lapsed_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), ("lapsed_at", admin.EmptyFieldListFilter))
    search_fields = ("user__name", "user__email", "user__phone", "permission__codename")
    list_select_related = ("user", "granted_by", "permission__content_type")
    readonly_fields = [*(f.name for f in PermissionGrant._meta.fields), "grant_tasks"]
    action_form = ReasonActionForm
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # grants come from approved applications (STF-2)

    def has_delete_permission(self, request: HttpRequest, obj: PermissionGrant | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Every field is read-only: changes go through the change and revoke pages (their services)."""

    @admin.display(description=_("change or revoke"))
    def grant_tasks(self, grant: PermissionGrant) -> str:
        if grant.pk is None or not grant.is_active:
            return "-"
        return format_html(
            '<a class="button" href="{}">{}</a> <a class="button" href="{}">{}</a>',
            reverse("admin:staff_permissiongrant_rescope", args=[grant.pk]),
            _("Change scope or end"),
            reverse("admin:staff_permissiongrant_revoke", args=[grant.pk]),
            _("Revoke now"),
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:grant_id>/change-grant/",
                self.admin_site.admin_view(self.change_grant_view),
                name="staff_permissiongrant_rescope",
            ),
            path(
                "<int:grant_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="staff_permissiongrant_revoke",
            ),
            *super().get_urls(),
        ]

    def _grant_or_403(self, request: HttpRequest, grant_id: int) -> PermissionGrant:
        grant = (
            PermissionGrant.objects.select_related("user", "permission__content_type")
            .filter(pk=grant_id)
            .first()
        )
        if grant is None or not self.has_change_permission(request, grant):
            raise PermissionDenied
        return grant

    def _done(self, request: HttpRequest, grant: PermissionGrant, text: Any) -> HttpResponse:
        self.message_user(request, text, level=messages.SUCCESS)
        return redirect("admin:staff_permissiongrant_change", object_id=grant.pk)

    def change_grant_view(self, request: HttpRequest, grant_id: int) -> HttpResponse:
        """STF-3, USR-3: change the grant's scope and end with reason and evidence."""
        grant = self._grant_or_403(request, grant_id)
        initial = {"permission": grant.permission_id, "expires_at": grant.expires_at}
        form = GrantChangeForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                permission_grant_change(
                    grant=grant,
                    permission=form.cleaned_data["permission"],
                    expires_at=form.cleaned_data["expires_at"],
                    reason=form.cleaned_data["reason"],
                    evidence=form.cleaned_data["evidence"],
                    actor=request_user(request),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return self._done(request, grant, _("The grant was changed."))
        return admin_form_page(self, request, obj=grant, label=_("Change the grant"), form=form)

    def revoke_view(self, request: HttpRequest, grant_id: int) -> HttpResponse:
        """STF-3: revoke at once; the person's sessions and API tokens end."""
        grant = self._grant_or_403(request, grant_id)
        form = GrantRevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                permission_revoke(
                    grant=grant, reason=form.cleaned_data["reason"], actor=request_user(request)
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return self._done(request, grant, _("The grant was revoked; sessions and tokens ended."))
        return admin_form_page(self, request, obj=grant, label=_("Revoke the grant now"), form=form)

    @admin.action(
        description=_("Revoke now: ends sessions and tokens (reason required)"), permissions=["change"]
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet[PermissionGrant]) -> None:
        reason = _reason(request)
        _run_each(
            self,
            request,
            queryset,
            lambda g: permission_revoke(grant=g, reason=reason, actor=request_user(request)),
        )
