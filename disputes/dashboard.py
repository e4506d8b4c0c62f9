"""The merchant dashboard's disputes pages: opening a case on an order with an unresolved complaint, with
the reason and the first evidence files (DSP-1; offered on the order's and its after-sales requests' pages
through ``order_action_sources``), the shop's cases with the running stage deadline, a case with
both sides' evidence, the mediation proposals and the rulings, the shop's statement and files (DSP-2),
the answer to a mediation proposal, the appeal of a ruling within its window and the receipt of a
returned item (DSP-4). The consent to the public jury (DSP-6) is the jury app's page (``jury/dashboard.py``).

Thin views over ``disputes.services`` / ``disputes.selectors`` — the calls ``/api/v1/merchant/disputes/``
makes. Evidence files open through the API's file route, which checks the viewer (SEC-4).
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from disputes.models import Dispute, DisputeReturn, MediationProposal, Party
from disputes.selectors import (
    dispute_events_for_parties,
    dispute_get_for_merchant,
    dispute_list_awaiting_evidence_for_merchant,
    dispute_list_with_deadline_for_merchant,
    dispute_openable_complaints_for_merchant,
    dispute_openable_on_order,
    dispute_return_of,
)
from disputes.services.appeal import dispute_appeal
from disputes.services.evidence import dispute_evidence_submit
from disputes.services.mediation import proposal_answer
from disputes.services.opening import dispute_open_on_complaint
from disputes.services.returns import dispute_return_receive
from merchants.dashboard.base import (
    DISPUTE_PARTIES,
    SERVICE_ERRORS,
    MultipleFileField,
    countdown,
    merchant_required,
    not_found,
    page,
    run_action,
    shop_object,
    show_error,
)
from merchants.models import Merchant
from merchants.permissions import merchant_for_request, merchant_role_for_request
from orders.selectors.orders import order_get_for_merchant
from platform_core.accounts.acting import request_user
from platform_core.errors import NotFound

PAGE_SIZE = 20
S = Dispute.Status

FILTERS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "open": (_("Open"), tuple(Dispute.OPEN_STATUSES)),
    "closed": (_("Closed"), (S.CLOSED, S.SETTLED, S.WITHDRAWN)),
    "all": (_("All"), ()),
}


class EvidenceForm(forms.Form):
    statement = forms.CharField(
        label=_("Your statement (the customer sees it)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )
    evidence_files = MultipleFileField(label=_("Files (PDF, JPEG or PNG)"))


# --- home: cases waiting for the shop's evidence ------------------------------------------------------


def dispute_actions(request: HttpRequest, merchant: Merchant) -> list[dict[str, Any]]:
    """DSP-2: cases in the evidence stage the shop has not answered, with the evidence deadline."""
    if merchant_role_for_request(request) not in DISPUTE_PARTIES:
        return []
    return [
        {
            "due": dispute.due_at,  # type: ignore[attr-defined]
            "kind": "dispute",
            "title": _("Submit evidence in dispute #%(id)s (order %(number)s)")
            % {"id": dispute.pk, "number": dispute.order.number},
            "url": reverse("merchant:dispute", kwargs={"dispute_id": dispute.pk}),
        }
        for dispute in dispute_list_awaiting_evidence_for_merchant(merchant=merchant)[:10]
    ]


# --- disputes ----------------------------------------------------------------------------------------


@merchant_required(DISPUTE_PARTIES)
def disputes(request: HttpRequest) -> HttpResponse:
    """DSP-2, DSP-5: the shop's cases, the nearest stage deadline first."""
    current = request.GET.get("filter", "open")
    if current not in FILTERS:
        current = "open"
    queryset = dispute_list_with_deadline_for_merchant(merchant=merchant_for_request(request))
    if FILTERS[current][1]:
        queryset = queryset.filter(status__in=FILTERS[current][1])
    dispute_page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": dispute_page,
        "rows": [(d, countdown(d.due_at)) for d in dispute_page.object_list],
        "filters": [(name, label) for name, (label, _states) in FILTERS.items()],
        "current": current,
    }
    return page(request, "merchant/disputes/list.html", context)


def _dispute_or_none(request: HttpRequest, dispute_id: int) -> Dispute | None:
    return shop_object(request, dispute_get_for_merchant, dispute_id=dispute_id)


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the ruling is wrong (the panel and the customer see it)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


def _dispute_page(request: HttpRequest, dispute: Dispute, form: EvidenceForm | None = None) -> HttpResponse:
    proposals = list(dispute.proposals.all())
    return_case = dispute_return_of(dispute=dispute)
    context = {
        "return_case": return_case,
        "may_receive": return_case is not None and return_case.status == DisputeReturn.Status.SHIPPED,
        "may_appeal": dispute.status == S.RULED,  # the service checks the window and the once-only rule
        "appeal_form": AppealForm(),
        "may_consent": dispute.status in (S.EVIDENCE, S.MEDIATION),  # DSP-6: before arbitration starts
        "dispute": dispute,
        "evidence": list(dispute.evidence.all()),
        "proposals": proposals,
        "rulings": list(dispute.rulings.all()),
        "events": list(dispute_events_for_parties(dispute=dispute)),
        "countdown": countdown(dispute.due_at),  # type: ignore[attr-defined]
        "may_submit": dispute.status in (S.EVIDENCE, S.MEDIATION),
        "may_answer": dispute.status == S.MEDIATION,
        "evidence_form": form or EvidenceForm(),
        "merchant_party": Party.MERCHANT,
    }
    return page(request, "merchant/disputes/detail.html", context, status=400 if form is not None else 200)


@merchant_required(DISPUTE_PARTIES)
def dispute(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """DSP-2..DSP-5: the case: the deadline of its stage, both sides' evidence, proposals, rulings."""
    found = _dispute_or_none(request, dispute_id)
    if found is None:
        return not_found(request)
    return _dispute_page(request, found)


@merchant_required(DISPUTE_PARTIES)
@require_POST
def dispute_evidence(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """DSP-2, SEC-4: the shop's statement and files (while the case is in evidence or mediation)."""
    found = _dispute_or_none(request, dispute_id)
    if found is None:
        return not_found(request)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            dispute_evidence_submit(
                dispute=found,
                statement=form.cleaned_data["statement"],
                files=form.cleaned_data["evidence_files"],
                actor=request_user(request),
            )
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Evidence submitted. The customer sees it too."))
            return redirect("merchant:dispute", dispute_id=found.pk)
    return _dispute_page(request, found, form)


def _answer(request: HttpRequest, dispute_id: int, proposal_id: int, *, accept: bool) -> HttpResponse:
    found = _dispute_or_none(request, dispute_id)
    proposal: MediationProposal | None = None
    if found is not None:
        proposal = next((p for p in found.proposals.all() if p.pk == proposal_id), None)
    if found is None or proposal is None:
        return not_found(request)
    return run_action(
        request,
        lambda: proposal_answer(proposal=proposal, accept=accept, actor=request_user(request)),
        success=_("You accepted the proposal.") if accept else _("You rejected the proposal."),
        redirect_to="merchant:dispute",
        dispute_id=found.pk,
    )


@merchant_required(DISPUTE_PARTIES)
@require_POST
def dispute_proposal_accept(request: HttpRequest, dispute_id: int, proposal_id: int) -> HttpResponse:
    """DSP-2: accept the mediator's proposal (both sides accepting settles the case at once)."""
    return _answer(request, dispute_id, proposal_id, accept=True)


@merchant_required(DISPUTE_PARTIES)
@require_POST
def dispute_proposal_reject(request: HttpRequest, dispute_id: int, proposal_id: int) -> HttpResponse:
    """DSP-2: reject it (without agreement the arbitration committee decides, DSP-3)."""
    return _answer(request, dispute_id, proposal_id, accept=False)


@merchant_required(DISPUTE_PARTIES)
@require_POST
def dispute_appeal_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """DSP-4: appeal the ruling once, within its window, with the reason."""
    found = _dispute_or_none(request, dispute_id)
    if found is None:
        return not_found(request)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you appeal."))
        return redirect("merchant:dispute", dispute_id=found.pk)
    return run_action(
        request,
        lambda: dispute_appeal(
            dispute=found, reason=form.cleaned_data["reason"], actor=request_user(request)
        ),
        success=_("Appeal filed: a panel of three arbitrators decides, finally."),
        redirect_to="merchant:dispute",
        dispute_id=found.pk,
    )


@merchant_required(DISPUTE_PARTIES)
@require_POST
def dispute_return_receive_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """DSP-4, AFS-4: the returned item arrived; the refund the ruling or settlement set executes."""
    found = _dispute_or_none(request, dispute_id)
    if found is None:
        return not_found(request)
    return run_action(
        request,
        lambda: dispute_return_receive(dispute=found, actor=request_user(request)),
        success=_("Receipt confirmed: the refund is paid to the customer."),
        redirect_to="merchant:dispute",
        dispute_id=found.pk,
    )


# --- opening a dispute (DSP-1) ---------------------------------------------------------------------------


class OpenDisputeForm(forms.Form):
    complaint = forms.TypedChoiceField(label=_("The unresolved complaint"), coerce=int)
    reason = forms.CharField(
        label=_("What the dispute is about (the customer and the committee see it)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
    )
    claim_amount = forms.DecimalField(
        label=_("Amount in dispute (CNY)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("Leave it empty for all that is left of the payment."),
    )
    evidence_files = MultipleFileField(label=_("Evidence files (PDF, JPEG or PNG)"))

    def __init__(self, *args: Any, complaints: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["complaint"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (c.pk, f"#{c.pk} · {c.get_category_display()} · {c.created_at:%Y-%m-%d}") for c in complaints
        ]
        if complaints:
            field.initial = complaints[0].pk


def order_dispute_queries(request: HttpRequest, order_ref: Any) -> dict[str, Any]:
    """DSP-1 (``order_action_queries``): for the members who are party to disputes, whether the order has
    an unresolved complaint and no open dispute, read with the order."""
    if merchant_role_for_request(request) not in DISPUTE_PARTIES:
        return {}
    return {"dsp1_openable": dispute_openable_on_order(order_ref)}


def order_dispute_actions(
    request: HttpRequest, order_id: int, values: dict[str, Any]
) -> list[dict[str, Any]]:
    """DSP-1 (``order_action_sources``): "open a dispute" on the order's page where the shop may."""
    if not values.get("dsp1_openable"):
        return []
    url = reverse("merchant:dispute-open", kwargs={"order_id": order_id})
    return [{"label": str(_("Open a dispute")), "url": url, "testid": "open-dispute"}]


@merchant_required(DISPUTE_PARTIES)
def dispute_open_view(request: HttpRequest, order_id: int) -> HttpResponse:
    """DSP-1, PAY-6: the shop opens a dispute on its order with an unresolved complaint — the reason and
    the first evidence files — through the service ``/api/v1/merchant/disputes/`` calls; the escrow is
    held at once. Another shop's order is a 404; an order the rules do not let the shop dispute now
    (no unresolved complaint, or a dispute already open) says so (409 on a POST)."""
    merchant = merchant_for_request(request)
    try:
        order = order_get_for_merchant(merchant=merchant, order_id=order_id)
    except NotFound:
        return not_found(request)
    complaints = list(dispute_openable_complaints_for_merchant(merchant=merchant, order_id=order.pk))
    posted = request.method == "POST"
    form = OpenDisputeForm(
        request.POST if posted else None, request.FILES if posted else None, complaints=complaints
    )
    status = 200
    if posted and not complaints:
        status = 409
    elif posted and form.is_valid():
        data = form.cleaned_data
        try:
            opened = dispute_open_on_complaint(
                complaint=next(c for c in complaints if c.pk == data["complaint"]),
                reason=data["reason"],
                actor=request_user(request),
                claim_amount=data["claim_amount"],
                files=data["evidence_files"],
            )
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.success(
                request,
                _("Dispute opened: the payment is held until it ends. Both sides have 3 days for evidence."),
            )
            return redirect("merchant:dispute", dispute_id=opened.pk)
    if posted and status == 200:
        status = 400
    context = {"order": order, "complaints": complaints, "form": form}
    return page(request, "merchant/disputes/open.html", context, status=status)
