"""AFS-1 … AFS-3, AFS-5: a request's window and amounts, opening it, the merchant's answer, escalation;
special periods (AFS-3).

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

from aftersales.clocks import (
    RULE_ESCALATION_WINDOW,
    RULE_MERCHANT_RESPONSE,
    RULE_REFUND_DUE,
    RULE_RETURN_SHIP_BY,
)
from aftersales.models import AfterSalesRequest, SpecialPeriod
from aftersales.selectors import aftersales_policy_of_order, user_is_customer_service
from aftersales.services._common import (
    ELIGIBLE_ORDER_STATUSES,
    RS,
    ZERO,
    R,
    _attach,
    _event,
    _money,
    _release_hold,
    _stop_clocks,
    _tell_customer,
    _tell_merchant,
    request_lock,
)
from catalog.models import Category
from orders.models import Order, OrderLine
from orders.selectors.money import order_paid_amount, order_refunded_amount
from orders.services.locks import order_lock
from orders.services.refunds import order_refund
from orders.services.settlement import order_escrow_hold
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_start
from platform_core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from platform_core.hooks import Hook


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
    """AFS-2: the customer confirmed at purchase that the line is non-returnable, as the contract records;
    the listing's flag today (set or lifted after the purchase) plays no part."""
    return any(
        term.get("sku") == line.sku_id and term.get("non_returnable_confirmed")
        for term in (order.contract or {}).get("lines", [])
    )


def request_window_end(*, order: Order, line: OrderLine, kind: str, reason_kind: str) -> datetime:
    """AFS-1: the end (exclusive) of the window for this kind of request on ``line``.

    Seven days from the day after signing for no-reason returns, fifteen for quality problems (and
    other reasons), the warranty period for repairs (merchant policy, else ``AFTERSALES_WARRANTY_DAYS``).
    """
    signed_at = _signed_at(order)
    if signed_at is None:
        raise Conflict(_("After-sales opens once the goods are signed for."), code="not_delivered")
    if kind == R.Kind.REPAIR:  # ORD-1: the warranty the contract holds, not the shop's policy today
        days = int(aftersales_policy_of_order(order=order).get("warranty_days") or 0)
        days = days or settings.AFTERSALES_WARRANTY_DAYS
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
    now = clock.now()
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
    # AFS-4 (7DR Art. 18): the merchant pays for quality problems; for no-reason returns the customer,
    # unless the policy in the order's contract (ORD-1) says the merchant does.
    policy = aftersales_policy_of_order(order=order)
    payer = (
        R.Payer.MERCHANT
        if reason_kind == R.ReasonKind.QUALITY
        or policy.get("no_reason_return_shipping_payer") == R.Payer.MERCHANT
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
        % {"number": order.number, "due": timezone.localtime(request.respond_by).strftime("%Y-%m-%d %H:%M")},
    )
    return request


def _after_approval(request: AfterSalesRequest, *, actor: User | None) -> None:
    """AFS-4: refund-only is refunded at once; returns wait for the customer's parcel (7 days)."""
    if request.kind == R.Kind.REFUND_ONLY:
        _refund(request, actor=actor)
        return
    ship_by = clock.now() + settings.AFTERSALES_RETURN_SHIP_WITHIN
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
        % {
            "due": timezone.localtime(ship_by).strftime("%Y-%m-%d %H:%M"),
            "payer": request.get_return_shipping_payer_display(),
        },
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
    now = clock.now()
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
    request.escalate_until = clock.now() + settings.AFTERSALES_ESCALATION_WINDOW
    request.save()
    deadline_start(rule=RULE_ESCALATION_WINDOW, subject=request, due_at=request.escalate_until)
    _event(request, action="refused", actor=actor, from_status=before, reason=reason)
    _tell_customer(
        request,
        event="aftersales_refused",
        title=_("After-sales request refused"),
        body=_("The shop refused: %(reason)s. You may escalate to the platform until %(until)s.")
        % {"reason": reason, "until": timezone.localtime(request.escalate_until).strftime("%Y-%m-%d %H:%M")},
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
