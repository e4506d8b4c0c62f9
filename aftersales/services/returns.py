"""AFS-4: the return parcel: shipped, delivered, received, refunded; or reshipped, closed, resolved
by a dispute."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.clocks import RULE_REFUND_DUE, RULE_RETURN_RECEIPT, RULE_RETURN_SHIP_BY
from aftersales.models import AfterSalesRequest
from aftersales.selectors import user_is_customer_service
from aftersales.services._common import (
    RS,
    ZERO,
    R,
    _event,
    _release_hold,
    _stop_clocks,
    _tell_customer,
    _tell_merchant,
    request_lock,
)
from aftersales.services.requests import _refund
from merchants.services.deposits import merchant_deposit_drawn
from merchants.services.lifecycle import merchant_lock
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_meet, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.ledger.models import AccountKind, LedgerAccount, TransactionKind
from platform_core.ledger.services import ledger_account_for, ledger_post
from platform_core.money import money_round


@transaction.atomic
def request_ship_return(
    *,
    request: AfterSalesRequest,
    carrier: str,
    tracking_number: str,
    shipping_fee: Decimal = ZERO,
    actor: User,
) -> AfterSalesRequest:
    """AFS-4: the customer ships the return (carrier and tracking number) within 7 days of approval,
    saying what the postage cost (``shipping_fee``, at most ``AFTERSALES_RETURN_SHIPPING_FEE_MAX``): the
    shop pays it back when the return reaches it, if the shop is the payer (``_charge_return_shipping``)."""
    if not carrier.strip() or not tracking_number.strip():
        raise InvalidInput(_("Give the carrier and the tracking number."), code="tracking_missing")
    if shipping_fee < 0 or shipping_fee > settings.AFTERSALES_RETURN_SHIPPING_FEE_MAX:
        raise InvalidInput(
            _("The return's postage is between 0 and %(max)s CNY.")
            % {"max": settings.AFTERSALES_RETURN_SHIPPING_FEE_MAX},
            errors={
                "shipping_fee": [
                    _("At most %(max)s CNY.") % {"max": settings.AFTERSALES_RETURN_SHIPPING_FEE_MAX}
                ]
            },
        )
    request = request_lock(request_id=request.pk)
    before = request.status
    request.ship_return(carrier=carrier.strip(), tracking_number=tracking_number.strip())
    request.return_shipping_fee = money_round(shipping_fee)
    request.save()
    deadline_meet(rule=RULE_RETURN_SHIP_BY, subject=request)
    _event(
        request,
        action="return_shipped",
        actor=actor,
        from_status=before,
        data={
            "carrier": carrier,
            "tracking_number": tracking_number,
            "shipping_fee": str(request.return_shipping_fee),
            "shipping_paid_by": request.return_shipping_payer,
        },
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
    request.return_delivered_at = at or clock.now()
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
        body=_("Confirm its receipt by %(due)s.")
        % {"due": timezone.localtime(request.receipt_due_at).strftime("%Y-%m-%d %H:%M")},
    )
    return request


def _charge_return_shipping(request: AfterSalesRequest, *, actor: User | None) -> None:
    """AFS-4 (7DR Art. 18): the return has reached the shop; when the shop pays the return shipping (a
    quality problem, or its policy in the order's contract says so for no-reason returns), the postage
    the customer paid goes back to the customer from the shop's money: one ``compensation`` transaction
    keyed ``aftersales:<id>:return-shipping`` from the merchant's payable, then its deposit (the
    platform's revenue for its own shop), into refunds clearing (paid out to the customer). When the
    customer is the payer the postage stays theirs and nothing moves. Funds short: recorded on the
    request's timeline, nothing moves (finance steps in)."""
    fee = request.return_shipping_fee
    if fee <= 0 or request.return_shipping_payer != R.Payer.MERCHANT or request.return_shipping_reimbursed_at:
        return
    merchant = request.merchant
    postings: list[tuple[LedgerAccount, Decimal]] = [
        (ledger_account_for(kind=AccountKind.REFUNDS_CLEARING), fee)
    ]
    from_deposit = ZERO
    if merchant.is_self_operated:
        postings.append((ledger_account_for(kind=AccountKind.PLATFORM_REVENUE), -fee))
    else:
        merchant_lock(merchant_id=merchant.pk)
        payable = ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=merchant)
        deposit = ledger_account_for(kind=AccountKind.MERCHANT_DEPOSIT, owner=merchant)
        payable.refresh_from_db(fields=["balance"])
        deposit.refresh_from_db(fields=["balance"])
        from_payable = min(fee, max(payable.balance, ZERO))
        from_deposit = fee - from_payable
        if from_deposit > deposit.balance:
            _event(
                request,
                action="return_shipping_unpaid",
                actor=actor,
                reason=_("The shop's funds cannot cover the return's postage; finance must step in."),
                data={"fee": str(fee)},
            )
            return
        postings += [
            (account, -part)
            for account, part in ((payable, from_payable), (deposit, from_deposit))
            if part > 0
        ]
    ledger_post(
        idempotency_key=f"aftersales:{request.pk}:return-shipping",
        kind=TransactionKind.COMPENSATION,
        postings=postings,
        memo=f"return shipping of after-sales request {request.pk}",
        subject=request,
        actor=actor,
    )
    reason = _("Return postage of after-sales request #%(id)s, paid back to the customer.") % {
        "id": request.pk
    }
    if from_deposit > 0:
        merchant_deposit_drawn(
            merchant=merchant, amount=from_deposit, kind="compensation", reason=reason, actor=actor
        )
    request.return_shipping_reimbursed_at = clock.now()
    request.save(update_fields=["return_shipping_reimbursed_at"])
    _event(request, action="return_shipping_reimbursed", actor=actor, reason=reason, data={"fee": str(fee)})
    _tell_customer(
        request,
        event="aftersales_return_shipping_reimbursed",
        title=_("Return postage paid back"),
        body=_("The shop paid back the %(fee)s CNY postage of your return.") % {"fee": fee},
    )


def _receive(request: AfterSalesRequest, *, actor: User | None, automatic: bool) -> AfterSalesRequest:
    before = request.status
    request.receive_return(automatic=automatic)
    request.save()
    _charge_return_shipping(request, actor=actor)
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
        request.refund_due_at = clock.now() + settings.AFTERSALES_REFUND_WITHIN
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
