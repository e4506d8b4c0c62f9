"""DSP-4, AFS-4: the return a ruling or settlement requires (shipped within 7 days, received within 7)."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from disputes.clocks import RULE_RETURN_RECEIPT, RULE_RETURN_SHIP_BY
from disputes.models import Dispute, DisputeReturn, Party
from disputes.services._common import (
    PERM_ARBITRATE,
    PERM_MEDIATE,
    RETURN_RECEIPT_WITHIN,
    RETURN_SHIP_WITHIN,
    ZERO,
    _event,
    _finish,
    _refund_for,
    _require_party,
    _tell,
    _tell_parties,
    _when,
    dispute_lock,
)
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_meet, deadline_start
from platform_core.errors import Conflict, InvalidInput
from platform_core.locking import lock_first


def _return_start(dispute: Dispute, *, amount: Decimal, key: str, actor: User | None) -> DisputeReturn:
    """The customer has 7 days to ship the item back; the refund waits for the merchant's receipt."""
    case = DisputeReturn.objects.create(dispute=dispute, refund_amount=amount, refund_key=key)
    due = deadline_start(rule=RULE_RETURN_SHIP_BY, subject=dispute, after=RETURN_SHIP_WITHIN).due_at
    _event(dispute, action="return_required", actor=actor, note=f"{amount} CNY")
    _tell(
        dispute.order.customer,
        dispute,
        event="dispute_return_required",
        title=_("Return the item to get your refund"),
        body=_(
            "Dispute #%(id)s: ship the item back to the merchant and enter the carrier and tracking "
            "number by %(due)s. %(amount)s CNY are refunded when the merchant receives it; if it is not "
            "shipped by then, the refund lapses."
        )
        % {"id": dispute.pk, "amount": amount, "due": _when(due)},
    )
    _tell(
        dispute.order.merchant.owner,
        dispute,
        event="dispute_return_required",
        title=_("A return is on its way"),
        body=_(
            "Dispute #%(id)s: the customer ships the item back by %(due)s. Confirm receipt when it "
            "arrives; the refund of %(amount)s CNY then executes."
        )
        % {"id": dispute.pk, "amount": amount, "due": _when(due)},
    )
    return case


def _return_lock(dispute: Dispute) -> DisputeReturn:
    case = lock_first(DisputeReturn, dispute=dispute)
    if case is None:
        raise Conflict(_("This case requires no return."), code="no_return")
    return case


@transaction.atomic
def dispute_return_ship(
    *, dispute: Dispute, carrier: str, tracking_number: str, actor: User
) -> DisputeReturn:
    """DSP-4, AFS-4: the customer ships the item back (carrier and tracking) within 7 days; the merchant
    then has 7 days to confirm receipt, else it is confirmed automatically."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    _require_party(dispute, actor, Party.CUSTOMER)
    errors = {
        field: [_("Required.")]
        for field, value in (("carrier", carrier), ("tracking_number", tracking_number))
        if not value.strip()
    }
    if errors:
        raise InvalidInput(_("Give the carrier and the tracking number."), errors=errors)
    case = _return_lock(dispute)
    case.ship(carrier=carrier.strip(), tracking_number=tracking_number.strip())
    case.save()
    deadline_meet(rule=RULE_RETURN_SHIP_BY, subject=dispute)
    due = deadline_start(rule=RULE_RETURN_RECEIPT, subject=dispute, after=RETURN_RECEIPT_WITHIN).due_at
    _event(dispute, action="return_shipped", actor=actor, note=f"{case.carrier} {case.tracking_number}")
    _tell(
        dispute.order.merchant.owner,
        dispute,
        event="dispute_return_shipped",
        title=_("The return was shipped"),
        body=_(
            "Dispute #%(id)s: the item is on its way back (%(carrier)s %(tracking)s). Confirm receipt by "
            "%(due)s; otherwise it is confirmed automatically and the refund executes."
        )
        % {"id": dispute.pk, "carrier": case.carrier, "tracking": case.tracking_number, "due": _when(due)},
    )
    return case


@transaction.atomic
def dispute_return_receive(*, dispute: Dispute, actor: User) -> DisputeReturn:
    """DSP-4, AFS-4: the merchant (or dispute staff) confirms the item is back; the refund executes."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    staff = actor.is_staff and (actor.has_perm(PERM_MEDIATE) or actor.has_perm(PERM_ARBITRATE))
    if not staff:
        _require_party(dispute, actor, Party.MERCHANT)
    case = _return_lock(dispute)
    deadline_meet(rule=RULE_RETURN_RECEIPT, subject=dispute)
    return _return_received(dispute, case, automatically=False, actor=actor)


def _return_received(
    dispute: Dispute, case: DisputeReturn, *, automatically: bool, actor: User | None
) -> DisputeReturn:
    case.receive(automatically=automatically)
    case.save()
    _refund_for(
        dispute,
        amount=case.refund_amount,
        key=case.refund_key,
        reason=_("Dispute #%(id)s: refund on return") % {"id": dispute.pk},
        actor=actor,
    )
    dispute.refunded_amount = case.refund_amount
    dispute.save(update_fields=["refunded_amount"])
    _event(dispute, action="return_received", actor=actor, note="automatic" if automatically else "")
    _finish(dispute, actor=actor)
    _tell_parties(
        dispute,
        event="dispute_return_received",
        title=_("Return received, refund issued"),
        body=_(
            "Dispute #%(id)s: the return was received%(auto)s; %(amount)s CNY refunded. The case is closed."
        )
        % {
            "id": dispute.pk,
            "amount": case.refund_amount,
            "auto": _(" (confirmed automatically after 7 days)") if automatically else "",
        },
    )
    return case


def dispute_return_receipt_due(*, dispute: Dispute) -> None:
    """AFS-4: the merchant did not confirm within 7 days of the shipment; receipt is confirmed for them."""
    case = DisputeReturn.objects.select_for_update().filter(dispute=dispute).first()
    if case is not None and case.status == DisputeReturn.Status.SHIPPED:
        _return_received(dispute, case, automatically=True, actor=None)


def dispute_return_ship_by_passed(*, dispute: Dispute) -> None:
    """DSP-4, AFS-4: not shipped within 7 days: the refund part lapses (as the after-sales request would);
    the rest of the ruling (the violation) stands; the holds go and the case closes."""
    case = DisputeReturn.objects.select_for_update().filter(dispute=dispute).first()
    if case is None or case.status != DisputeReturn.Status.AWAITING_SHIPMENT:
        return
    case.lapse()
    case.save()
    _event(dispute, action="return_lapsed", actor=None, note=f"{case.refund_amount} CNY")
    _finish(dispute, actor=None)
    _tell_parties(
        dispute,
        event="dispute_return_lapsed",
        title=_("Return not shipped, refund lapsed"),
        body=_(
            "Dispute #%(id)s: the item was not shipped back within 7 days, so the refund of %(amount)s CNY "
            "lapsed. The case is closed."
        )
        % {"id": dispute.pk, "amount": case.refund_amount},
    )


def _refunded_by(dispute: Dispute) -> Decimal:
    """What this dispute's own ruling refund already moved (so a re-run computes the same amount)."""
    from orders.models import Refund

    refund = Refund.objects.filter(idempotency_key=f"dispute:{dispute.pk}:ruling").first()
    return refund.amount if refund is not None else ZERO
