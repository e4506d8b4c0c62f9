"""STF-9 in the staff admin: misconduct recorded with evidence (revoking the permissions involved at once),
rewards and sanctions from the monthly results; every save goes through ``staff.services.discipline``."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.models import User
from platform_core.errors import DomainError
from staff.models import (
    Department,
    StaffMisconduct,
    StaffProfile,
    StaffRewardSanction,
)
from staff.services.discipline import staff_misconduct_record, staff_reward_sanction_record

# --- STF-9: discipline ---------------------------------------------------------------------------------


#: the request attribute keeping ``_may_discipline_anyone``'s answer: the app list asks it of both discipline
#: admins, for the module and for each permission, and it is the same for the whole request
_MAY_DISCIPLINE = "_staff_may_discipline_anyone"


def _may_discipline_anyone(request: HttpRequest) -> bool:
    """Heads of a department, members of compliance or HR, and superusers see the discipline screens;
    the services check the actor against the particular staff member (STF-9). Asked once per request."""
    answer = getattr(request, _MAY_DISCIPLINE, None)
    if answer is None:
        answer = _may_discipline_anyone_now(request.user)
        setattr(request, _MAY_DISCIPLINE, answer)
    return bool(answer)


def _may_discipline_anyone_now(user: Any) -> bool:
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser or Department.objects.filter(head=user).exists():
        return True
    return StaffProfile.objects.filter(
        user=user, is_active=True, department__code__in=[Department.Code.COMPLIANCE, Department.Code.HR]
    ).exists()


def _staff_choices() -> QuerySet[User]:
    return User.objects.filter(staff_profile__is_active=True).order_by("name", "pk")


class PermissionKeysField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        return f"{obj.content_type.app_label}.{obj.codename} — {obj.name}"


class MisconductForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=_staff_choices())
    kind = forms.ChoiceField(label=_("Kind"), choices=StaffMisconduct.Kind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, max_length=8000)
    evidence = forms.FileField(label=_("Evidence (PDF, PNG or JPEG)"))
    # the permissions staff hold individually (grants or direct): the ones that can be revoked
    permissions = PermissionKeysField(
        label=_("Permissions involved (revoked at once)"),
        queryset=Permission.objects.filter(user__staff_profile__is_active=True)
        .select_related("content_type")
        .distinct()
        .order_by("content_type__app_label", "codename"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@admin.register(StaffMisconduct)
class StaffMisconductAdmin(admin.ModelAdmin):
    """STF-9: misconduct recorded with evidence by a department head or compliance; recording it revokes
    the permissions involved at once (through the misconduct form, never a bare save)."""

    list_display = ("recorded_at", "staff", "kind", "revoked_keys", "recorded_by", "evidence")
    list_filter = ("kind", "staff__staff_profile__department", "recorded_at")
    search_fields = ("staff__name", "staff__email", "staff__phone", "description")
    list_select_related = ("staff", "recorded_by")
    date_hierarchy = "recorded_at"
    readonly_fields = (
        "staff",
        "kind",
        "description",
        "evidence",
        "permissions",
        "revoked",
        "recorded_by",
        "recorded_at",
    )
    fields = readonly_fields

    @admin.display(description=_("permissions revoked"))
    def revoked_keys(self, record: StaffMisconduct) -> str:
        return ", ".join(record.revoked) or "—"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_discipline_anyone(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_discipline_anyone(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_discipline_anyone(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a record stands as made

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = MisconductForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                record = staff_misconduct_record(
                    staff=data["staff"],
                    kind=data["kind"],
                    description=data["description"],
                    evidence=data["evidence"],
                    permissions=data["permissions"],
                    actor=request.user,  # type: ignore[arg-type]
                )
            except DomainError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Misconduct recorded; permissions revoked: %(keys)s")
                    % {"keys": ", ".join(record.revoked) or "—"},
                    level=messages.SUCCESS,
                )
                return redirect("admin:staff_staffmisconduct_change", object_id=record.pk)
        return TemplateResponse(
            request,
            "admin/staff/discipline_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Record staff misconduct"),
                "form": form,
                "notice": _(
                    "The head of the staff member's department or compliance records misconduct with "
                    "evidence. The permissions ticked are revoked at once and the person's sessions and "
                    "API tokens end; the record counts in the month's performance figures (STF-7)."
                ),
            },
        )


class RewardSanctionForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=_staff_choices())
    kind = forms.ChoiceField(label=_("Kind"), choices=StaffRewardSanction.Kind.choices)
    period = forms.DateField(
        label=_("Month"), help_text=_("Any day of the month whose results the decision is based on.")
    )
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea, max_length=8000)


@admin.register(StaffRewardSanction)
class StaffRewardSanctionAdmin(admin.ModelAdmin):
    """STF-9: rewards and sanctions decided from a month's performance results (STF-7), kept with them."""

    list_display = ("period_month", "staff", "kind", "recorded_by", "recorded_at")
    list_filter = ("kind", "period", "staff__staff_profile__department")
    search_fields = ("staff__name", "staff__email", "staff__phone", "decision")
    list_select_related = ("staff", "recorded_by")
    readonly_fields = ("staff", "kind", "period", "decision", "figures", "recorded_by", "recorded_at")
    fields = readonly_fields

    @admin.display(description=_("month"), ordering="period")
    def period_month(self, record: StaffRewardSanction) -> str:
        return f"{record.period:%Y-%m}"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_discipline_anyone(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_discipline_anyone(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_discipline_anyone(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RewardSanctionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                record = staff_reward_sanction_record(
                    staff=data["staff"],
                    kind=data["kind"],
                    period=data["period"],
                    decision=data["decision"],
                    actor=request.user,  # type: ignore[arg-type]
                )
            except DomainError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(request, _("Recorded."), level=messages.SUCCESS)
                return redirect("admin:staff_staffrewardsanction_change", object_id=record.pk)
        return TemplateResponse(
            request,
            "admin/staff/discipline_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Record a reward or sanction"),
                "form": form,
                "notice": _(
                    "Decided from the month's performance results (the staff performance report, STF-7); "
                    "the person's figures of that month are kept with the decision. Only a month that has "
                    "ended can be decided on."
                ),
            },
        )
