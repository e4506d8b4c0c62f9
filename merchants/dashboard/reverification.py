"""The merchant dashboard's re-verification pages (MER-6)."""

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
    run_action,
    show_error,
)
from merchants.dashboard.onboarding import DocumentForm
from merchants.permissions import (
    merchant_for_request,
    merchant_role_for_request,
)
from merchants.selectors.documents import (
    document_list_current_for_merchant,
    reverification_list_for_merchant,
    reverification_open_for_merchant,
)
from merchants.services.documents import merchant_document_add
from merchants.services.reverification import reverification_submit
from platform_core.accounts.acting import request_user

# --- re-verification (MER-6) ----------------------------------------------------------------------------


@merchant_required(ALL_ROLES)
def reverification(request: HttpRequest) -> HttpResponse:
    """MER-6: when re-verification is due, the deadline (trading is suspended after it), the documents in
    force, and (the owner) the upload of current documents and the submission for review."""
    return _reverification_page(request, DocumentForm())


def _reverification_page(request: HttpRequest, form: DocumentForm, status: int = 200) -> HttpResponse:
    merchant = merchant_for_request(request)
    current = reverification_open_for_merchant(merchant=merchant)
    context = {
        "reverification": current,
        "countdown": countdown(current.due_at) if current is not None else None,  # type: ignore[attr-defined]
        "history": list(reverification_list_for_merchant(merchant=merchant)[:10]),
        "documents": list(document_list_current_for_merchant(merchant=merchant)),
        "document_form": form,
        "may_submit": merchant_role_for_request(request) in OWNER_ONLY,
    }
    return page(request, "merchant/reverification.html", context, status=status)


@merchant_required(OWNER_ONLY)
@require_POST
def reverification_document(request: HttpRequest) -> HttpResponse:
    """MER-6, MER-7, SEC-4: a current document; it replaces the one of its kind (the service checks it)."""
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            merchant_document_add(
                merchant=merchant_for_request(request), actor=request_user(request), **form.cleaned_data
            )
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Document uploaded."))
            return redirect("merchant:reverification")
    return _reverification_page(request, form, status=400)


@merchant_required(OWNER_ONLY)
@require_POST
def reverification_send(request: HttpRequest) -> HttpResponse:
    """MER-6: the current documents are uploaded: ask staff to verify them."""
    current = reverification_open_for_merchant(merchant=merchant_for_request(request))
    if current is None:
        messages.info(request, _("No re-verification is due."))
        return redirect("merchant:reverification")
    return run_action(
        request,
        lambda: reverification_submit(reverification=current, actor=request_user(request)),
        success=_("Submitted. Staff verify your documents next."),
        redirect_to="merchant:reverification",
    )
