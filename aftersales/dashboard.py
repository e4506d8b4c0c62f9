"""The merchant dashboard's after-sales and complaints pages: the queue of requests with the 24/48-hour
response countdown, a request with its evidence and timeline and the merchant's actions (approve, refuse
with a reason, confirm a return's receipt, issue the refund, ship an exchange or repair back); complaints
about the shop with their history, and a complaint filed by the shop (CMP-1).

Thin views over ``aftersales.services`` / ``aftersales.selectors`` — the calls ``/api/v1/merchant/
aftersales/`` and ``/api/v1/complaints/`` make. Evidence files open through the API's file route, which
checks the viewer (SEC-4).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.models import AfterSalesRequest, Complaint
from aftersales.selectors import (
    aftersales_policy_for_merchant,
    complaint_clock,
    complaint_get_for_merchant,
    complaint_list_for_merchant,
    request_clock,
    request_events,
    request_get_for_merchant,
    request_list_for_merchant,
)
from aftersales.services.complaints import complaint_file
from aftersales.services.policies import aftersales_policy_set
from aftersales.services.requests import request_approve, request_refuse
from aftersales.services.returns import request_confirm_receipt, request_refund_issue, request_reship
from merchants.dashboard.base import (
    AFTERSALES_ANSWERERS,
    AFTERSALES_PAYERS,
    AFTERSALES_VIEWERS,
    COMPLAINANTS,
    SERVICE_ERRORS,
    MultipleFileField,
    countdown,
    merchant_required,
    not_found,
    order_action_annotations,
    order_actions,
    page,
    shop_object,
    show_error,
)
from merchants.models import Merchant, MerchantMember
from merchants.permissions import merchant_for_request, merchant_role_for_request
from orders.selectors.orders import order_list_for_merchant
from platform_core.accounts.acting import request_user
from platform_core.errors import DomainError, NotFound

PAGE_SIZE = 20
RS = AfterSalesRequest.Status

#: The queue's filter tabs: name -> (label, the states shown).
FILTERS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "awaiting_response": (_("Awaiting your response"), (RS.REQUESTED,)),
    "awaiting_return": (_("Approved, awaiting the return"), (RS.APPROVED, RS.AWAITING_RETURN)),
    "returned": (_("Returned, awaiting receipt"), (RS.RETURN_SHIPPED, RS.RETURN_RECEIVED)),
    "refused": (_("Refused or escalated"), (RS.REFUSED, RS.ESCALATED)),
    "closed": (
        _("Closed"),
        (RS.REFUNDED, RS.RESHIPPED, RS.REPAIRED, RS.WITHDRAWN, RS.LAPSED, RS.CLOSED),
    ),
    "all": (_("All"), ()),
}


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Note to the customer"), max_length=2000, required=False)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you refuse (the customer sees this and may escalate it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class ReshipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=32)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)


class ComplaintForm(forms.Form):
    target_kind = forms.ChoiceField(
        label=_("About"),
        choices=[
            (Complaint.TargetKind.ORDER, _("An order of the shop (e.g. a customer's conduct)")),
            (Complaint.TargetKind.PLATFORM, _("The platform's service")),
        ],
    )
    order_number = forms.CharField(
        label=_("Order number"), max_length=32, required=False, help_text=_("For a complaint about an order.")
    )
    category = forms.ChoiceField(label=_("Category"), choices=Complaint.Category.choices)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    evidence = MultipleFileField(label=_("Evidence (PDF, JPEG or PNG)"))


# --- home: requests waiting for the shop ----------------------------------------------------------------


def aftersales_actions(request: HttpRequest, merchant: Merchant) -> list[dict[str, Any]]:
    """AFS-3, AFS-4: requests awaiting the shop's response (24/48 h) and delivered returns awaiting the
    confirmation of receipt, each with its clock."""
    waiting = request_list_for_merchant(
        merchant=merchant, statuses=(RS.REQUESTED, RS.RETURN_SHIPPED)
    ).prefetch_related(None)[:10]
    actions = []
    for found in waiting:
        clock = request_clock(found)
        if found.status == RS.RETURN_SHIPPED and found.return_delivered_at is None:
            continue  # still in transit: nothing for the shop to do yet
        title = (
            _("Answer after-sales request #%(id)s (order %(number)s)")
            if found.status == RS.REQUESTED
            else _("Confirm receipt of the return of request #%(id)s (order %(number)s)")
        )
        actions.append(
            {
                "due": clock["due_at"] if clock else None,
                "kind": "aftersales",
                "title": title % {"id": found.pk, "number": found.order.number},
                "url": reverse("merchant:aftersales-request", kwargs={"request_id": found.pk}),
            }
        )
    return actions


# --- after-sales requests ------------------------------------------------------------------------------


def _with_clock(found: AfterSalesRequest) -> dict[str, Any] | None:
    clock = request_clock(found)
    return countdown(clock["due_at"]) if clock else None


@merchant_required(AFTERSALES_VIEWERS)
def aftersales(request: HttpRequest) -> HttpResponse:
    """AFS-3: the queue, the request whose clock runs out first on top, with the time left."""
    current = request.GET.get("filter", "awaiting_response")
    if current not in FILTERS:
        current = "awaiting_response"
    queryset = request_list_for_merchant(
        merchant=merchant_for_request(request), statuses=FILTERS[current][1]
    ).prefetch_related(None)
    request_page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": request_page,
        "rows": [(found, _with_clock(found)) for found in request_page.object_list],
        "filters": [(name, label) for name, (label, _states) in FILTERS.items()],
        "current": current,
        "may_edit_policy": merchant_role_for_request(request) in POLICY_EDITORS,
    }
    return page(request, "merchant/aftersales/list.html", context)


def _request_or_none(request: HttpRequest, request_id: int) -> AfterSalesRequest | None:
    return shop_object(request, request_get_for_merchant, request_id=request_id)


def _request_page(
    request: HttpRequest,
    found: AfterSalesRequest,
    *,
    forms_: dict[str, forms.Form] | None = None,
    actions: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    role = merchant_role_for_request(request)
    answers = role in AFTERSALES_ANSWERERS
    context = {
        "req": found,
        "evidence": list(found.evidence.all()),
        "events": list(request_events(request=found)),
        "countdown": _with_clock(found),
        "may_answer": answers and found.status == RS.REQUESTED,
        "may_confirm_receipt": answers and found.status == RS.RETURN_SHIPPED,
        "may_refund": role in AFTERSALES_PAYERS
        and found.kind in AfterSalesRequest.REFUND_KINDS
        and found.status in (RS.APPROVED, RS.RETURN_RECEIVED),
        "may_reship": answers
        and found.status == RS.RETURN_RECEIVED
        and found.kind in (AfterSalesRequest.Kind.EXCHANGE, AfterSalesRequest.Kind.REPAIR),
        "approve_form": ApproveForm(),
        "refuse_form": RefuseForm(),
        "reship_form": ReshipForm(),
        "order_actions": actions or [],  # e.g. DSP-1: open a dispute (on the request's own page)
    } | (forms_ or {})
    status = 400 if forms_ else 200
    return page(request, "merchant/aftersales/detail.html", context, status=status)


@merchant_required(AFTERSALES_VIEWERS)
def aftersales_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """AFS-1..AFS-6: the request, the customer's evidence, its clock and timeline, and what to do next;
    what other apps offer on its order (DSP-1: open a dispute) read with the request."""
    annotations = order_action_annotations(request, OuterRef("order_id"))
    try:
        found = request_get_for_merchant(
            merchant=merchant_for_request(request), request_id=request_id, annotations=annotations
        )
    except NotFound:
        return not_found(request)
    return _request_page(request, found, actions=order_actions(request, found.order_id, found, annotations))


def _act(request: HttpRequest, request_id: int, act: Any, form_class: Any, form_name: str, done: Any) -> Any:
    """Run one merchant action on one request: 404 for another shop's, the form's errors in place (400),
    the service's error as a message, else back to the request with ``done``."""
    found = _request_or_none(request, request_id)
    if found is None:
        return not_found(request)
    form = form_class(request.POST) if form_class is not None else None
    if form is not None and not form.is_valid():
        return _request_page(request, found, forms_={form_name: form})
    try:
        act(found, request_user(request), form.cleaned_data if form is not None else {})
    except SERVICE_ERRORS as exc:
        if form is not None and isinstance(exc, DomainError) and exc.errors:  # a field's problem: on the form
            show_error(form, exc)
            return _request_page(request, found, forms_={form_name: form})
        show_error(None, exc, request)
    else:
        messages.success(request, done)
    return redirect("merchant:aftersales-request", request_id=found.pk)


@merchant_required(AFTERSALES_ANSWERERS)
@require_POST
def aftersales_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    """AFS-3, AFS-4: approve; refund-only is refunded at once, a return waits for the parcel."""
    return _act(
        request,
        request_id,
        lambda found, actor, data: request_approve(request=found, actor=actor, note=data.get("note", "")),
        ApproveForm,
        "approve_form",
        _("Request approved."),
    )


@merchant_required(AFTERSALES_ANSWERERS)
@require_POST
def aftersales_refuse(request: HttpRequest, request_id: int) -> HttpResponse:
    """AFS-5: refuse, with the reason the customer sees."""
    return _act(
        request,
        request_id,
        lambda found, actor, data: request_refuse(request=found, reason=data["reason"], actor=actor),
        RefuseForm,
        "refuse_form",
        _("Request refused."),
    )


@merchant_required(AFTERSALES_ANSWERERS)
@require_POST
def aftersales_confirm_receipt(request: HttpRequest, request_id: int) -> HttpResponse:
    """AFS-4: the return arrived; a return-and-refund is refunded at once."""
    return _act(
        request,
        request_id,
        lambda found, actor, data: request_confirm_receipt(request=found, actor=actor),
        None,
        "",
        _("Receipt of the return confirmed."),
    )


@merchant_required(AFTERSALES_PAYERS)
@require_POST
def aftersales_refund(request: HttpRequest, request_id: int) -> HttpResponse:
    """AFS-4, PAY-5: issue the refund the system could not pay at once."""
    return _act(
        request,
        request_id,
        lambda found, actor, data: request_refund_issue(request=found, actor=actor),
        None,
        "",
        _("Refund issued."),
    )


@merchant_required(AFTERSALES_ANSWERERS)
@require_POST
def aftersales_reship(request: HttpRequest, request_id: int) -> HttpResponse:
    """AFS-6: ship the replacement (exchange) or the repaired item back."""
    return _act(
        request,
        request_id,
        lambda found, actor, data: request_reship(request=found, actor=actor, **data),
        ReshipForm,
        "reship_form",
        _("Shipped back to the customer."),
    )


# --- complaints ----------------------------------------------------------------------------------------


@merchant_required(COMPLAINANTS)
@require_http_methods(["GET", "POST"])
def complaints(request: HttpRequest) -> HttpResponse:
    """CMP-1, CMP-2: complaints about the shop and those it filed, with their status and clocks; the
    form to file one (about an order of the shop, or the platform's service)."""
    merchant = merchant_for_request(request)
    form = ComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order_id = None
        if data["target_kind"] == Complaint.TargetKind.ORDER:
            order = order_list_for_merchant(merchant=merchant).filter(number=data["order_number"]).first()
            if order is None:
                form.add_error("order_number", _("No order of the shop has this number."))
            else:
                order_id = order.pk
        if not form.errors:
            try:
                complaint = complaint_file(
                    complainant=request_user(request),
                    target_kind=data["target_kind"],
                    category=data["category"],
                    description=data["description"],
                    order_id=order_id,
                    evidence=data["evidence"],
                    actor=request_user(request),
                )
            except SERVICE_ERRORS as exc:
                show_error(form, exc)
            else:
                messages.success(
                    request, _("Complaint filed. Customer service acknowledges it within 24 hours.")
                )
                return redirect("merchant:complaint", complaint_id=complaint.pk)
    complaint_page = Paginator(complaint_list_for_merchant(merchant=merchant), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page_obj": complaint_page,
        "rows": [
            (c, countdown(clock["due_at"]) if (clock := complaint_clock(c)) else None)
            for c in complaint_page.object_list
        ],
        "form": form,
    }
    return page(request, "merchant/complaints/list.html", context, status=400 if form.errors else 200)


@merchant_required(COMPLAINANTS)
def complaint(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """CMP-2: one complaint with every recorded step and the answer."""
    try:
        found = complaint_get_for_merchant(merchant=merchant_for_request(request), complaint_id=complaint_id)
    except NotFound:
        return not_found(request)
    clock = complaint_clock(found)
    context = {
        "complaint": found,
        "steps": list(found.steps.all()),
        "evidence": list(found.evidence.all()),
        "countdown": countdown(clock["due_at"]) if clock else None,
        "filed_by_shop": found.complainant_merchant_id == merchant_for_request(request).pk,
    }
    return page(request, "merchant/complaints/detail.html", context)


# --- the shop's after-sales policy (ORD-1, AFS-1, AFS-4) -----------------------------------------------

#: who may change the policy: the roles ``PUT /api/v1/merchant/aftersales-policy/`` admits
POLICY_EDITORS = frozenset({MerchantMember.Role.OWNER, MerchantMember.Role.OPERATIONS})


class AfterSalesPolicyForm(forms.Form):
    pays_no_reason_return_shipping = forms.BooleanField(
        label=_("The shop pays the return shipping of no-reason returns"), required=False
    )
    warranty_days = forms.IntegerField(
        label=_("Repair warranty (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Empty: the platform's default warranty."),
    )
    exchange_repair_terms = forms.CharField(
        label=_("Exchange and repair terms"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the shop offers for exchanges and repairs beyond the law."),
    )


@merchant_required(POLICY_EDITORS)
@require_http_methods(["GET", "POST"])
def aftersales_policy(request: HttpRequest) -> HttpResponse:
    """ORD-1: the shop's after-sales policy; a change applies to orders placed afterwards only (each
    order's contract keeps the policy of its purchase). The service audits the change."""
    merchant = merchant_for_request(request)
    policy = aftersales_policy_for_merchant(merchant=merchant)
    initial = {
        "pays_no_reason_return_shipping": policy.pays_no_reason_return_shipping,
        "warranty_days": policy.warranty_days,
        "exchange_repair_terms": policy.exchange_repair_terms,
    }
    form = AfterSalesPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            aftersales_policy_set(merchant=merchant, actor=request_user(request), **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("After-sales policy saved. It applies to orders placed from now on."))
            return redirect("merchant:aftersales-policy")
    context = {"form": form, "policy": policy, "saved": policy.pk is not None}
    return page(request, "merchant/aftersales/policy.html", context, status=400 if form.errors else 200)
