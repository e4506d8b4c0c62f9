"""The merchant dashboard's change reports (MER-6a): report a change of the shop's registered details,
with the documents that prove it; the 3-working-day duty to report shown as a countdown once a document
was replaced, and staff's 7-working-day verification clock on each report.

Thin views over ``merchants.services.changes`` / ``merchants.services.documents`` and their selectors —
what ``/api/v1/merchant/changes/`` and the re-verification page call. Every member reads; the owner
reports (the services check it).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from merchants.dashboard.base import (
    ALL_ROLES,
    OWNER_ONLY,
    SERVICE_ERRORS,
    countdown,
    merchant_required,
    page,
    show_error,
)
from merchants.dashboard.onboarding import DocumentForm
from merchants.permissions import merchant_for_request, merchant_role_for_request
from merchants.selectors.documents import (
    change_list_for_merchant,
    change_report_duty_for_merchant,
    document_list_current_for_merchant,
)
from merchants.services.changes import merchant_change_report
from merchants.services.documents import merchant_document_add
from platform_core.accounts.acting import request_user


class ChangeForm(forms.Form):
    """MER-6a: the registered details that changed (only those filled in are reported)."""

    legal_name = forms.CharField(label=_("Registered name"), max_length=200, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100, required=False)
    registered_address = forms.CharField(label=_("Registered address"), max_length=300, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any((value or "").strip() for value in data.values()):
            raise forms.ValidationError(_("Fill in at least one changed detail."))
        return data


def _changes_page(
    request: HttpRequest, *, change_form: ChangeForm | None = None, document_form: DocumentForm | None = None
) -> HttpResponse:
    merchant = merchant_for_request(request)
    duty = change_report_duty_for_merchant(merchant=merchant)
    changes = list(change_list_for_merchant(merchant=merchant)[:20])
    context = {
        "duty": duty,
        "duty_countdown": countdown(duty["due_at"]) if duty else None,  # type: ignore[arg-type]
        "rows": [(c, countdown(c.due_at)) for c in changes],  # type: ignore[attr-defined]
        "documents": list(document_list_current_for_merchant(merchant=merchant)),
        "change_form": change_form or ChangeForm(),
        "document_form": document_form or DocumentForm(),
        "may_report": merchant_role_for_request(request) in OWNER_ONLY,
    }
    status = 400 if change_form is not None or document_form is not None else 200
    return page(request, "merchant/changes/list.html", context, status=status)


@merchant_required(ALL_ROLES)
def changes(request: HttpRequest) -> HttpResponse:
    """MER-6a: the reports made, the duty running, the documents in force, and (the owner) the forms."""
    return _changes_page(request)


@merchant_required(OWNER_ONLY)
@require_POST
def change_report(request: HttpRequest) -> HttpResponse:
    """MER-6a: report the changed details; staff verify them within 7 working days."""
    form = ChangeForm(request.POST)
    if not form.is_valid():
        return _changes_page(request, change_form=form)
    reported = {name: value.strip() for name, value in form.cleaned_data.items() if (value or "").strip()}
    try:
        merchant_change_report(
            merchant=merchant_for_request(request), changes=reported, actor=request_user(request)
        )
    except SERVICE_ERRORS as exc:
        show_error(form, exc)
        return _changes_page(request, change_form=form)
    messages.success(request, _("Change reported. Staff verify it within 7 working days."))
    return redirect("merchant:changes")


@merchant_required(OWNER_ONLY)
@require_POST
def change_document(request: HttpRequest) -> HttpResponse:
    """MER-6a, SEC-4: upload the document proving the change (it supersedes the one of its kind); the
    3-working-day duty to report the change runs from the upload."""
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _changes_page(request, document_form=form)
    try:
        merchant_document_add(
            merchant=merchant_for_request(request), actor=request_user(request), **form.cleaned_data
        )
    except SERVICE_ERRORS as exc:
        show_error(form, exc)
        return _changes_page(request, document_form=form)
    messages.success(request, _("Document uploaded. Report the changed details within 3 working days."))
    return redirect("merchant:changes")
