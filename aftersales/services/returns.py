"""AFS-4: the return parcel: shipped, delivered, received, refunded; or reshipped, closed, resolved
by a dispute."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.clocks import RULE_REFUND_DUE, RULE_RETURN_RECEIPT, RULE_RETURN_SHIP_BY
from aftersales.models import AfterSalesRequest
from aftersales.selectors import user_is_customer_service
from aftersales.services._common import (
    RS,
    R,
    _event,
    _release_hold,
    _stop_clocks,
    _tell_customer,
    _tell_merchant,
    request_lock,
)
from aftersales.services.requests import _refund
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_meet, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput


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
