"""The merchant dashboard's onboarding (MER-1..MER-5): application, documents, review status, agreement
and deposit.

Thin, server-rendered views: each one parses a form, calls the same selector or service the merchant API
calls, and renders a template. No business rule lives here.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from catalog.models import Category
from merchants.dashboard.base import (
    ALL_ROLES,
    SERVICE_ERRORS,
    merchant_required,
    page,
    run_action,
    show_error,
    signed_in_required,
)
from merchants.models import (
    DocumentKind,
    Merchant,
    MerchantApplication,
)
from merchants.permissions import merchant_for_request
from merchants.selectors.applications import (
    application_list_for_applicant,
    application_missing_document_kinds,
    application_required_document_kinds,
)
from merchants.selectors.standing import (
    agreement_banner_annotations,
    agreement_current,
    agreement_to_accept_for_merchant,
    merchant_deposit_balance,
    merchant_has_accepted_current_agreement,
    merchant_required_deposit,
)
from merchants.services.agreements import agreement_accept
from merchants.services.applications import (
    application_create,
    application_document_add,
    application_submit,
    application_update,
)
from platform_core.accounts.acting import request_user
from platform_core.accounts.models import User

# --- onboarding: application, documents, review status, agreement, deposit ----------------------------


class ApplicationForm(forms.Form):
    shop_name = forms.CharField(label=_("Shop name"), max_length=100)
    legal_name = forms.CharField(label=_("Legal name (as on the business licence)"), max_length=200)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, min_length=18)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100)
    registered_address = forms.CharField(label=_("Registered address"), max_length=300)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)
    contact_email = forms.EmailField(label=_("Contact email"))
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories you want to sell in"),
        queryset=Category.objects.order_by("slug"),
        widget=forms.CheckboxSelectMultiple,
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    number = forms.CharField(label=_("Number"), max_length=100)
    issuer = forms.CharField(label=_("Issued by"), max_length=200)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a long-term document."),
    )
    file = forms.FileField(label=_("Scan (PDF, JPEG or PNG)"))


def _latest_application(user: User) -> MerchantApplication | None:
    return application_list_for_applicant(user=user).prefetch_related("documents", "categories").first()


def _is_editable(application: MerchantApplication | None) -> bool:
    return application is not None and application.status in (
        MerchantApplication.Status.DRAFT,
        MerchantApplication.Status.NEEDS_MORE_INFO,
    )


@signed_in_required
def onboarding(request: HttpRequest) -> HttpResponse:
    """MER-1..MER-5: where the shop stands on the way to trading, step by step."""
    user = request_user(request)
    application = _latest_application(user)
    merchant: Merchant | None = getattr(request, "merchant", None)
    context: dict[str, Any] = {"application": application, "editable": _is_editable(application)}
    if application is not None:
        kinds = dict(DocumentKind.choices)
        context["documents"] = [d for d in application.documents.all() if d.superseded_at is None]
        context["required_kinds"] = [
            kinds.get(k, k) for k in application_required_document_kinds(application=application)
        ]
        context["missing_kinds"] = [
            kinds.get(k, k) for k in application_missing_document_kinds(application=application)
        ]
        context["document_form"] = DocumentForm()
    if merchant is not None:
        agreement = agreement_current()
        context |= {
            "agreement": agreement,
            "agreement_accepted": merchant_has_accepted_current_agreement(merchant=merchant),
            "deposit_balance": merchant_deposit_balance(merchant=merchant),
            "deposit_required": merchant_required_deposit(merchant=merchant),
        }
    return page(request, "merchant/onboarding/status.html", context)


@signed_in_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest) -> HttpResponse:
    """MER-1: start an application, or change one that is a draft or was sent back."""
    user = request_user(request)
    application = _latest_application(user)
    editing = application if _is_editable(application) else None
    if (
        application is not None
        and editing is None
        and application.status != MerchantApplication.Status.REJECTED
    ):
        messages.info(request, _("Your application can no longer be changed."))
        return redirect("merchant:onboarding")
    initial = {}
    if editing is not None:
        initial = {
            name: getattr(editing, name) for name in ApplicationForm.base_fields if name != "categories"
        }
        initial["categories"] = list(editing.categories.all())
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        category_ids = [c.pk for c in data.pop("categories")]
        try:
            if editing is None:
                application_create(applicant=user, category_ids=category_ids, actor=user, **data)
            else:
                application_update(application=editing, category_ids=category_ids, actor=user, **data)
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Application saved. Now upload your documents."))
            return redirect("merchant:onboarding")
    return page(request, "merchant/onboarding/application.html", {"form": form, "editing": editing})


@signed_in_required
@require_POST
def application_document_upload(request: HttpRequest) -> HttpResponse:
    """MER-1, SEC-4: a qualification document with its validity dates (content-checked by the service)."""
    user = request_user(request)
    application = _latest_application(user)
    if not _is_editable(application):
        messages.error(request, _("Your application can no longer be changed."))
        return redirect("merchant:onboarding")
    assert application is not None
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            application_document_add(application=application, actor=user, **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Document uploaded."))
            return redirect("merchant:onboarding")
    kinds = dict(DocumentKind.choices)
    context = {
        "application": application,
        "editable": True,
        "documents": [d for d in application.documents.all() if d.superseded_at is None],
        "missing_kinds": [
            kinds.get(k, k) for k in application_missing_document_kinds(application=application)
        ],
        "required_kinds": [
            kinds.get(k, k) for k in application_required_document_kinds(application=application)
        ],
        "document_form": form,
    }
    return page(request, "merchant/onboarding/status.html", context, status=400)


@signed_in_required
@require_POST
def application_send(request: HttpRequest) -> HttpResponse:
    """MER-1, MER-2: submit the application for review (refused while documents are missing)."""
    user = request_user(request)
    application = _latest_application(user)
    if application is None:
        return redirect("merchant:onboarding")
    return run_action(
        request,
        lambda: application_submit(application=application, actor=user),
        success=_("Submitted. We review applications within 3 working days."),
        redirect_to="merchant:onboarding",
    )


@merchant_required(ALL_ROLES)
@require_http_methods(["GET", "POST"])
def agreement(request: HttpRequest) -> HttpResponse:
    """MER-4: read the agreement in force and (the owner) accept it; a new version published during its
    7-day notice is shown too and may be accepted ahead (the banner on every page links here)."""
    merchant = merchant_for_request(request)
    current = agreement_current()
    accepted = merchant_has_accepted_current_agreement(merchant=merchant)
    newest = agreement_to_accept_for_merchant(merchant=merchant)
    upcoming = newest if newest is not None and newest != current else None
    if request.method == "POST":
        chosen = (
            upcoming if upcoming is not None and request.POST.get("version") == upcoming.version else current
        )
        if chosen is None:
            return redirect("merchant:home")
        try:
            agreement_accept(
                merchant=merchant,
                agreement=chosen,
                actor=request_user(request),
                ip=request.META.get("REMOTE_ADDR"),
            )
        except SERVICE_ERRORS as exc:
            show_error(None, exc, request)
            return redirect("merchant:agreement")
        messages.success(request, _("You accepted the platform service agreement."))
        return redirect("merchant:home")
    context = {"agreement": current, "accepted": accepted, "upcoming": upcoming}
    return page(request, "merchant/onboarding/agreement.html", context)


def agreement_banner_query(request: HttpRequest) -> dict[str, Any]:
    """MER-4: what the agreement banner needs, found with the member's shop (``dashboard_banner_queries``)."""
    return agreement_banner_annotations()


def agreement_banner(request: HttpRequest, values: dict[str, Any]) -> list[dict[str, str]]:
    """MER-4: a banner on every page while the newest published agreement version (in force, or during its
    notice) is not accepted; the agreement page itself says it (``dashboard_banners``)."""
    version = values.get("mer4_agreement_version")
    if version is None or values.get("mer4_agreement_accepted"):
        return []
    if request.resolver_match is not None and request.resolver_match.url_name == "agreement":
        return []
    effective_at = values["mer4_agreement_effective_at"]
    return [
        {
            "kind": "agreement",
            "text": str(
                _("Platform service agreement v%(version)s, in force from %(date)s, awaits your acceptance.")
                % {"version": version, "date": localtime(effective_at).strftime("%Y-%m-%d")}
            ),
            "url": reverse("merchant:agreement"),
            "link": str(_("Read and accept")),
        }
    ]
