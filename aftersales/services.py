"""Writes of the after-sales chapter: requests (AFS-1 … AFS-6) and complaints (CMP-1 … CMP-3).

Lock order: a service locks its request (or complaint) row first, then the order (through
``orders.services``), the same order the deadline sweeper uses (it locks the subject, then the handler
reaches the order), so the two never deadlock. Creating a request locks the order alone.

Hooks other apps register on (from their ``hooks.py``; ``platform_core.hooks``): ``request_escalated``
(AFS-5, DSP-1: the disputes app opens the dispute).
"""

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import (
    AfterSalesEvent,
    AfterSalesRequest,
    Complaint,
    ComplaintStep,
    Conversation,
    Evidence,
    MerchantAfterSalesPolicy,
    Message,
    MessageImage,
    ReplyClock,
    ShiftHandover,
    SpecialPeriod,
    Suggestion,
)
from aftersales.selectors import mask_contact_details, user_is_customer_service
from aftersales.uploads import evidence_check_all
from catalog.models import Category, Listing
from catalog.selectors import listing_get_for_customer
from merchants.models import Merchant, MerchantMember, Violation
from merchants.services.violations import violation_record
from orders.models import Order, OrderLine
from orders.selectors.money import order_paid_amount, order_refunded_amount
from orders.services.locks import order_lock
from orders.services.refunds import order_refund
from orders.services.settlement import order_escrow_hold, order_escrow_hold_release
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_start
from platform_core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from platform_core.hooks import Hook
from platform_core.locking import lock
from platform_core.money import is_whole_cents
from platform_core.notifications.services import notify
from platform_core.org.departments import DepartmentCode, department_head
from platform_core.timeline import timeline_record

RULE_MERCHANT_RESPONSE = "aftersales.merchant_response"
RULE_RETURN_SHIP_BY = "aftersales.return_ship_by"
RULE_RETURN_RECEIPT = "aftersales.return_receipt"
RULE_REFUND_DUE = "aftersales.refund_due"
RULE_ESCALATION_WINDOW = "aftersales.escalation_window"
RULE_COMPLAINT_ACK = "aftersales.complaint_ack"
RULE_COMPLAINT_ANSWER = "aftersales.complaint_answer"

REQUEST_RULES = (
    RULE_MERCHANT_RESPONSE,
    RULE_RETURN_SHIP_BY,
    RULE_RETURN_RECEIPT,
    RULE_REFUND_DUE,
    RULE_ESCALATION_WINDOW,
)


class EscalationHandler(Protocol):
    def __call__(self, *, request: AfterSalesRequest, reason: str, actor: User) -> None: ...


request_escalated = Hook[EscalationHandler](
    "aftersales.request_escalated",
    doc=(
        "AFS-5, DSP-1: the customer escalated the merchant's refusal to a dispute; called in "
        "`request_escalate`'s transaction with the locked request (the disputes app opens the dispute). "
        "The request stays escalated and keeps the order's escrow held (PAY-6)."
    ),
)

R = AfterSalesRequest
RS = AfterSalesRequest.Status
CS = Complaint.Status
ZERO = Decimal("0.00")
ELIGIBLE_ORDER_STATUSES = (Order.Status.DELIVERED, Order.Status.COMPLETED)


# --- helpers ------------------------------------------------------------------------------------------


def request_lock(*, request_id: int) -> AfterSalesRequest:
    return lock(AfterSalesRequest, request_id, missing=_("No such after-sales request."))


def complaint_lock(*, complaint_id: int) -> Complaint:
    return lock(Complaint, complaint_id, missing=_("No such complaint."))


def _event(
    request: AfterSalesRequest,
    *,
    action: str,
    actor: User | None,
    from_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AfterSalesEvent:
    """AFS-6, AUD-1: the timeline row and the audit entry of one thing that happened to the request."""
    return timeline_record(
        AfterSalesEvent,
        request=request,
        subject=request,
        actor=actor,
        action=action,
        audit_action=f"aftersales.{action}",
        from_status=from_status,
        reason=reason,
        data=data,
    )


def _step(
    complaint: Complaint, *, action: str, actor: User | None, from_status: str = "", note: str = ""
) -> None:
    """CMP-2: every step of a complaint is recorded (and audited)."""
    timeline_record(
        ComplaintStep,
        complaint=complaint,
        subject=complaint,
        actor=actor,
        action=action,
        audit_action=f"complaint.{action}",
        from_status=from_status,
        reason=note,
    )


def _tell_merchant(request: AfterSalesRequest, *, event: str, title: str, body: str) -> None:
    notify(recipient=request.merchant.owner, event=event, title=title, body=body, subject=request)


def _tell_customer(request: AfterSalesRequest, *, event: str, title: str, body: str) -> None:
    notify(recipient=request.customer, event=event, title=title, body=body, subject=request)


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except ArithmeticError as exc:
        raise InvalidInput(_("The amount is not a number."), errors={"amount": [_("Invalid.")]}) from exc
    if not is_whole_cents(amount) or not amount.is_finite():
        raise InvalidInput(_("Amounts are in yuan and fen."), errors={"amount": [_("At most two decimals.")]})
    return amount


def _attach(
    files: Sequence[Any],
    *,
    actor: User,
    request: AfterSalesRequest | None = None,
    complaint: Complaint | None = None,
) -> None:
    """SEC-4: evidence checked by content and size, stored outside the web root."""
    types = evidence_check_all(files)
    for file, content_type in zip(files, types, strict=True):
        Evidence.objects.create(
            request=request,
            complaint=complaint,
            file=file,
            content_type=content_type,
            size=file.size or 0,
            uploaded_by=actor,
        )


def _require_customer_service(actor: User) -> None:
    if not user_is_customer_service(actor):
        raise Forbidden(_("Only customer service may do this."), code="not_customer_service")


def _release_hold(subject: AfterSalesRequest | Complaint, *, actor: User | None) -> None:
    """PAY-6: the cause is resolved; the escrow may settle (unless something else holds it)."""
    if subject.hold is not None and subject.hold.released_at is None:
        order_escrow_hold_release(hold=subject.hold, actor=actor)


def _stop_clocks(request: AfterSalesRequest, *, note: str, enforcing: str = "") -> None:
    """Cancel the request's running clocks, except the one the sweeper is enforcing (it resolves that)."""
    for rule in REQUEST_RULES:
        if rule != enforcing:
            deadline_cancel(rule=rule, subject=request, note=note)


# --- AFS-1, AFS-2: windows and amounts ------------------------------------------------------------------


def _signed_at(order: Order) -> datetime | None:
    """When the customer signed for the goods (or the service completed)."""
    moments = [m for m in (order.delivered_at, order.completed_at) if m is not None]
    return min(moments) if moments else None


def _window_end(signed_at: datetime, days: int) -> datetime:
    """7DR Art. 10: ``days`` counted from the day after signing; the last day ends at local midnight."""
    last_day = timezone.localtime(signed_at).date() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))


def _line_category(line: OrderLine) -> Category:
    return Category.objects.filter(pk=line.category_id_snapshot).first() or line.listing.category


def _non_returnable(order: Order, line: OrderLine) -> bool:
    """AFS-2: the listing is marked non-returnable (the customer confirmed it at purchase)."""
    if line.listing.is_non_returnable:
        return True
    for term in (order.contract or {}).get("lines", []):
        if term.get("sku") == line.sku_id and term.get("non_returnable_confirmed"):
            return True
    return False


def _policy(merchant: Merchant) -> MerchantAfterSalesPolicy | None:
    return MerchantAfterSalesPolicy.objects.filter(merchant=merchant).first()


def request_window_end(*, order: Order, line: OrderLine, kind: str, reason_kind: str) -> datetime:
    """AFS-1: the end (exclusive) of the window for this kind of request on ``line``.

    Seven days from the day after signing for no-reason returns, fifteen for quality problems (and
    other reasons), the warranty period for repairs (merchant policy, else ``AFTERSALES_WARRANTY_DAYS``).
    """
    signed_at = _signed_at(order)
    if signed_at is None:
        raise Conflict(_("After-sales opens once the goods are signed for."), code="not_delivered")
    if kind == R.Kind.REPAIR:
        policy = _policy(order.merchant)
        days = policy.warranty_days if policy and policy.warranty_days else settings.AFTERSALES_WARRANTY_DAYS
    elif reason_kind == R.ReasonKind.NO_REASON:
        days = settings.AFTERSALES_NO_REASON_RETURN_DAYS
    else:
        days = settings.AFTERSALES_QUALITY_RETURN_DAYS
    return _window_end(signed_at, days)


def line_refundable_amount(*, line: OrderLine, exclude: AfterSalesRequest | None = None) -> Decimal:
    """AFS-1, PAY-5: what may still be claimed for ``line``: its price net of earlier and pending claims,
    and never more than the order still has paid and unrefunded, net of claims pending on other lines."""
    claims = AfterSalesRequest.objects.filter(status__in=R.CLAIMING_STATUSES, kind__in=R.REFUND_KINDS)
    if exclude is not None:
        claims = claims.exclude(pk=exclude.pk)
    claimed_on_line = claims.filter(line=line).aggregate(s=Sum("amount"))["s"] or ZERO
    pending_on_order = (
        claims.filter(order_id=line.order_id).exclude(status=RS.REFUNDED).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    order = line.order
    left_on_order = order_paid_amount(order=order) - order_refunded_amount(order=order) - pending_on_order
    return max(ZERO, min(line.line_total - claimed_on_line, left_on_order))


def _response_window(*, line: OrderLine, at: datetime) -> tuple[timedelta, bool]:
    """AFS-3: 24 hours, or 48 when the category or a staff-declared period is special."""
    special = (
        _line_category(line).aftersales_special
        or SpecialPeriod.objects.filter(starts_at__lte=at, ends_at__gt=at).exists()
    )
    if special:
        return settings.AFTERSALES_RESPONSE_WITHIN_SPECIAL, special
    return settings.AFTERSALES_RESPONSE_WITHIN, special


# --- AFS-1 … AFS-3: opening and answering requests -----------------------------------------------------


@transaction.atomic
def request_create(
    *,
    customer: User,
    order_id: int,
    line_id: int,
    kind: str,
    reason_kind: str,
    reason: str,
    amount: Decimal | None = None,
    evidence: Sequence[Any] = (),
    actor: User,
) -> AfterSalesRequest:
    """AFS-1, AFS-2, AFS-3, PAY-6: open an after-sales request on a delivered or completed order line.

    Checks the window (7 days from the day after signing for no-reason returns, 15 for quality, the
    warranty for repairs), the AFS-2 exclusions, and the amount (never more than the line net of earlier
    claims, under the order's lock). Holds the order's escrow and starts the merchant's 24/48-hour clock.
    """
    if kind not in R.Kind.values:
        raise InvalidInput(_("Unknown request kind."), errors={"kind": [_("Unknown.")]})
    if reason_kind not in R.ReasonKind.values:
        raise InvalidInput(_("Unknown reason kind."), errors={"reason_kind": [_("Unknown.")]})
    if not reason.strip():
        raise InvalidInput(_("Say what is wrong."), errors={"reason": [_("Required.")]})
    order = order_lock(order_id=order_id)
    if order.customer_id != customer.pk:
        raise NotFound(_("No such order."))
    line = OrderLine.objects.select_related("listing", "order").filter(pk=line_id, order=order).first()
    if line is None:
        raise NotFound(_("No such order line."))
    if order.status not in ELIGIBLE_ORDER_STATUSES:
        raise Conflict(
            _("After-sales requests can be opened on delivered or completed orders."),
            code="order_not_eligible",
        )
    if reason_kind == R.ReasonKind.NO_REASON:
        if kind != R.Kind.RETURN_REFUND:
            raise InvalidInput(
                _("A no-reason request is a return and refund."), errors={"kind": [_("Use return_refund.")]}
            )
        if _line_category(line).no_reason_return_excluded:
            raise Conflict(
                _(
                    "Items of this category (custom-made, fresh or perishable, digital content delivered "
                    "online, newspapers and periodicals) cannot be returned without a reason; you can still "
                    "request a return for a quality problem."
                ),
                code="no_reason_return_excluded",
            )
        if _non_returnable(order, line):
            raise Conflict(
                _(
                    "This item was marked non-returnable, which you confirmed at purchase; it cannot be "
                    "returned without a reason. You can still request a return for a quality problem."
                ),
                code="no_reason_return_non_returnable",
            )
    now = timezone.now()
    window_end = request_window_end(order=order, line=line, kind=kind, reason_kind=reason_kind)
    if now >= window_end:
        raise Conflict(
            _("The after-sales window for this request closed on %(end)s.")
            % {"end": timezone.localtime(window_end - timedelta(seconds=1)).date()},
            code="window_closed",
        )
    if kind in R.REFUND_KINDS:
        if amount is None:
            raise InvalidInput(_("Say how much to refund."), errors={"amount": [_("Required.")]})
        amount = _money(amount)
        if amount <= 0:
            raise InvalidInput(_("The amount must be positive."), errors={"amount": [_("Must be positive.")]})
        available = line_refundable_amount(line=line)
        if amount > available:
            raise Conflict(
                _("At most %(left)s can be refunded for this item (what you paid, net of earlier refunds).")
                % {"left": available},
                code="amount_exceeds_paid",
                errors={"amount": [str(available)]},
            )
    else:
        amount = ZERO
    policy = _policy(order.merchant)
    payer = (
        R.Payer.MERCHANT
        if reason_kind == R.ReasonKind.QUALITY
        or (policy is not None and policy.pays_no_reason_return_shipping)
        else R.Payer.CUSTOMER
    )
    within, special = _response_window(line=line, at=now)
    request = AfterSalesRequest.objects.create(
        order=order,
        line=line,
        customer=customer,
        merchant=order.merchant,
        kind=kind,
        reason_kind=reason_kind,
        reason=reason,
        amount=amount,
        created_at=now,
        response_hours=int(within.total_seconds() // 3600),
        respond_by=now + within,
        return_shipping_payer=payer,
    )
    _attach(evidence, actor=actor, request=request)
    request.hold = order_escrow_hold(
        order=order,
        reason=_("After-sales request #%(id)s is open") % {"id": request.pk},
        subject=request,
        actor=actor,
    )
    request.save(update_fields=["hold"])
    deadline_start(rule=RULE_MERCHANT_RESPONSE, subject=request, due_at=request.respond_by)
    _event(
        request,
        action="requested",
        actor=actor,
        reason=reason,
        data={"kind": kind, "reason_kind": reason_kind, "amount": str(amount), "special": special},
    )
    _tell_merchant(
        request,
        event="aftersales_requested",
        title=_("New after-sales request"),
        body=_("Order %(number)s: respond by %(due)s.")
        % {"number": order.number, "due": timezone.localtime(request.respond_by)},
    )
    return request


def _after_approval(request: AfterSalesRequest, *, actor: User | None) -> None:
    """AFS-4: refund-only is refunded at once; returns wait for the customer's parcel (7 days)."""
    if request.kind == R.Kind.REFUND_ONLY:
        _refund(request, actor=actor)
        return
    ship_by = timezone.now() + settings.AFTERSALES_RETURN_SHIP_WITHIN
    before = request.status
    request.await_return(ship_by=ship_by)
    request.save()
    deadline_start(rule=RULE_RETURN_SHIP_BY, subject=request, due_at=ship_by)
    _event(
        request,
        action="awaiting_return",
        actor=actor,
        from_status=before,
        data={"ship_by": ship_by.isoformat()},
    )
    _tell_customer(
        request,
        event="aftersales_return_requested",
        title=_("Please send the item back"),
        body=_("Ship the return by %(due)s with its tracking number; shipping is paid by the %(payer)s.")
        % {"due": timezone.localtime(ship_by), "payer": request.get_return_shipping_payer_display()},
    )


def _refund(request: AfterSalesRequest, *, actor: User | None, enforcing: bool = False) -> bool:
    """PAY-5, PAY-7, AFS-4: refund the request's amount through ``orders.order_refund`` (escrow, or
    payable once released), keyed ``aftersales:<id>:refund``. A refund the ledger refuses (the merchant's
    funds are short) leaves the request waiting, with its refund clock running; returns whether it paid."""
    try:
        with transaction.atomic():
            refund = order_refund(
                order=request.order,
                amount=request.amount,
                reason=_("After-sales request #%(id)s") % {"id": request.pk},
                idempotency_key=f"aftersales:{request.pk}:refund",
                actor=actor,
            )
    except DomainError as exc:
        _event(request, action="refund_failed", actor=actor, reason=exc.message, data={"code": exc.code})
        return False
    before = request.status
    request.mark_refunded(refund=refund)
    request.save()
    if not enforcing:  # the sweeper resolves the refund clock it is enforcing itself
        deadline_meet(rule=RULE_REFUND_DUE, subject=request)
    _release_hold(request, actor=actor)
    _event(
        request,
        action="refunded",
        actor=actor,
        from_status=before,
        data={"refund": refund.refund_no, "amount": str(refund.amount)},
    )
    _tell_customer(
        request,
        event="aftersales_refunded",
        title=_("Refund issued"),
        body=_("%(amount)s CNY is on its way back to you.") % {"amount": refund.amount},
    )
    return True


def _record_response(request: AfterSalesRequest) -> None:
    now = timezone.now()
    request.responded_at = now
    request.responded_in_time = request.respond_by is None or now <= request.respond_by
    deadline_meet(rule=RULE_MERCHANT_RESPONSE, subject=request)


@transaction.atomic
def request_approve(*, request: AfterSalesRequest, actor: User, note: str = "") -> AfterSalesRequest:
    """AFS-3, AFS-4: the merchant (or customer service, for an escalated request) approves."""
    request = request_lock(request_id=request.pk)
    before = request.status
    if before == RS.ESCALATED and not user_is_customer_service(actor):
        raise Forbidden(_("Platform customer service handles this request now."), code="escalated")
    if before == RS.REQUESTED:
        _record_response(request)
    request.approve()
    request.save()
    _event(request, action="approved", actor=actor, from_status=before, reason=note)
    _after_approval(request, actor=actor)
    return request


@transaction.atomic
def request_refuse(*, request: AfterSalesRequest, reason: str, actor: User) -> AfterSalesRequest:
    """AFS-5: a refusal must give a reason; the customer may escalate it to a dispute for a while."""
    if not reason.strip():
        raise InvalidInput(
            _("A refusal must give a reason."), code="reason_missing", errors={"reason": [_("Required.")]}
        )
    request = request_lock(request_id=request.pk)
    before = request.status
    _record_response(request)
    request.refuse(reason=reason)
    request.escalate_until = timezone.now() + settings.AFTERSALES_ESCALATION_WINDOW
    request.save()
    deadline_start(rule=RULE_ESCALATION_WINDOW, subject=request, due_at=request.escalate_until)
    _event(request, action="refused", actor=actor, from_status=before, reason=reason)
    _tell_customer(
        request,
        event="aftersales_refused",
        title=_("After-sales request refused"),
        body=_("The shop refused: %(reason)s. You may escalate to the platform until %(until)s.")
        % {"reason": reason, "until": timezone.localtime(request.escalate_until)},
    )
    return request


@transaction.atomic
def request_withdraw(*, request: AfterSalesRequest, actor: User) -> AfterSalesRequest:
    """AFS-6: the customer withdraws; every clock stops and the escrow hold is released."""
    request = request_lock(request_id=request.pk)
    before = request.status
    request.withdraw()
    request.save()
    _stop_clocks(request, note="withdrawn")
    _release_hold(request, actor=actor)
    _event(request, action="withdrawn", actor=actor, from_status=before)
    _tell_merchant(request, event="aftersales_withdrawn", title=_("Request withdrawn"), body=str(request))
    return request


@transaction.atomic
def request_escalate(*, request: AfterSalesRequest, reason: str, actor: User) -> AfterSalesRequest:
    """AFS-5, DSP-1, PAY-6: the customer escalates a refusal to a dispute; the escrow stays held and
    every ``request_escalated`` hook (the disputes app: ``disputes/hooks.py``) is called in this transaction."""
    if not reason.strip():
        raise InvalidInput(_("Say why you disagree."), errors={"reason": [_("Required.")]})
    request = request_lock(request_id=request.pk)
    if request.status != RS.REFUSED:
        raise Conflict(_("Only a refused request can be escalated to a dispute."), code="not_refused")
    before = request.status
    request.escalate(to=R.EscalatedTo.DISPUTE, reason=reason)
    request.save()
    deadline_cancel(rule=RULE_ESCALATION_WINDOW, subject=request, note="escalated")
    _event(
        request, action="escalated", actor=actor, from_status=before, reason=reason, data={"to": "dispute"}
    )
    for handler in request_escalated:
        handler(request=request, reason=reason, actor=actor)
    _tell_merchant(
        request,
        event="aftersales_escalated",
        title=_("A refusal was escalated to a dispute"),
        body=_("Order %(number)s: %(reason)s") % {"number": request.order.number, "reason": reason},
    )
    return request


# --- AFS-4: the return parcel ----------------------------------------------------------------------------


@transaction.atomic
def request_ship_return(
    *, request: AfterSalesRequest, carrier: str, tracking_number: str, actor: User
) -> AfterSalesRequest:
    """AFS-4: the customer ships the return (carrier and tracking number) within 7 days of approval."""
    if not carrier.strip() or not tracking_number.strip():
        raise InvalidInput(_("Give the carrier and the tracking number."), code="tracking_missing")
    request = request_lock(request_id=request.pk)
    before = request.status
    request.ship_return(carrier=carrier.strip(), tracking_number=tracking_number.strip())
    request.save()
    deadline_meet(rule=RULE_RETURN_SHIP_BY, subject=request)
    _event(
        request,
        action="return_shipped",
        actor=actor,
        from_status=before,
        data={"carrier": carrier, "tracking_number": tracking_number},
    )
    _tell_merchant(
        request,
        event="aftersales_return_shipped",
        title=_("A return is on its way"),
        body=_("%(carrier)s %(tracking)s") % {"carrier": carrier, "tracking": tracking_number},
    )
    return request


@transaction.atomic
def request_return_delivered(
    *, request: AfterSalesRequest, at: datetime | None = None, actor: User | None = None
) -> AfterSalesRequest:
    """AFS-4: the carrier (or staff) reports the return delivered to the merchant; the merchant has 7 days
    from then to confirm receipt, else it is confirmed automatically."""
    request = request_lock(request_id=request.pk)
    if request.status != RS.RETURN_SHIPPED:
        raise Conflict(_("This return is not in transit."), code="not_in_transit")
    if request.return_delivered_at is not None:
        return request
    request.return_delivered_at = at or timezone.now()
    request.receipt_due_at = request.return_delivered_at + settings.AFTERSALES_RETURN_RECEIPT_WITHIN
    request.save(update_fields=["return_delivered_at", "receipt_due_at"])
    deadline_start(rule=RULE_RETURN_RECEIPT, subject=request, due_at=request.receipt_due_at)
    _event(
        request, action="return_delivered", actor=actor, data={"at": request.return_delivered_at.isoformat()}
    )
    _tell_merchant(
        request,
        event="aftersales_return_delivered",
        title=_("A return was delivered to you"),
        body=_("Confirm its receipt by %(due)s.") % {"due": timezone.localtime(request.receipt_due_at)},
    )
    return request


def _receive(request: AfterSalesRequest, *, actor: User | None, automatic: bool) -> AfterSalesRequest:
    before = request.status
    request.receive_return(automatic=automatic)
    request.save()
    if not automatic:  # the sweeper resolves the deadline it is enforcing itself
        deadline_meet(rule=RULE_RETURN_RECEIPT, subject=request)
    _event(
        request,
        action="return_received",
        actor=actor,
        from_status=before,
        reason=_("confirmed automatically") if automatic else "",
    )
    if request.kind == R.Kind.RETURN_REFUND:
        request.refund_due_at = timezone.now() + settings.AFTERSALES_REFUND_WITHIN
        request.save(update_fields=["refund_due_at"])
        deadline_start(rule=RULE_REFUND_DUE, subject=request, due_at=request.refund_due_at)
        _refund(request, actor=actor)  # at once; the 7-day clock is the guarantee if it cannot be paid yet
    return request


@transaction.atomic
def request_confirm_receipt(*, request: AfterSalesRequest, actor: User) -> AfterSalesRequest:
    """AFS-4: the merchant confirms it received the return; a return-and-refund is refunded at once."""
    request = request_lock(request_id=request.pk)
    return _receive(request, actor=actor, automatic=False)


@transaction.atomic
def request_refund_issue(*, request: AfterSalesRequest, actor: User) -> AfterSalesRequest:
    """AFS-4, PAY-5: the merchant (or customer service) issues the refund of a received return, or of an
    approved refund-only request, if the system's immediate attempt could not pay it."""
    request = request_lock(request_id=request.pk)
    if request.kind not in R.REFUND_KINDS or request.status not in (RS.RETURN_RECEIVED, RS.APPROVED):
        raise Conflict(_("Nothing to refund in this state."), code="not_refundable")
    if not _refund(request, actor=actor):
        raise Conflict(
            _("The refund could not be paid yet; see the request's timeline."), code="refund_failed"
        )
    return request


@transaction.atomic
def request_reship(
    *, request: AfterSalesRequest, carrier: str, tracking_number: str, actor: User
) -> AfterSalesRequest:
    """AFS-6: exchange and repair: the merchant ships the replacement or the repaired item back."""
    if not carrier.strip() or not tracking_number.strip():
        raise InvalidInput(_("Give the carrier and the tracking number."), code="tracking_missing")
    request = request_lock(request_id=request.pk)
    before = request.status
    if request.kind == R.Kind.EXCHANGE:
        request.reship(carrier=carrier, tracking_number=tracking_number)
    elif request.kind == R.Kind.REPAIR:
        request.repaired(carrier=carrier, tracking_number=tracking_number)
    else:
        raise Conflict(_("Only exchanges and repairs are shipped back."), code="not_exchange_or_repair")
    request.save()
    _release_hold(request, actor=actor)
    _event(
        request,
        action=request.status,
        actor=actor,
        from_status=before,
        data={"carrier": carrier, "tracking_number": tracking_number},
    )
    _tell_customer(
        request,
        event="aftersales_reshipped",
        title=_("Your item is on its way back"),
        body=_("%(carrier)s %(tracking)s") % {"carrier": carrier, "tracking": tracking_number},
    )
    return request


@transaction.atomic
def request_close(*, request: AfterSalesRequest, actor: User | None, note: str = "") -> AfterSalesRequest:
    """AFS-6: the request is done (refunded, replacement or repair received, or customer service
    resolved an escalation); every clock stops and the hold is released."""
    request = request_lock(request_id=request.pk)
    before = request.status
    if before == RS.ESCALATED and not user_is_customer_service(actor):
        raise Forbidden(_("Platform customer service handles this request now."), code="escalated")
    request.close()
    request.save()
    _stop_clocks(request, note="closed")
    _release_hold(request, actor=actor)
    _event(request, action="closed", actor=actor, from_status=before, reason=note)
    return request


def request_resolve_by_dispute(
    *, request: AfterSalesRequest, dispute_reference: str, actor: User | None = None
) -> AfterSalesRequest:
    """DSP-4, AFS-5: an escalated request follows its dispute: once the case ends (ruling executed,
    settlement, withdrawal) the request is closed, its clocks stop and its escrow hold is released. The
    money moved under the dispute's idempotency key, so after-sales never refunds it again."""
    request = request_lock(request_id=request.pk)
    if request.status != RS.ESCALATED:
        return request
    before = request.status
    request.close()
    request.save()
    _stop_clocks(request, note="resolved by dispute")
    _release_hold(request, actor=actor)
    _event(request, action="closed", actor=actor, from_status=before, reason=dispute_reference)
    return request


# --- deadline handlers (the system acts; actor None) ----------------------------------------------------


def request_response_missed(*, request: AfterSalesRequest) -> None:
    """AFS-3: the merchant did not respond in time: refund-only and return-and-refund are approved
    automatically (refund-only refunded at once); exchange and repair go to platform customer service.
    The merchant gets an ``aftersales_sla_missed`` violation."""
    if request.status != RS.REQUESTED:
        return
    violation_record(
        merchant=request.merchant,
        kind="aftersales_sla_missed",
        evidence={
            "aftersales_request": request.pk,
            "order": request.order.number,
            "respond_by": request.respond_by.isoformat() if request.respond_by else None,
            "hours": request.response_hours,
        },
        source=Violation.Source.SYSTEM,
        actor=None,
    )
    request.responded_in_time = False
    before = request.status
    if request.kind in R.REFUND_KINDS:
        request.approve(automatic=True)
        request.save()
        _event(
            request,
            action="approved",
            actor=None,
            from_status=before,
            reason=_("approved automatically: the shop did not respond within %(h)d hours")
            % {"h": request.response_hours},
        )
        _tell_customer(
            request,
            event="aftersales_auto_approved",
            title=_("Request approved"),
            body=_("The shop did not respond in time; your request was approved automatically."),
        )
        _after_approval(request, actor=None)
        return
    request.escalate(
        to=R.EscalatedTo.CUSTOMER_SERVICE,
        reason=_("The shop did not respond within %(h)d hours.") % {"h": request.response_hours},
    )
    request.save()
    _event(
        request,
        action="escalated",
        actor=None,
        from_status=before,
        reason=request.escalation_reason,
        data={"to": "customer_service"},
    )
    head = department_head(code=DepartmentCode.CUSTOMER_SERVICE)
    if head is not None:
        notify(
            recipient=head,
            event="aftersales_escalated_to_cs",
            title=_("After-sales request escalated to customer service"),
            body=_("Request #%(id)s (%(kind)s) on order %(number)s: the shop did not respond.")
            % {"id": request.pk, "kind": request.get_kind_display(), "number": request.order.number},
            subject=request,
        )


def request_return_ship_missed(*, request: AfterSalesRequest) -> None:
    """AFS-4: the customer did not ship the return within 7 days: the request lapses."""
    if request.status != RS.AWAITING_RETURN:
        return
    before = request.status
    request.lapse()
    request.save()
    _stop_clocks(request, note="lapsed", enforcing=RULE_RETURN_SHIP_BY)
    _release_hold(request, actor=None)
    _event(
        request,
        action="lapsed",
        actor=None,
        from_status=before,
        reason=_("the return was not shipped in time"),
    )
    _tell_customer(
        request,
        event="aftersales_lapsed",
        title=_("After-sales request lapsed"),
        body=_("The return was not shipped within %(d)d days.")
        % {"d": settings.AFTERSALES_RETURN_SHIP_WITHIN.days},
    )


def request_receipt_missed(*, request: AfterSalesRequest) -> None:
    """AFS-4: the merchant did not confirm the return's receipt within 7 days of its delivery: confirmed
    automatically (and a return-and-refund refunded at once)."""
    if request.status != RS.RETURN_SHIPPED:
        return
    _receive(request, actor=None, automatic=True)


def request_refund_overdue(*, request: AfterSalesRequest) -> None:
    """AFS-4, PAY-5: the refund is due: try once more; if it still cannot be paid, customer service is told."""
    if request.status not in (RS.RETURN_RECEIVED, RS.APPROVED) or request.kind not in R.REFUND_KINDS:
        return
    if _refund(request, actor=None, enforcing=True):
        return
    head = department_head(code=DepartmentCode.CUSTOMER_SERVICE)
    if head is not None:
        notify(
            recipient=head,
            event="aftersales_refund_overdue",
            title=_("After-sales refund overdue"),
            body=_("Request #%(id)s could not be refunded within the deadline.") % {"id": request.pk},
            subject=request,
        )


def request_escalation_window_closed(*, request: AfterSalesRequest) -> None:
    """AFS-5, PAY-6: a refusal nobody escalated closes; the escrow is no longer held for it."""
    if request.status != RS.REFUSED:
        return
    before = request.status
    request.close()
    request.save()
    _release_hold(request, actor=None)
    _event(request, action="closed", actor=None, from_status=before, reason=_("not escalated in time"))


# --- AFS-3: special periods -------------------------------------------------------------------------------


@transaction.atomic
def special_period_declare(
    *, starts_at: datetime, ends_at: datetime, reason: str, actor: User
) -> SpecialPeriod:
    """AFS-3: staff declare a special period (holiday, promotion): merchants get 48 hours to respond."""
    if ends_at <= starts_at:
        raise InvalidInput(_("The period must end after it starts."), errors={"ends_at": [_("Too early.")]})
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), errors={"reason": [_("Required.")]})
    period = SpecialPeriod.objects.create(
        starts_at=starts_at, ends_at=ends_at, reason=reason, created_by=actor
    )
    audit_record(
        actor=actor,
        action="aftersales.special_period_declared",
        subject=period,
        after={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "reason": reason},
    )
    return period


# --- CMP-1 … CMP-3: complaints ---------------------------------------------------------------------------


def _complaint_target(
    *,
    complainant: User,
    target_kind: str,
    merchant_id: int | None,
    listing_id: int | None,
    order_id: int | None,
) -> tuple[Merchant | None, Listing | None, Order | None]:
    if target_kind == Complaint.TargetKind.PLATFORM:
        return None, None, None
    if target_kind == Complaint.TargetKind.MERCHANT:
        merchant = Merchant.objects.filter(pk=merchant_id).first() if merchant_id else None
        if merchant is None:
            raise NotFound(_("No such shop."))
        return merchant, None, None
    if target_kind == Complaint.TargetKind.LISTING:
        listing = (
            Listing.objects.select_related("merchant").filter(pk=listing_id).first() if listing_id else None
        )
        if listing is None:
            raise NotFound(_("No such listing."))
        return listing.merchant, listing, None
    if target_kind == Complaint.TargetKind.ORDER:
        order = Order.objects.select_related("merchant").filter(pk=order_id).first() if order_id else None
        is_party = order is not None and (
            order.customer_id == complainant.pk
            or MerchantMember.objects.filter(merchant_id=order.merchant_id, user=complainant).exists()
        )
        if order is None or not is_party:
            raise NotFound(_("No such order."))
        return order.merchant, None, order
    raise InvalidInput(_("Unknown complaint target."), errors={"target_kind": [_("Unknown.")]})


@transaction.atomic
def complaint_file(
    *,
    complainant: User,
    target_kind: str,
    category: str,
    description: str,
    merchant_id: int | None = None,
    listing_id: int | None = None,
    order_id: int | None = None,
    evidence: Sequence[Any] = (),
    actor: User,
) -> Complaint:
    """CMP-1, CMP-2, PAY-6: a customer or merchant files a complaint; customer service must acknowledge it
    within 24 hours and answer within 48; a complaint on an order holds that order's escrow."""
    if category not in Complaint.Category.values:
        raise InvalidInput(_("Unknown complaint category."), errors={"category": [_("Unknown.")]})
    if not description.strip():
        raise InvalidInput(_("Describe the problem."), errors={"description": [_("Required.")]})
    merchant, listing, order = _complaint_target(
        complainant=complainant,
        target_kind=target_kind,
        merchant_id=merchant_id,
        listing_id=listing_id,
        order_id=order_id,
    )
    membership = MerchantMember.objects.filter(user=complainant).select_related("merchant").first()
    is_merchant = membership is not None and not (order is not None and order.customer_id == complainant.pk)
    now = timezone.now()
    complaint = Complaint.objects.create(
        complainant=complainant,
        complainant_kind=Complaint.ComplainantKind.MERCHANT
        if is_merchant
        else Complaint.ComplainantKind.CUSTOMER,
        complainant_merchant=membership.merchant if is_merchant and membership else None,
        target_kind=target_kind,
        merchant=merchant,
        listing=listing,
        order=order,
        category=category,
        description=description,
        created_at=now,
        acknowledge_by=now + settings.AFTERSALES_COMPLAINT_ACK_WITHIN,
        answer_by=now + settings.AFTERSALES_COMPLAINT_ANSWER_WITHIN,
    )
    _attach(evidence, actor=actor, complaint=complaint)
    if order is not None:
        complaint.hold = order_escrow_hold(
            order=order,
            reason=_("Complaint #%(id)s is open") % {"id": complaint.pk},
            subject=complaint,
            actor=actor,
        )
        complaint.save(update_fields=["hold"])
    deadline_start(rule=RULE_COMPLAINT_ACK, subject=complaint, due_at=complaint.acknowledge_by)
    deadline_start(rule=RULE_COMPLAINT_ANSWER, subject=complaint, due_at=complaint.answer_by)
    _step(complaint, action="filed", actor=actor, note=description)
    return complaint


@transaction.atomic
def complaint_acknowledge(*, complaint: Complaint, actor: User, note: str = "") -> Complaint:
    """CMP-2: customer service acknowledges the complaint (within 24 hours)."""
    _require_customer_service(actor)
    complaint = complaint_lock(complaint_id=complaint.pk)
    before = complaint.status
    complaint.acknowledge(handler=actor)
    complaint.save()
    deadline_meet(rule=RULE_COMPLAINT_ACK, subject=complaint)
    _step(complaint, action="acknowledged", actor=actor, from_status=before, note=note)
    notify(
        recipient=complaint.complainant,
        event="complaint_acknowledged",
        title=_("We are looking into your complaint"),
        body=_("Complaint #%(id)s will be answered by %(due)s.")
        % {
            "id": complaint.pk,
            "due": timezone.localtime(complaint.answer_by) if complaint.answer_by else "-",
        },
        subject=complaint,
    )
    return complaint


@transaction.atomic
def complaint_answer(*, complaint: Complaint, answer: str, actor: User) -> Complaint:
    """CMP-2: customer service (or the department head, once escalated) answers; the answer is recorded."""
    if not answer.strip():
        raise InvalidInput(_("Write the answer."), errors={"answer": [_("Required.")]})
    _require_customer_service(actor)
    complaint = complaint_lock(complaint_id=complaint.pk)
    before = complaint.status
    complaint.answer_with(answer=answer, handler=actor)
    complaint.save()
    deadline_meet(rule=RULE_COMPLAINT_ACK, subject=complaint)
    deadline_meet(rule=RULE_COMPLAINT_ANSWER, subject=complaint)
    _step(complaint, action="answered", actor=actor, from_status=before, note=answer)
    notify(
        recipient=complaint.complainant,
        event="complaint_answered",
        title=_("Your complaint was answered"),
        body=answer,
        subject=complaint,
    )
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, actor: User, note: str = "") -> Complaint:
    """CMP-2, PAY-6: the complaint is closed (by the complainant, or customer service after answering);
    the order's escrow is no longer held for it."""
    complaint = complaint_lock(complaint_id=complaint.pk)
    if complaint.complainant_id != actor.pk:
        _require_customer_service(actor)
    before = complaint.status
    complaint.close()
    complaint.save()
    deadline_cancel(rule=RULE_COMPLAINT_ACK, subject=complaint, note="closed")
    deadline_cancel(rule=RULE_COMPLAINT_ANSWER, subject=complaint, note="closed")
    _release_hold(complaint, actor=actor)
    _step(complaint, action="closed", actor=actor, from_status=before, note=note)
    return complaint


def _complaint_escalate(complaint: Complaint, *, missed: str) -> None:
    """CMP-2: escalate to the customer-service department head with what is pending."""
    if complaint.status not in (CS.FILED, CS.ACKNOWLEDGED):
        return
    head = department_head(code=DepartmentCode.CUSTOMER_SERVICE)
    pending = _(
        "%(missed)s is overdue. Complaint about %(target)s (%(category)s), filed %(filed)s: %(text)s"
    ) % {
        "missed": missed,
        "target": complaint.get_target_kind_display(),
        "category": complaint.get_category_display(),
        "filed": timezone.localtime(complaint.created_at).strftime("%Y-%m-%d %H:%M"),
        "text": complaint.description[:300],
    }
    before = complaint.status
    complaint.escalate(to=head, pending=pending)
    complaint.save()
    _step(complaint, action="escalated", actor=None, from_status=before, note=pending)
    if head is not None:
        notify(
            recipient=head,
            event="complaint_escalated",
            title=_("Complaint #%(id)s escalated to you") % {"id": complaint.pk},
            body=pending,
            subject=complaint,
        )


def complaint_ack_missed(*, complaint: Complaint) -> None:
    """CMP-2: not acknowledged within 24 hours: escalated to the department head."""
    _complaint_escalate(complaint, missed=str(_("The acknowledgement")))


def complaint_answer_missed(*, complaint: Complaint) -> None:
    """CMP-2: not answered within 48 hours: escalated to the department head."""
    _complaint_escalate(complaint, missed=str(_("The answer")))


# --- MSG-1, MSG-2: conversations ------------------------------------------------------------------------

RULE_MERCHANT_MESSAGE_REPLY = "aftersales.merchant_message_reply"
RULE_CS_MESSAGE_REPLY = "aftersales.cs_message_reply"

CV = Conversation
MSG_SIDE = Message.Side


def conversation_lock(*, conversation_id: int) -> Conversation:
    return lock(Conversation, conversation_id, missing=_("No such conversation."))


def _side_of(conversation: Conversation, user: User) -> str:
    """Which side ``user`` speaks for in ``conversation``; ``NotFound`` if none (SEC-1)."""
    if conversation.customer_id == user.pk:
        return MSG_SIDE.CUSTOMER
    if conversation.is_platform:
        if user_is_customer_service(user):
            return MSG_SIDE.PLATFORM
    elif (
        conversation.merchant_id is not None
        and MerchantMember.objects.filter(
            user=user, merchant_id=conversation.merchant_id, is_active=True
        ).exists()
    ):
        return MSG_SIDE.MERCHANT
    raise NotFound(_("No such conversation."))


def _reply_rule(conversation: Conversation) -> tuple[str, timedelta]:
    if conversation.is_platform:
        return RULE_CS_MESSAGE_REPLY, settings.AFTERSALES_CS_MESSAGE_REPLY_WITHIN
    return RULE_MERCHANT_MESSAGE_REPLY, settings.AFTERSALES_MERCHANT_MESSAGE_REPLY_WITHIN


def _open_clock(conversation: Conversation) -> ReplyClock | None:
    return (
        ReplyClock.objects.select_for_update()
        .filter(conversation=conversation, answered_at__isnull=True)
        .order_by("-asked_at")
        .first()
    )


@transaction.atomic
def conversation_start(
    *,
    customer: User,
    kind: str,
    text: str,
    listing_id: int | None = None,
    order_id: int | None = None,
    images: Sequence[Any] = (),
    actor: User,
) -> Conversation:
    """MSG-1: a customer asks a shop about a listing (pre-sale) or one of their orders, or asks platform
    customer service; the customer's open conversation on the same subject is continued, not duplicated.
    The first message starts the reply clock (MSG-2)."""
    lookup: dict[str, Any] = {"customer": customer, "kind": kind, "status": CV.Status.OPEN}
    create: dict[str, Any] = {}
    if kind == CV.Kind.PRESALE:
        if listing_id is None:
            raise InvalidInput(_("Name the listing you ask about."), errors={"listing": [_("Required.")]})
        listing = listing_get_for_customer(listing_id=listing_id)
        lookup["listing"] = listing
        create = {"merchant": listing.merchant}
    elif kind == CV.Kind.ORDER:
        if order_id is None:
            raise InvalidInput(_("Name the order you ask about."), errors={"order": [_("Required.")]})
        order = Order.objects.filter(pk=order_id, customer=customer).select_related("merchant").first()
        if order is None:
            raise NotFound(_("No such order."))
        lookup["order"] = order
        create = {"merchant": order.merchant}
    elif kind != CV.Kind.PLATFORM:
        raise InvalidInput(_("Unknown kind of conversation."), errors={"kind": [_("Invalid.")]})
    conversation = Conversation.objects.select_for_update().filter(**lookup).order_by("-pk").first()
    if conversation is None:
        conversation = Conversation.objects.create(**lookup, **create)
        audit_record(
            actor=actor,
            action="conversation.started",
            subject=conversation,
            after={"kind": kind, "merchant": conversation.merchant_id},
        )
    message_post(conversation=conversation, sender=customer, text=text, images=images, actor=actor)
    conversation.refresh_from_db()
    return conversation


@transaction.atomic
def message_post(
    *, conversation: Conversation, sender: User, text: str, images: Sequence[Any] = (), actor: User
) -> Message:
    """MSG-1, MSG-2: post a message. The customer's first unanswered message starts the other side's
    reply clock (shop 24 h, platform customer service 2 h); the other side's reply meets it. Any side may
    attach PDF/JPEG/PNG files (checked by content and size, SEC-4)."""
    conversation = conversation_lock(conversation_id=conversation.pk)
    side = _side_of(conversation, sender)
    if conversation.status != CV.Status.OPEN:
        raise Conflict(_("This conversation is closed; start a new one."), code="conversation_closed")
    text = text.strip()
    if not text and not images:
        raise InvalidInput(_("Write something or attach a picture."), errors={"text": [_("Empty.")]})
    types = evidence_check_all(images)
    now = timezone.now()
    message = Message.objects.create(conversation=conversation, sender=sender, side=side, text=text)
    for file, content_type in zip(images, types, strict=True):
        MessageImage.objects.create(
            message=message, file=file, content_type=content_type, size=file.size or 0
        )
    conversation.last_message_at = now
    rule, within = _reply_rule(conversation)
    if side == MSG_SIDE.CUSTOMER:
        if conversation.awaiting_since is None:
            conversation.awaiting_since, conversation.reply_due_at = now, now + within
            ReplyClock.objects.create(
                conversation=conversation,
                merchant_id=conversation.merchant_id,
                asked_at=now,
                due_at=conversation.reply_due_at,
            )
            deadline_start(rule=rule, subject=conversation, due_at=conversation.reply_due_at)
        _tell_other_side(conversation)
    else:
        clock = _open_clock(conversation)
        if clock is not None:
            clock.answered_at = now
            clock.save(update_fields=["answered_at"])
        deadline_meet(rule=rule, subject=conversation)
        conversation.awaiting_since = conversation.reply_due_at = None
        if side == MSG_SIDE.PLATFORM and conversation.assigned_to_id is None:
            conversation.assigned_to = sender
        notify(
            recipient=conversation.customer,
            event="conversation_replied",
            title=_("New reply to your message"),
            body=mask_contact_details(text)[:200],
            subject=conversation,
        )
    conversation.save()
    return message


def _tell_other_side(conversation: Conversation) -> None:
    """The shop's owner (shop conversations) or the assigned agent (platform) hears of a new message."""
    recipient: User | None
    if conversation.is_platform:
        recipient = conversation.assigned_to
    else:
        assert conversation.merchant is not None
        recipient = conversation.merchant.owner
    if recipient is not None:
        notify(
            recipient=recipient,
            event="conversation_message",
            title=_("New customer message"),
            body=_("Conversation #%(id)s is waiting for an answer.") % {"id": conversation.pk},
            subject=conversation,
        )


@transaction.atomic
def conversation_mark_read(*, conversation: Conversation, reader: User) -> int:
    """MSG-1: read receipts: the other side's unread messages are marked read now; returns how many."""
    side = _side_of(conversation, reader)
    return (
        Message.objects.filter(conversation=conversation, read_at__isnull=True)
        .exclude(side=side)
        .update(read_at=timezone.now())
    )


@transaction.atomic
def conversation_assign(*, conversation: Conversation, assignee: User, actor: User) -> Conversation:
    """MSG-2: customer service assigns a platform conversation to an agent."""
    _require_customer_service(actor)
    if not user_is_customer_service(assignee):
        raise InvalidInput(_("Assign to a customer-service agent."), errors={"assignee": [_("Not CS.")]})
    conversation = conversation_lock(conversation_id=conversation.pk)
    if not conversation.is_platform:
        raise Conflict(_("Only platform conversations are assigned."), code="not_platform")
    before = conversation.assigned_to_id
    conversation.assigned_to = assignee
    conversation.save(update_fields=["assigned_to"])
    audit_record(
        actor=actor,
        action="conversation.assigned",
        subject=conversation,
        before={"assigned_to": before},
        after={"assigned_to": assignee.pk},
    )
    return conversation


@transaction.atomic
def conversation_close(*, conversation: Conversation, actor: User) -> Conversation:
    """MSG-1, MSG-2: the customer, or the side answering, closes the conversation.

    A customer who closes while waiting withdraws the question: the wait is dropped. The answering side
    closing ends the wait there (the clock is met, its length counted), so closing never hides a wait
    from the shop's KPI."""
    conversation = conversation_lock(conversation_id=conversation.pk)
    side = _side_of(conversation, actor)
    if conversation.status == CV.Status.CLOSED:
        return conversation
    rule, _within = _reply_rule(conversation)
    clock = _open_clock(conversation)
    if side == MSG_SIDE.CUSTOMER:
        deadline_cancel(rule=rule, subject=conversation, note="conversation closed by the customer")
        if clock is not None and clock.missed_at is None:
            clock.delete()
    else:
        deadline_meet(rule=rule, subject=conversation)
        if clock is not None:
            clock.answered_at = timezone.now()
            clock.save(update_fields=["answered_at"])
    conversation.status, conversation.closed_at = CV.Status.CLOSED, timezone.now()
    conversation.awaiting_since = conversation.reply_due_at = None
    conversation.save()
    audit_record(actor=actor, action="conversation.closed", subject=conversation, after={"by": side})
    return conversation


def merchant_message_reply_missed(*, conversation: Conversation) -> None:
    """MSG-2, VIO-6: the shop let a customer wait 24 hours: the wait is recorded as missed (it counts
    against the shop's ``message_response_hours`` KPI with its real length) and the owner is told."""
    clock = _open_clock(conversation)
    if clock is None or clock.missed_at is not None:
        return
    clock.missed_at = timezone.now()
    clock.save(update_fields=["missed_at"])
    audit_record(
        actor=None, action="conversation.reply_missed", subject=conversation, after={"clock": clock.pk}
    )
    if conversation.merchant is not None:
        notify(
            recipient=conversation.merchant.owner,
            event="conversation_reply_missed",
            title=_("A customer has waited 24 hours for your answer"),
            body=_("Conversation #%(id)s: unanswered messages count against your response KPI.")
            % {"id": conversation.pk},
            subject=conversation,
        )


def cs_message_reply_missed(*, conversation: Conversation) -> None:
    """MSG-2: platform customer service did not answer within 2 hours: escalated to the shift lead (the
    customer-service department head), who is notified — no one has to act for this to happen."""
    clock = _open_clock(conversation)
    if clock is None or clock.missed_at is not None:
        return
    now = timezone.now()
    clock.missed_at = now
    clock.save(update_fields=["missed_at"])
    head = department_head(code=DepartmentCode.CUSTOMER_SERVICE)
    conversation.escalated_to, conversation.escalated_at = head, now
    conversation.save(update_fields=["escalated_to", "escalated_at"])
    audit_record(
        actor=None,
        action="conversation.escalated",
        subject=conversation,
        after={"escalated_to": head.pk if head else None, "clock": clock.pk},
        reason="customer service did not answer within the reply window",
    )
    if head is not None:
        notify(
            recipient=head,
            event="conversation_escalated",
            title=_("Customer-service conversation #%(id)s escalated to you") % {"id": conversation.pk},
            body=_("A customer has waited since %(since)s without an answer.")
            % {"since": timezone.localtime(clock.asked_at).strftime("%Y-%m-%d %H:%M")},
            subject=conversation,
        )


@transaction.atomic
def shift_handover_record(*, author: User, notes: str) -> ShiftHandover:
    """MSG-2: an agent leaves notes for the next shift."""
    _require_customer_service(author)
    if not notes.strip():
        raise InvalidInput(_("Write the hand-over notes."), errors={"notes": [_("Empty.")]})
    handover = ShiftHandover.objects.create(author=author, notes=notes.strip())
    audit_record(actor=author, action="shift_handover.recorded", subject=handover)
    return handover


# --- MSG-3: suggestions ---------------------------------------------------------------------------------

SUGGESTION_MAX_TAGS = 10


@transaction.atomic
def suggestion_record(*, user: User, text: str, tags: Sequence[str] = (), actor: User) -> Suggestion:
    """MSG-3: a user's feedback or suggestion, recorded with its tags (lower-cased, de-duplicated)."""
    text = text.strip()
    if not text:
        raise InvalidInput(_("Write your suggestion."), errors={"text": [_("Empty.")]})
    clean = list(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))
    if len(clean) > SUGGESTION_MAX_TAGS:
        raise InvalidInput(
            _("At most %(n)d tags.") % {"n": SUGGESTION_MAX_TAGS}, errors={"tags": [_("Too many.")]}
        )
    suggestion = Suggestion.objects.create(user=user, text=text, tags=clean)
    audit_record(actor=actor, action="suggestion.recorded", subject=suggestion, after={"tags": clean})
    return suggestion
