"""What the staff admins share: the action bar with a reason (and a department) and running a service over
the selected rows, a refused row reported and the others done."""

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
    Department,
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
