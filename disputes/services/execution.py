"""DSP-4: executing a final ruling (or carrying out a settlement).

Reading of DSP-4 ("a ruling executes itself within 24 hours" vs. "appealed once within 3 days"): a
ruling cannot both be executed within 24 h of its issue and stay open to appeal for 3 days without
the money possibly moving twice in opposite directions. We read the 24 h as counted from the moment
the ruling becomes *final*: when the 3-day appeal window closes unappealed, or when the appeal panel
decides. At that moment the ``disputes.execute_ruling`` clock starts, due at once; the sweeper (every
minute) runs its handler, which executes with no human action, well inside the 24 h. The engine
records the lateness, so the SLA report shows the 24 h being kept.

Execution acts once: the service locks the dispute and does nothing unless it is ``ruled``/``final``;
the refund's idempotency key ``dispute:<id>:ruling`` (``dispute:<id>:settlement`` for agreements)
guards the money a second time.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from disputes.clocks import RULE_EXECUTE_RULING
from disputes.models import Appeal, Dispute, RulingKind
from disputes.selectors import final_ruling
from disputes.services._common import (
    ZERO,
    S,
    _event,
    _finish,
    _refund_for,
    _refundable,
    _stop_clocks,
    _tell_parties,
    dispute_lock,
)
from disputes.services.returns import _refunded_by, _return_start
from merchants.services.violations import violation_record
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_meet


def _carry_out(
    dispute: Dispute,
    *,
    amount: Decimal,
    key: str,
    with_return: bool,
    event: str,
    title: str,
    actor: User | None,
) -> None:
    """DSP-4, PAY-5: the money of an outcome (ruling or settlement): refund now and close, or — if the
    item must come back first — start the return (AFS-4) and keep the case and its holds open."""
    if with_return:
        _tell_parties(
            dispute,
            event=event,
            title=title,
            body=_("Dispute #%(id)s: %(amount)s CNY are refunded once the item is returned.")
            % {"id": dispute.pk, "amount": amount},
        )
        _return_start(dispute, amount=amount, key=key, actor=actor)
        return
    _refund_for(
        dispute, amount=amount, key=key, reason=_("Dispute #%(id)s") % {"id": dispute.pk}, actor=actor
    )
    _finish(dispute, actor=actor)
    _tell_parties(
        dispute,
        event=event,
        title=title,
        body=_("Dispute #%(id)s: %(amount)s CNY refunded to the customer; the case is closed.")
        % {"id": dispute.pk, "amount": amount},
    )


@transaction.atomic
def dispute_execute(*, dispute: Dispute, actor: User | None = None) -> Dispute:
    """DSP-4, PAY-5, PAY-7, VIO-1: execute the final ruling once — the refund (``dispute:<id>:ruling``),
    the ``refusing_valid_returns`` violation if the merchant lost, the after-sales request following,
    the hold released, the case executed → closed. Running it again does nothing."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if dispute.status not in (S.RULED, S.FINAL):
        return dispute
    if dispute.status == S.RULED and Appeal.objects.filter(dispute=dispute).exists():
        return dispute
    ruling = final_ruling(dispute)
    if ruling is None:
        return dispute
    amount = min(ruling.refund_amount, _refundable(dispute.order) + _refunded_by(dispute))
    # DSP-4, AFS-4: a return-required ruling refunds when the merchant has the item back
    with_return = ruling.kind == RulingKind.RETURN_REQUIRED and amount > 0
    if ruling.merchant_lost:
        violation_record(
            merchant=dispute.order.merchant,
            kind="refusing_valid_returns",
            evidence={"dispute": dispute.pk, "ruling": ruling.pk, "kind": ruling.kind, "amount": str(amount)},
            source="dispute",
            actor=actor,
        )
    before = dispute.status
    dispute.execute(amount=ZERO if with_return else amount, merchant_lost=ruling.merchant_lost)
    dispute.save()
    _stop_clocks(dispute, note="executed", keep=RULE_EXECUTE_RULING)
    deadline_meet(rule=RULE_EXECUTE_RULING, subject=dispute)
    _event(dispute, action="executed", actor=actor, from_status=before, note=f"{amount} CNY")
    _carry_out(
        dispute,
        amount=amount,
        key=f"dispute:{dispute.pk}:ruling",
        with_return=with_return,
        event="dispute_executed",
        title=_("The ruling was executed"),
        actor=actor,
    )
    return dispute
