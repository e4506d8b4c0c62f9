"""The disputes chapter's rule names, periods and permissions, and the helpers its stages share.

Lifecycle: ``opened → evidence (3 days) → mediation (3 days) → arbitration (ruling within 7 days) →
ruled → [appealed → final] → executed → closed``; ``settled → closed`` when both parties accept a
mediator's proposal; ``withdrawn`` by the opener before a ruling; ``suspended`` (≤ 30 days) pending a
court or police filing, resuming to the interrupted stage with the time that stage had left.

Lock order: the dispute row first, then the order (through ``orders.services``), like the deadline
sweeper, which locks the dispute before calling a handler.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import AfterSalesRequest
from disputes.clocks import (
    RULE_APPEAL_WINDOW,
    RULE_EVIDENCE_WINDOW,
    RULE_EXECUTE_RULING,
    RULE_MEDIATION_WINDOW,
    RULE_PANEL_RECONVENED,
    RULE_RETURN_RECEIPT,
    RULE_RETURN_SHIP_BY,
    RULE_RULING_DUE,
    RULE_SUSPENSION_END,
)
from disputes.models import Appeal, Dispute, DisputeEvent, RulingKind
from disputes.selectors import party_of
from orders.models import Order, Refund
from orders.selectors.money import order_paid_amount, order_refunded_amount
from orders.services.refunds import order_refund
from orders.services.settlement import order_escrow_hold_release
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadline_cancel, deadline_start
from platform_core.errors import InvalidInput, NotFound
from platform_core.ledger.models import AccountKind, LedgerAccount, LedgerHold, TransactionKind
from platform_core.ledger.services import (
    ledger_account_for,
    ledger_hold_open,
    ledger_hold_release,
    ledger_post,
)
from platform_core.locking import lock
from platform_core.money import is_whole_cents
from platform_core.notifications.services import notify
from platform_core.timeline import timeline_record

EVIDENCE_WINDOW = timedelta(days=3)
MEDIATION_WINDOW = timedelta(days=3)
RULING_WITHIN = timedelta(days=7)
APPEAL_WINDOW = timedelta(days=3)
SUSPENSION_MAX = timedelta(days=30)
PANEL_SIZE = 3
PANEL_RECONVENE_WINDOW = timedelta(days=3)
RETURN_SHIP_WITHIN = timedelta(days=7)  # AFS-4
RETURN_RECEIPT_WITHIN = timedelta(days=7)  # AFS-4

PERM_MEDIATE = "disputes.mediate_dispute"
PERM_ARBITRATE = "disputes.arbitrate_dispute"

S = Dispute.Status
ZERO = Decimal("0.00")

#: the clock that runs in each stage (suspension pauses it, resumption restarts it with what was left)
STAGE_RULES: dict[str, str] = {
    S.EVIDENCE: RULE_EVIDENCE_WINDOW,
    S.MEDIATION: RULE_MEDIATION_WINDOW,
    S.ARBITRATION: RULE_RULING_DUE,
    S.APPEALED: RULE_RULING_DUE,
}
ALL_RULES = (
    RULE_EVIDENCE_WINDOW,
    RULE_MEDIATION_WINDOW,
    RULE_RULING_DUE,
    RULE_APPEAL_WINDOW,
    RULE_EXECUTE_RULING,
    RULE_SUSPENSION_END,
    RULE_PANEL_RECONVENED,
    RULE_RETURN_SHIP_BY,
    RULE_RETURN_RECEIPT,
)


def dispute_lock(*, dispute_id: int) -> Dispute:
    """The dispute row, locked until the transaction ends (``NotFound`` if it does not exist)."""
    return lock(Dispute, dispute_id, missing=_("No such dispute."))


def _event(
    dispute: Dispute, *, action: str, actor: User | None, from_status: str = "", note: str = ""
) -> DisputeEvent:
    """DSP-5, AUD-1: the case timeline row and the audit entry of one step."""
    return timeline_record(
        DisputeEvent,
        dispute=dispute,
        subject=dispute,
        actor=actor,
        action=action,
        audit_action=f"dispute.{action}",
        from_status=from_status,
        reason=note,
    )


def _parties(dispute: Dispute) -> list[User]:
    return [dispute.order.customer, dispute.order.merchant.owner]


def _tell_parties(dispute: Dispute, *, event: str, title: str, body: str) -> None:
    """DSP-5: both parties learn what happened, what they must do and by when."""
    for user in _parties(dispute):
        notify(recipient=user, event=event, title=title, body=body, subject=dispute)


def _tell(user: User | None, dispute: Dispute, *, event: str, title: str, body: str) -> None:
    if user is not None:
        notify(recipient=user, event=event, title=title, body=body, subject=dispute)


def _when(at: Any) -> str:
    return str(timezone.localtime(at).strftime("%Y-%m-%d %H:%M"))


def _refundable(order: Order) -> Decimal:
    return order_paid_amount(order=order) - order_refunded_amount(order=order)


def _amount(value: Any, *, field: str = "refund_amount") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, ValueError) as exc:
        raise InvalidInput(_("Not an amount."), errors={field: [_("Not an amount.")]}) from exc
    if amount < 0 or not is_whole_cents(amount):
        raise InvalidInput(
            _("Amounts are non-negative yuan and fen."), errors={field: [_("At most two decimals, ≥ 0.")]}
        )
    return amount


def _require_party(dispute: Dispute, user: User, party: str | None = None) -> str:
    side = party_of(dispute=dispute, user=user)
    if side is None or (party is not None and side != party):
        raise NotFound(_("No such dispute."))
    return side


def _stage_rule(dispute: Dispute) -> str:
    """The clock of the case's stage; a reconvened appeal panel runs on its own (DSP-4)."""
    if (
        dispute.status == S.APPEALED
        and Appeal.objects.filter(dispute=dispute, reconvened_at__isnull=False).exists()
    ):
        return RULE_PANEL_RECONVENED
    return STAGE_RULES[dispute.status]


def _start_stage_clock(dispute: Dispute, *, after: timedelta) -> Any:
    return deadline_start(rule=_stage_rule(dispute), subject=dispute, after=after).due_at


def _stop_clocks(dispute: Dispute, *, note: str, keep: str = "") -> None:
    for rule in ALL_RULES:
        if rule != keep:
            deadline_cancel(rule=rule, subject=dispute, note=note)


def _release_hold(dispute: Dispute, *, actor: User | None) -> None:
    """PAY-6: the dispute no longer holds the escrow (settlement goes ahead unless something else holds),
    nor the merchant's payable or deposit it held because the escrow had already been released."""
    if dispute.hold is not None and dispute.hold.released_at is None:
        order_escrow_hold_release(hold=dispute.hold, actor=actor)
    for hold in dispute_merchant_holds(dispute=dispute):
        ledger_hold_release(hold=hold, actor=actor)


def dispute_merchant_holds(*, dispute: Dispute) -> list[LedgerHold]:
    """DSP-1, PAY-6: the open holds this dispute keeps on the merchant's payable and deposit."""
    return list(
        LedgerHold.objects.filter(
            subject_type=ContentType.objects.get_for_model(Dispute),
            subject_id=dispute.pk,
            released_at__isnull=True,
            account__kind__in=(AccountKind.MERCHANT_PAYABLE, AccountKind.MERCHANT_DEPOSIT),
        ).order_by("pk")
    )


def _merchant_accounts(order: Order) -> tuple[LedgerAccount, LedgerAccount, LedgerAccount]:
    """The order's escrow, the merchant's payable and deposit, with their current balances."""
    accounts = (
        ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=order),
        ledger_account_for(kind=AccountKind.MERCHANT_PAYABLE, owner=order.merchant),
        ledger_account_for(kind=AccountKind.MERCHANT_DEPOSIT, owner=order.merchant),
    )
    for account in accounts:
        account.refresh_from_db(fields=["balance"])
    return accounts


def _hold_released_funds(dispute: Dispute, *, order: Order, actor: User | None) -> None:
    """DSP-1, PAY-5, PAY-6: what the escrow no longer has (it was released at settlement) the refund would
    come from the merchant's payable, then the deposit: hold those, with the dispute as the reason, so a
    payout (or a deposit return) cannot drain them while the case is open."""
    escrow, payable, deposit = _merchant_accounts(order)
    shortfall = _refundable(order) - escrow.balance
    if shortfall <= 0:
        return
    reason = _("Dispute #%(id)s on order %(number)s") % {"id": dispute.pk, "number": order.number}
    ledger_hold_open(account=payable, reason=reason, subject=dispute, actor=actor)
    if payable.balance < shortfall:
        ledger_hold_open(account=deposit, reason=reason, subject=dispute, actor=actor)


def _refund_for(dispute: Dispute, *, amount: Decimal, key: str, reason: str, actor: User | None) -> None:
    """PAY-5, PAY-7, DSP-4: refund ``amount`` under ``key``: escrow, then the merchant's payable
    (``order_refund``). What those lack is moved into the payable first: from the deposit
    (``<key>:deposit``), and beyond the deposit advanced by the platform's compensation account
    (``<key>:advance``), so that a ruling always executes (decision 009)."""
    if amount <= 0:
        return
    if not Refund.objects.filter(idempotency_key=key).exists():
        escrow, payable, deposit = _merchant_accounts(dispute.order)
        lacking = amount - max(escrow.balance, ZERO) - max(payable.balance, ZERO)
        from_deposit = min(lacking, max(deposit.balance, ZERO))
        covers = (
            ("deposit", TransactionKind.DEPOSIT_DEDUCTION, deposit, from_deposit),
            (
                "advance",
                TransactionKind.COMPENSATION,
                ledger_account_for(kind=AccountKind.COMPENSATION),
                lacking - from_deposit,
            ),
        )
        for suffix, kind, source, part in covers:
            if part <= 0:
                continue
            ledger_post(
                idempotency_key=f"{key}:{suffix}",
                kind=kind,
                postings=[(source, -part), (payable, part)],
                memo=_("Dispute #%(id)s: refund covered (%(how)s)") % {"id": dispute.pk, "how": suffix},
                subject=dispute,
                actor=actor,
            )
        if lacking > 0:
            _tell(
                dispute.order.merchant.owner,
                dispute,
                event="dispute_deposit_drawn",
                title=_("Deposit drawn for a dispute refund"),
                body=_(
                    "Dispute #%(id)s: the order's money had been paid out, so %(deposit)s CNY of the refund "
                    "came from your deposit and %(advance)s CNY were advanced by the platform. Top the "
                    "deposit up to the required amount."
                )
                % {"id": dispute.pk, "deposit": from_deposit, "advance": lacking - from_deposit},
            )
    order_refund(order=dispute.order, amount=amount, reason=reason, idempotency_key=key, actor=actor)


def _aftersales_follow(dispute: Dispute, *, actor: User | None) -> None:
    """DSP-4, PAY-6: the escalated after-sales request follows the case: it is closed and its hold
    released (the money moved here, under the dispute's key, so after-sales must not refund again)."""
    request = dispute.aftersales_request
    if request is None or request.status != AfterSalesRequest.Status.ESCALATED:
        return
    from aftersales.services.returns import request_resolve_by_dispute

    request_resolve_by_dispute(
        request=request, dispute_reference=_("Resolved by dispute #%(id)s") % {"id": dispute.pk}, actor=actor
    )


def _finish(dispute: Dispute, *, actor: User | None) -> None:
    """Release the hold, let the after-sales request follow, close the case."""
    _release_hold(dispute, actor=actor)
    _aftersales_follow(dispute, actor=actor)
    before = dispute.status
    dispute.close()
    dispute.save()
    _event(dispute, action="closed", actor=actor, from_status=before)


def _check_ruling(dispute: Dispute, *, kind: str, refund_amount: Any, reasons: str) -> Decimal:
    if kind not in RulingKind.values:
        raise InvalidInput(_("Unknown ruling."), errors={"kind": [_("Unknown.")]})
    if not reasons.strip():
        raise InvalidInput(_("A ruling gives written reasons."), errors={"reasons": [_("Required.")]})
    refundable = _refundable(dispute.order)
    if kind == RulingKind.FULL_REFUND:
        return refundable
    if kind == RulingKind.NO_REFUND:
        return ZERO
    amount = _amount(refund_amount)
    if amount > refundable:
        raise InvalidInput(_("More than the customer paid."), errors={"refund_amount": [_("Too much.")]})
    if kind == RulingKind.PARTIAL_REFUND and amount <= 0:
        raise InvalidInput(_("A partial refund is positive."), errors={"refund_amount": [_("Positive.")]})
    return amount
