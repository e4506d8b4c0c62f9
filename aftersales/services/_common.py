"""The after-sales chapter's rule names and the helpers its requests and complaints share.

Lock order: a service locks its request (or complaint) row first, then the order (through
``orders.services``), the same order the deadline sweeper uses (it locks the subject, then the handler
reaches the order), so the two never deadlock. Creating a request locks the order alone.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from aftersales.clocks import (
    RULE_ESCALATION_WINDOW,
    RULE_MERCHANT_RESPONSE,
    RULE_REFUND_DUE,
    RULE_RETURN_RECEIPT,
    RULE_RETURN_SHIP_BY,
)
from aftersales.models import AfterSalesEvent, AfterSalesRequest, Complaint, ComplaintStep, Evidence
from aftersales.selectors import user_is_customer_service
from aftersales.uploads import evidence_check_all
from orders.models import Order
from orders.services.settlement import order_escrow_hold_release
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_cancel
from platform_core.errors import Forbidden, InvalidInput
from platform_core.locking import lock
from platform_core.money import is_whole_cents
from platform_core.notifications.services import notify
from platform_core.timeline import timeline_record

REQUEST_RULES = (
    RULE_MERCHANT_RESPONSE,
    RULE_RETURN_SHIP_BY,
    RULE_RETURN_RECEIPT,
    RULE_REFUND_DUE,
    RULE_ESCALATION_WINDOW,
)

R = AfterSalesRequest
RS = AfterSalesRequest.Status
CS = Complaint.Status
ZERO = Decimal("0.00")
ELIGIBLE_ORDER_STATUSES = (Order.Status.DELIVERED, Order.Status.COMPLETED)


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
