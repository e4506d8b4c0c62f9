"""DSP-1: opening a dispute (from an escalated after-sales request, a complaint, or by staff)."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.models import AfterSalesRequest, Complaint
from disputes.models import Dispute
from disputes.services._common import (
    EVIDENCE_WINDOW,
    PERM_ARBITRATE,
    PERM_MEDIATE,
    S,
    _amount,
    _event,
    _hold_released_funds,
    _refundable,
    _start_stage_clock,
    _tell_parties,
    _when,
)
from disputes.services.evidence import dispute_evidence_submit
from merchants.models import MerchantMember
from orders.models import Order
from orders.services.locks import order_lock
from orders.services.settlement import order_escrow_hold
from platform_core.accounts.models import User
from platform_core.errors import Conflict, Forbidden, InvalidInput, NotFound


def _open(
    *,
    order: Order,
    opened_by: User,
    opener_role: str,
    reason: str,
    claim_amount: Decimal | None,
    aftersales_request: AfterSalesRequest | None = None,
    complaint: Complaint | None = None,
) -> Dispute:
    if not reason.strip():
        raise InvalidInput(_("Say what the dispute is about."), errors={"reason": [_("Required.")]})
    if Dispute.objects.filter(order=order, status__in=Dispute.OPEN_STATUSES).exists():
        raise Conflict(_("This order already has an open dispute."), code="dispute_open")
    refundable = _refundable(order)
    claim = refundable if claim_amount is None else _amount(claim_amount, field="claim_amount")
    if claim > refundable:
        raise InvalidInput(
            _("The claim exceeds what is left of the payment (%(left)s).") % {"left": refundable},
            errors={"claim_amount": [_("Too much.")]},
        )
    dispute = Dispute.objects.create(
        order=order,
        aftersales_request=aftersales_request,
        complaint=complaint,
        opened_by=opened_by,
        opener_role=opener_role,
        reason=reason,
        claim_amount=claim,
    )
    _event(dispute, action="opened", actor=opened_by, note=reason)
    dispute.hold = order_escrow_hold(
        order=order, reason=_("Dispute #%(id)s") % {"id": dispute.pk}, subject=dispute, actor=opened_by
    )
    _hold_released_funds(dispute, order=order_lock(order_id=order.pk), actor=opened_by)
    dispute.collect_evidence()
    dispute.save()
    due = _start_stage_clock(dispute, after=EVIDENCE_WINDOW)
    _event(dispute, action="evidence_started", actor=opened_by, from_status=S.OPENED)
    _tell_parties(
        dispute,
        event="dispute_opened",
        title=_("A dispute was opened"),
        body=_(
            "Dispute #%(id)s on order %(number)s. Submit your statement and evidence by %(due)s; "
            "after that the case proceeds on what is on file."
        )
        % {"id": dispute.pk, "number": order.number, "due": _when(due)},
    )
    return dispute


@transaction.atomic
def dispute_open_from_request(
    *, request: AfterSalesRequest, reason: str, actor: User, claim_amount: Decimal | None = None
) -> Dispute:
    """DSP-1, AFS-5, PAY-6: the customer disputes the merchant's refusal; the escrow is held at once."""
    if request.customer_id != actor.pk:
        raise NotFound(_("No such after-sales request."))
    if request.status not in (AfterSalesRequest.Status.REFUSED, AfterSalesRequest.Status.ESCALATED):
        raise Conflict(_("Only a refused request can be disputed."), code="not_refused")
    existing = Dispute.objects.filter(aftersales_request=request).first()
    if existing is not None:
        return existing
    if request.status == AfterSalesRequest.Status.REFUSED:
        # Through after-sales, so the request is ``escalated`` too; its hook comes back here.
        from aftersales.services.requests import request_escalate

        request_escalate(request=request, reason=reason, actor=actor)
        existing = Dispute.objects.filter(aftersales_request=request).first()
        if existing is not None:
            return existing
    return _open(
        order=request.order,
        opened_by=actor,
        opener_role=Dispute.OpenerRole.CUSTOMER,
        reason=reason,
        claim_amount=request.amount if claim_amount is None else claim_amount,
        aftersales_request=request,
    )


def dispute_escalation_handler(*, request: AfterSalesRequest, reason: str, actor: User) -> None:
    """AFS-5, DSP-1 (``aftersales.services.requests.request_escalated``): an escalated refusal opens a
    dispute."""
    dispute_open_from_request(request=request, reason=reason, actor=actor)


@transaction.atomic
def dispute_open_on_complaint(
    *,
    complaint: Complaint,
    reason: str,
    actor: User,
    claim_amount: Decimal | None = None,
    files: list[Any] | None = None,
) -> Dispute:
    """DSP-1, PAY-6: either party opens a dispute on an order with an unresolved complaint. ``files``
    (the seller centre's form): the opener's first evidence, its reason the statement (DSP-2, SEC-4:
    checked by content; a file refused opens nothing)."""
    order = complaint.order
    if order is None or complaint.status == Complaint.Status.CLOSED:
        raise Conflict(_("Only an order with an unresolved complaint can be disputed."), code="no_complaint")
    if actor.pk == order.customer_id:
        role = Dispute.OpenerRole.CUSTOMER
    elif MerchantMember.objects.filter(merchant_id=order.merchant_id, user=actor, is_active=True).exists():
        role = Dispute.OpenerRole.MERCHANT
    else:
        raise NotFound(_("No such complaint."))
    dispute = _open(
        order=order,
        opened_by=actor,
        opener_role=role,
        reason=reason,
        claim_amount=claim_amount,
        complaint=complaint,
    )
    if files:
        dispute_evidence_submit(dispute=dispute, statement=reason, files=files, actor=actor)
    return dispute


@transaction.atomic
def dispute_open_by_staff(
    *, order: Order, reason: str, actor: User, claim_amount: Decimal | None = None
) -> Dispute:
    """DSP-1, PAY-6: staff open a dispute on an order (e.g. from a customer-service case)."""
    if not (actor.is_staff and (actor.has_perm(PERM_MEDIATE) or actor.has_perm(PERM_ARBITRATE))):
        raise Forbidden(_("Only dispute staff may open a dispute."), code="not_dispute_staff")
    return _open(
        order=order,
        opened_by=actor,
        opener_role=Dispute.OpenerRole.STAFF,
        reason=reason,
        claim_amount=claim_amount,
    )
