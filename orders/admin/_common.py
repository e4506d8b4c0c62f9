"""The orders admin's shared pieces: read-only inlines and admins, the reason form, the masked payer
account, and running a service from an action (its error shown, never a 500)."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from orders.models import (
    Payment,
)
from platform_core.accounts.masking import mask_bank_account
from platform_core.accounts.models import User
from platform_core.admin_site import ViewOnlyMixin
from platform_core.errors import DomainError


class ReasonActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class PayerAccountMasked:
    @admin.display(description=_("payer account"))
    def payer_account_masked(self, payment: Payment) -> str:
        """REP-2, DSP-6: the payer's account at the provider, masked (SEC-2): its last 4 characters."""
        return mask_bank_account(payment.payer_account)


def _staff(request: HttpRequest) -> User:
    return cast(User, request.user)


def _run(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any], call: Any, *, label: str = ""
) -> None:
    """Run ``call(obj, reason)`` on each selected row; ``label`` names the rows when they are not orders."""
    reason = str(request.POST.get("reason", "")).strip()
    if not reason:
        modeladmin.message_user(request, _("Give a reason for the action."), level=messages.ERROR)
        return
    done = 0
    for obj in queryset:
        try:
            call(obj, reason)
            done += 1
        except (DomainError, TransitionNotAllowed) as exc:
            name = getattr(obj, "number", None) or f"{label} {obj.pk}"
            modeladmin.message_user(request, f"{name}: {getattr(exc, 'message', exc)}", level=messages.ERROR)
    if done:
        message = _("%(n)d done.") if label else _("%(n)d order(s) done.")
        modeladmin.message_user(request, message % {"n": done}, level=messages.SUCCESS)


#: SEC-2: what an order says about its customer (shown masked without ``staff.view_personal_data``)


class ReadOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Rows people look at and services change (``ViewOnlyMixin``)."""
