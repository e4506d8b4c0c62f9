"""The merchant dashboard (/merchant/): sign-in, onboarding, re-verification, home and members.

Thin, server-rendered views: each one parses a form, calls the same selector or service the merchant API
calls, and renders a template (or an htmx partial). No business rule lives here; a service's domain
error is shown on the form it came from. ``merchant_required`` is shared by the catalog and orders
dashboards: it admits members of a shop in the roles a page allows (403 page otherwise).
The after-sales, complaints and disputes pages live in ``aftersales/dashboard.py`` and
``disputes/dashboard.py`` and admit the roles the merchant API admits (``merchants.permissions``).
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from catalog.models import Category
from merchants.models import (
    DocumentKind,
    Merchant,
    MerchantApplication,
    MerchantMember,
    Reverification,
)
from merchants.permissions import (
    AFTERSALES_REFUNDERS,
    AFTERSALES_RESPONDERS,
    DISPUTANTS,
    merchant_for_request,
    merchant_member_set,
    merchant_role_for_request,
)
from merchants.policies import CREDIT_GRADE_NAMES, kpi_policy
from merchants.selectors.applications import (
    application_list_for_applicant,
    application_missing_document_kinds,
    application_required_document_kinds,
)
from merchants.selectors.credit import credit_history_for_merchant, credit_latest_for_merchant
from merchants.selectors.documents import (
    document_list_current_for_merchant,
    document_list_expiring_for_merchant,
    reverification_list_for_merchant,
    reverification_open_for_merchant,
)
from merchants.selectors.kpis import kpi_latest_for_merchant
from merchants.selectors.members import member_list_for_merchant, merchant_for_member
from merchants.selectors.standing import (
    agreement_current,
    agreement_pending_for_merchant,
    merchant_deposit_balance,
    merchant_has_accepted_current_agreement,
    merchant_required_deposit,
)
from merchants.selectors.violations import (
    penalty_list_for_merchant,
    violation_get_for_merchant,
    violation_list_for_merchant,
)
from merchants.services.agreements import agreement_accept
from merchants.services.appeals import violation_appeal_submit
from merchants.services.applications import (
    application_create,
    application_document_add,
    application_submit,
    application_update,
)
from merchants.services.documents import merchant_document_add
from merchants.services.members import merchant_member_invite, merchant_member_remove
from merchants.services.reverification import reverification_submit
from platform_core.accounts.acting import request_user
from platform_core.accounts.models import User
from platform_core.accounts.services import user_register
from platform_core.errors import DomainError
from platform_core.hooks import Hook

Role = MerchantMember.Role

#: Who may open which part of the dashboard (a page outside a member's role answers 403).
ALL_ROLES = frozenset(Role.values)
LISTING_EDITORS = frozenset({Role.OWNER, Role.OPERATIONS})
APPELLANTS = frozenset({Role.OWNER, Role.OPERATIONS})
ORDER_SHIPPERS = frozenset({Role.OWNER, Role.OPERATIONS})
MONEY_ROLES = frozenset({Role.OWNER, Role.FINANCE})
OWNER_ONLY = frozenset({Role.OWNER})
#: after-sales: everyone who answers a request or refunds one sees the queue (AFS-3, AFS-4)
AFTERSALES_VIEWERS = frozenset(AFTERSALES_RESPONDERS) | frozenset(AFTERSALES_REFUNDERS)
AFTERSALES_ANSWERERS = frozenset(AFTERSALES_RESPONDERS)
AFTERSALES_PAYERS = frozenset(AFTERSALES_REFUNDERS)
COMPLAINANTS = frozenset(AFTERSALES_RESPONDERS)
DISPUTE_PARTIES = frozenset(DISPUTANTS)

View = Callable[..., HttpResponse]


# --- shared plumbing (used by catalog/dashboard.py and orders/dashboard.py) ------------------------------


def nav_items(role: str) -> list[dict[str, str]]:
    """The navigation a member sees: only the pages the role may open."""
    items = [
        ("home", _("Home"), ALL_ROLES),
        ("listings", _("Listings"), ALL_ROLES),
        ("orders", _("Orders"), ALL_ROLES),
        ("aftersales", _("After-sales"), AFTERSALES_VIEWERS),
        ("complaints", _("Complaints"), COMPLAINANTS),
        ("disputes", _("Disputes"), DISPUTE_PARTIES),
        ("money", _("Money"), MONEY_ROLES),
        ("standing", _("Standing"), ALL_ROLES),
        ("members", _("Members"), OWNER_ONLY),
    ]
    return [{"name": name, "label": str(label)} for name, label, roles in items if role in roles]


def page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, **kw: Any
) -> HttpResponse:
    """Render a dashboard page with the shop, the member's role and the navigation."""
    role = getattr(request, "merchant_role", "")
    base = {
        "merchant": getattr(request, "merchant", None),
        "role": role,
        "role_label": Role(role).label if role else "",
        "nav": nav_items(role) if role else [],
    }
    return render(request, template, base | (context or {}), **kw)


def merchant_required(roles: Iterable[str] = ALL_ROLES) -> Callable[[View], View]:
    """Admit a signed-in member of a trading or onboarding shop whose role is in ``roles``.

    Anonymous visitors go to the merchant sign-in; people without a shop go to onboarding; a member
    whose role does not allow the page gets a 403 page (e.g. customer service on the money pages).
    """
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("merchant:login"))
            found = merchant_for_member(user=request_user(request))
            if found is None:
                return redirect("merchant:onboarding")
            merchant_member_set(request, merchant=found[0], role=found[1])
            if found[1] not in allowed:
                return page(request, "merchant/403.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def signed_in_required(view: View) -> View:
    """Onboarding pages: any signed-in person (the shop may not exist yet)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("merchant:login"))
        found = merchant_for_member(user=request_user(request))
        if found is not None:
            merchant_member_set(request, merchant=found[0], role=found[1])
        return view(request, *args, **kwargs)

    return wrapped


def show_error(form: forms.Form | None, exc: Exception, request: HttpRequest | None = None) -> None:
    """Put a service's error on the form: field errors on their fields, the rest at the top."""
    if isinstance(exc, ValidationError):
        field_errors: dict[str, Any] = exc.message_dict if hasattr(exc, "error_dict") else {}
        general = [] if field_errors else list(exc.messages)
    elif isinstance(exc, DomainError):
        field_errors, general = dict(exc.errors), [exc.message]
    else:  # TransitionNotAllowed: the object is not in a state that allows this
        field_errors, general = {}, [str(_("This is not possible in the current state."))]
    for name, errors in field_errors.items():
        texts = errors if isinstance(errors, list) else [errors]
        if form is not None and name in form.fields:
            for text in texts:
                form.add_error(name, str(text))
        else:
            general.extend(f"{name}: {text}" for text in texts)
    for text in dict.fromkeys(general):
        if form is not None:
            form.add_error(None, text)
        elif request is not None:
            messages.error(request, text)


SERVICE_ERRORS = (DomainError, ValidationError, TransitionNotAllowed)


def not_found(request: HttpRequest) -> HttpResponse:
    """Another shop's object, or none: the same 404 page (SEC-1)."""
    return page(request, "merchant/404.html", status=404)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (evidence photos); the service checks each one's content (SEC-4)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def countdown(due: datetime | None) -> dict[str, Any] | None:
    """A deadline as the templates show it: the time, what is left, and whether it is close or past."""
    if due is None:
        return None
    left = due - timezone.now()
    seconds = int(left.total_seconds())
    hours, rest = divmod(abs(seconds), 3600)
    return {
        "at": due,
        "overdue": seconds < 0,
        "urgent": 0 <= seconds < 12 * 3600,
        "hours": hours,
        "minutes": rest // 60,
    }


# --- sign-in, sign-up -------------------------------------------------------------------------------------


class MerchantLoginView(LoginView):
    template_name = "merchant/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("merchant:home")

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.fields["username"].label = _("Mobile number or email")
        form.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        return form


class MerchantLogoutView(LogoutView):
    next_page = "merchant:login"


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters."),
    )


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Create the account a shop is applied for with, then go on to the application."""
    if request.user.is_authenticated:
        return redirect("merchant:onboarding")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(
                password=form.cleaned_data["password"],
                phone=form.cleaned_data["phone"] or None,
                email=form.cleaned_data["email"] or None,
                name=form.cleaned_data["name"],
            )
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            login(request, user, backend="platform_core.accounts.backends.PhoneOrEmailBackend")
            messages.success(request, _("Your account is ready. Now apply for your shop."))
            return redirect("merchant:onboarding")
    return page(request, "merchant/register.html", {"form": form})


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
    try:
        application_submit(application=application, actor=user)
    except SERVICE_ERRORS as exc:
        show_error(None, exc, request)
    else:
        messages.success(request, _("Submitted. We review applications within 3 working days."))
    return redirect("merchant:onboarding")


@merchant_required(ALL_ROLES)
@require_http_methods(["GET", "POST"])
def agreement(request: HttpRequest) -> HttpResponse:
    """MER-4: read the agreement in force and (the owner) accept it."""
    merchant = merchant_for_request(request)
    current = agreement_current()
    accepted = merchant_has_accepted_current_agreement(merchant=merchant)
    if request.method == "POST":
        if current is None:
            return redirect("merchant:home")
        try:
            agreement_accept(
                merchant=merchant,
                agreement=current,
                actor=request_user(request),
                ip=request.META.get("REMOTE_ADDR"),
            )
        except SERVICE_ERRORS as exc:
            show_error(None, exc, request)
            return redirect("merchant:agreement")
        messages.success(request, _("You accepted the platform service agreement."))
        return redirect("merchant:home")
    return page(request, "merchant/onboarding/agreement.html", {"agreement": current, "accepted": accepted})


# --- home ---------------------------------------------------------------------------------------------


home_action_sources = Hook[Callable[[HttpRequest, Merchant], list[dict[str, Any]]]](
    "merchants.home_action_sources",
    doc=(
        "The merchant dashboard's home page: what needs action in another app's pages, as dicts "
        '{"due": datetime | None, "kind": str, "title": str, "url": str} (the page sorts every action '
        "by due time, the most urgent first)."
    ),
)


@merchant_required(ALL_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """What needs action now, the most urgent first (orders to ship, after-sales requests and disputes
    waiting for the shop, expiring documents, re-verification, the agreement); the credit grade."""
    merchant = merchant_for_request(request)
    actions: list[dict[str, Any]] = []
    current = agreement_pending_for_merchant(merchant=merchant)
    if current is not None:
        actions.append(
            {
                "due": current.effective_at,
                "kind": "agreement",
                "title": _("Accept the platform service agreement %(version)s")
                % {"version": current.version},
                "url": reverse("merchant:agreement"),
            }
        )
    for document in document_list_expiring_for_merchant(merchant=merchant):
        assert document.valid_until is not None
        due = timezone.make_aware(
            datetime.combine(document.valid_until + timedelta(days=1), datetime.min.time())
        )
        actions.append(
            {
                "due": due,
                "kind": "document",
                "title": _("%(document)s expires on %(date)s: upload the renewed one")
                % {"document": document, "date": document.valid_until},
                "url": reverse("merchant:onboarding"),
            }
        )
    reverification = reverification_open_for_merchant(merchant=merchant)
    if reverification is not None and reverification.status == Reverification.Status.OPEN:
        actions.append(
            {
                "due": reverification.due_at,  # type: ignore[attr-defined]
                "kind": "reverification",
                "title": _("Re-verification is due: resubmit your current documents"),
                "url": reverse("merchant:reverification"),
            }
        )
    for source in home_action_sources:
        actions.extend(source(request, merchant))
    far = timezone.now() + timedelta(days=3650)
    actions.sort(key=lambda a: a["due"] or far)
    for action in actions:
        action["countdown"] = countdown(action["due"])
    context = {
        "actions": actions,
        "grade_name": CREDIT_GRADE_NAMES.get(merchant.credit_grade or 0, ""),
        "reverification": reverification,
    }
    return page(request, "merchant/home.html", context)


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
    try:
        reverification_submit(reverification=current, actor=request_user(request))
    except SERVICE_ERRORS as exc:
        show_error(None, exc, request)
    else:
        messages.success(request, _("Submitted. Staff verify your documents next."))
    return redirect("merchant:reverification")


# --- members ------------------------------------------------------------------------------------------


class InviteForm(forms.Form):
    login = forms.CharField(label=_("Their mobile number or email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in Role if r != Role.OWNER])


@merchant_required(OWNER_ONLY)
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    """The owner adds staff accounts with a role (they must have registered first) and removes them."""
    merchant = merchant_for_request(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merchant_member_invite(merchant=merchant, actor=request_user(request), **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Member added."))
            return redirect("merchant:members")
    context = {"members": list(member_list_for_merchant(merchant=merchant)), "form": form}
    return page(request, "merchant/members.html", context, status=400 if form.errors else 200)


@merchant_required(OWNER_ONLY)
@require_POST
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    member = member_list_for_merchant(merchant=merchant_for_request(request)).filter(pk=member_id).first()
    if member is None:
        return page(request, "merchant/404.html", status=404)
    try:
        merchant_member_remove(member=member, actor=request_user(request))
    except SERVICE_ERRORS as exc:
        show_error(None, exc, request)
    else:
        messages.success(request, _("Member removed."))
    return redirect("merchant:members")


# --- standing: credit, KPIs, violations and penalties -----------------------------------------------


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("Why the violation should be voided"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


@merchant_required(ALL_ROLES)
def standing(request: HttpRequest) -> HttpResponse:
    """REP-3, VIO-1..VIO-6: the credit grade with its components and history, KPIs against their
    thresholds, the violations of the past year (appeal within 7 days) and the penalties in force."""
    merchant = merchant_for_request(request)
    policies = kpi_policy()
    kpis = [
        {"kpi": kpi, "policy": policies.get(kpi.kpi)} for kpi in kpi_latest_for_merchant(merchant=merchant)
    ]
    history = credit_history_for_merchant(merchant=merchant)
    context = {
        "credit": credit_latest_for_merchant(merchant=merchant),
        "grade_names": CREDIT_GRADE_NAMES,
        "history": history,
        "kpis": kpis,
        "violations": list(violation_list_for_merchant(merchant=merchant)),
        "penalties": list(penalty_list_for_merchant(merchant=merchant)),
        "may_appeal": merchant_role_for_request(request) in APPELLANTS,
        "appeal_form": AppealForm(),
    }
    return page(request, "merchant/standing.html", context)


@merchant_required(APPELLANTS)
@require_POST
def violation_appeal(request: HttpRequest, violation_id: int) -> HttpResponse:
    """VIO-4: appeal a violation with a statement (the service enforces the 7-day window)."""
    merchant = merchant_for_request(request)
    try:
        violation = violation_get_for_merchant(merchant=merchant, violation_id=violation_id)
    except DomainError:
        return page(request, "merchant/404.html", status=404)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            violation_appeal_submit(
                violation=violation,
                statement=form.cleaned_data["statement"],
                evidence={},
                actor=request_user(request),
            )
        except SERVICE_ERRORS as exc:
            show_error(None, exc, request)
        else:
            messages.success(request, _("Appeal submitted. Staff decide within 5 working days."))
    else:
        messages.error(request, _("Write why the violation should be voided."))
    return redirect("merchant:standing")
