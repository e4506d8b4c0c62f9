"""Writes of the disputes chapter (DSP-1 … DSP-5, PAY-5, PAY-6, VIO-1).

Lifecycle: ``opened → evidence (3 days) → mediation (3 days) → arbitration (ruling within 7 days) →
ruled → [appealed → final] → executed → closed``; ``settled → closed`` when both parties accept a
mediator's proposal; ``withdrawn`` by the opener before a ruling; ``suspended`` (≤ 30 days) pending a
court or police filing, resuming to the interrupted stage with the time that stage had left.

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

DSP-6: when mediation fails, ``arbitration_routers`` may take the case instead of the committee (the public
jury, ``jury/``); its verdict is recorded by ``dispute_rule_by_jury`` (final) and executes like any other
ruling; a jury that cannot decide hands the case back through ``dispute_refer_to_committee``.

Lock order: the dispute row first, then the order (through ``orders.services``), like the deadline
sweeper, which locks the dispute before calling a handler.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import AfterSalesRequest, Complaint
from aftersales.uploads import evidence_check_all
from disputes.models import (
    Appeal,
    AppealPanelVote,
    Dispute,
    DisputeEvent,
    DisputeEvidence,
    DisputeEvidenceFile,
    DisputeReturn,
    MediationProposal,
    Party,
    Ruling,
    RulingKind,
)
from disputes.selectors import (
    arbitrator_conflict,
    arbitrator_pick,
    arbitrators,
    arbitrators_eligible,
    final_ruling,
    party_of,
)
from merchants.models import MerchantMember
from merchants.services.violations import violation_record
from orders.models import Order, Refund
from orders.selectors.money import order_paid_amount, order_refunded_amount
from orders.services.locks import order_lock
from orders.services.refunds import order_refund
from orders.services.settlement import order_escrow_hold, order_escrow_hold_release
from platform_core.accounts.models import User
from platform_core.deadlines.selectors import deadline_time_left
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput, NotFound
from platform_core.hooks import Hook
from platform_core.ledger.models import AccountKind, LedgerAccount, LedgerHold, TransactionKind
from platform_core.ledger.services import (
    ledger_account_for,
    ledger_hold_open,
    ledger_hold_release,
    ledger_post,
)
from platform_core.locking import lock, lock_first
from platform_core.money import is_whole_cents
from platform_core.notifications.services import notify
from platform_core.org.departments import DepartmentCode, department_head
from platform_core.timeline import timeline_record

RULE_EVIDENCE_WINDOW = "disputes.evidence_window"
RULE_MEDIATION_WINDOW = "disputes.mediation_window"
RULE_RULING_DUE = "disputes.ruling_due"
RULE_APPEAL_WINDOW = "disputes.appeal_window"
RULE_EXECUTE_RULING = "disputes.execute_ruling"
RULE_SUSPENSION_END = "disputes.suspension_end"
RULE_PANEL_RECONVENED = "disputes.panel_reconvened"
RULE_RETURN_SHIP_BY = "disputes.return_ship_by"
RULE_RETURN_RECEIPT = "disputes.return_receipt"

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


class ArbitrationRouter(Protocol):
    def __call__(self, *, dispute: Dispute) -> bool: ...


arbitration_routers = Hook[ArbitrationRouter](
    "disputes.arbitration_routers",
    doc=(
        "DSP-6: mediation ended without agreement; the dispute is locked, just in arbitration, its ruling "
        "clock running. A router that answers True has taken the case (the public jury) and the "
        "committee is not assigned now; the first True wins."
    ),
)

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


# --- helpers ------------------------------------------------------------------------------------------


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
    from aftersales.services import request_resolve_by_dispute

    request_resolve_by_dispute(
        request=request, dispute_reference=_("Resolved by dispute #%(id)s") % {"id": dispute.pk}, actor=actor
    )


# --- DSP-1: opening -----------------------------------------------------------------------------------


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
        from aftersales.services import request_escalate

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
    """AFS-5, DSP-1 (``aftersales.services.request_escalated``): an escalated refusal opens a dispute."""
    dispute_open_from_request(request=request, reason=reason, actor=actor)


@transaction.atomic
def dispute_open_on_complaint(
    *, complaint: Complaint, reason: str, actor: User, claim_amount: Decimal | None = None
) -> Dispute:
    """DSP-1, PAY-6: either party opens a dispute on an order with an unresolved complaint."""
    order = complaint.order
    if order is None or complaint.status == Complaint.Status.CLOSED:
        raise Conflict(_("Only an order with an unresolved complaint can be disputed."), code="no_complaint")
    if actor.pk == order.customer_id:
        role = Dispute.OpenerRole.CUSTOMER
    elif MerchantMember.objects.filter(merchant_id=order.merchant_id, user=actor, is_active=True).exists():
        role = Dispute.OpenerRole.MERCHANT
    else:
        raise NotFound(_("No such complaint."))
    return _open(
        order=order,
        opened_by=actor,
        opener_role=role,
        reason=reason,
        claim_amount=claim_amount,
        complaint=complaint,
    )


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


# --- DSP-2: evidence ------------------------------------------------------------------------------------


@transaction.atomic
def dispute_evidence_submit(
    *, dispute: Dispute, statement: str, files: list[Any] | None = None, actor: User
) -> DisputeEvidence:
    """DSP-2, SEC-4: a party's statement and files (PDF/JPEG/PNG by content, size-capped), while the case
    is in evidence or mediation. The other side sees it."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    party = _require_party(dispute, actor)
    if dispute.status not in (S.EVIDENCE, S.MEDIATION):
        raise Conflict(_("Evidence is no longer accepted in this case."), code="evidence_closed")
    if not statement.strip():
        raise InvalidInput(_("A statement is required."), errors={"statement": [_("Required.")]})
    files = list(files or [])
    types = evidence_check_all(files)
    evidence = DisputeEvidence.objects.create(
        dispute=dispute, party=party, submitted_by=actor, statement=statement
    )
    for file, content_type in zip(files, types, strict=True):
        DisputeEvidenceFile.objects.create(
            evidence=evidence, file=file, content_type=content_type, size=file.size or 0
        )
    _event(dispute, action="evidence_submitted", actor=actor, note=party)
    other = dispute.order.merchant.owner if party == Party.CUSTOMER else dispute.order.customer
    _tell(
        other,
        dispute,
        event="dispute_evidence_submitted",
        title=_("New evidence in your dispute"),
        body=_("The other party submitted evidence in dispute #%(id)s; you may answer it.")
        % {"id": dispute.pk},
    )
    return evidence


def dispute_evidence_window_closed(*, dispute: Dispute) -> None:
    """DSP-2a: the evidence window ran out; the case proceeds on what is on file (the deadline handler)."""
    if dispute.status != S.EVIDENCE:
        return
    _to_mediation(dispute, actor=None)


def _to_mediation(dispute: Dispute, *, actor: User | None) -> None:
    before = dispute.status
    dispute.mediate()
    dispute.save()
    due = _start_stage_clock(dispute, after=MEDIATION_WINDOW)
    _event(dispute, action="mediation_started", actor=actor, from_status=before)
    _tell_parties(
        dispute,
        event="dispute_mediation",
        title=_("Your dispute is in mediation"),
        body=_(
            "Dispute #%(id)s: a mediator will propose a settlement; accept or reject it by %(due)s, "
            "otherwise the arbitration committee decides."
        )
        % {"id": dispute.pk, "due": _when(due)},
    )


# --- DSP-2: mediation -----------------------------------------------------------------------------------


@transaction.atomic
def dispute_propose(
    *, dispute: Dispute, refund_amount: Decimal, return_required: bool = False, note: str = "", actor: User
) -> MediationProposal:
    """DSP-2: the mediator (``disputes.mediate_dispute``) proposes a settlement; earlier open proposals
    lapse. The first proposer becomes the case's mediator (and can then never arbitrate it, DSP-3)."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if not (actor.is_staff and actor.has_perm(PERM_MEDIATE)):
        raise Forbidden(_("Only a mediator may propose a settlement."), code="not_mediator")
    if dispute.mediator_id is not None and dispute.mediator_id != actor.pk:
        raise Forbidden(_("Another mediator handles this case."), code="not_case_mediator")
    if dispute.status != S.MEDIATION:
        raise Conflict(_("The case is not in mediation."), code="not_in_mediation")
    if party_of(dispute=dispute, user=actor) is not None:
        raise Forbidden(_("A party cannot mediate its own case."), code="conflict_of_interest")
    amount = _amount(refund_amount)
    if amount > _refundable(dispute.order):
        raise InvalidInput(_("More than the customer paid."), errors={"refund_amount": [_("Too much.")]})
    now = timezone.now()
    MediationProposal.objects.filter(dispute=dispute, decided_at__isnull=True).update(decided_at=now)
    if dispute.mediator_id is None:
        dispute.mediator = actor
        dispute.save(update_fields=["mediator"])
    proposal = MediationProposal.objects.create(
        dispute=dispute, proposed_by=actor, refund_amount=amount, return_required=return_required, note=note
    )
    left = deadline_time_left(rule=RULE_MEDIATION_WINDOW, subject=dispute)
    due = now + left if left is not None else now
    _event(dispute, action="settlement_proposed", actor=actor, note=f"{amount} CNY")
    _tell_parties(
        dispute,
        event="dispute_settlement_proposed",
        title=_("A settlement is proposed"),
        body=_("Dispute #%(id)s: refund %(amount)s CNY%(ret)s. Accept or reject by %(due)s.")
        % {
            "id": dispute.pk,
            "amount": amount,
            "ret": _(", item to be returned") if return_required else "",
            "due": _when(due),
        },
    )
    return proposal


@transaction.atomic
def proposal_answer(*, proposal: MediationProposal, accept: bool, actor: User) -> MediationProposal:
    """DSP-2: a party accepts or rejects; both accepting settles the case and executes it at once
    (refund keyed ``dispute:<id>:settlement``, hold released, case closed)."""
    dispute = dispute_lock(dispute_id=proposal.dispute_id)
    party = _require_party(dispute, actor)
    proposal = MediationProposal.objects.select_for_update().get(pk=proposal.pk)
    if dispute.status != S.MEDIATION or not proposal.is_open:
        raise Conflict(_("This proposal is no longer open."), code="proposal_closed")
    if party == Party.CUSTOMER:
        proposal.customer_accepted = accept
    else:
        proposal.merchant_accepted = accept
    if not accept or (proposal.customer_accepted and proposal.merchant_accepted):
        proposal.decided_at = timezone.now()
    proposal.save()
    _event(
        dispute, action="settlement_accepted" if accept else "settlement_rejected", actor=actor, note=party
    )
    if proposal.customer_accepted and proposal.merchant_accepted:
        _settle(dispute, proposal=proposal, actor=actor)
    elif not accept and dispute.mediator is not None:
        _tell(
            dispute.mediator,
            dispute,
            event="dispute_settlement_rejected",
            title=_("Settlement rejected"),
            body=_("Dispute #%(id)s: the %(party)s rejected the proposal.")
            % {"id": dispute.pk, "party": party},
        )
    return proposal


def _settle(dispute: Dispute, *, proposal: MediationProposal, actor: User | None) -> None:
    amount = min(proposal.refund_amount, _refundable(dispute.order))
    with_return = proposal.return_required and amount > 0
    before = dispute.status
    dispute.settle(amount=ZERO if with_return else amount)
    dispute.save()
    _stop_clocks(dispute, note="settled")
    _event(dispute, action="settled", actor=actor, from_status=before, note=f"{amount} CNY")
    _carry_out(
        dispute,
        amount=amount,
        key=f"dispute:{dispute.pk}:settlement",
        with_return=with_return,
        event="dispute_settled",
        title=_("Dispute settled"),
        actor=actor,
    )


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


def _finish(dispute: Dispute, *, actor: User | None) -> None:
    """Release the hold, let the after-sales request follow, close the case."""
    _release_hold(dispute, actor=actor)
    _aftersales_follow(dispute, actor=actor)
    before = dispute.status
    dispute.close()
    dispute.save()
    _event(dispute, action="closed", actor=actor, from_status=before)


def dispute_mediation_window_closed(*, dispute: Dispute) -> None:
    """DSP-2a, DSP-3: no agreement in 3 days; the case goes to the arbitration committee."""
    if dispute.status != S.MEDIATION:
        return
    MediationProposal.objects.filter(dispute=dispute, decided_at__isnull=True).update(
        decided_at=timezone.now()
    )
    before = dispute.status
    dispute.escalate()
    dispute.save()
    due = _start_stage_clock(dispute, after=RULING_WITHIN)
    _event(dispute, action="arbitration_started", actor=None, from_status=before)
    if any(router(dispute=dispute) for router in arbitration_routers):
        return
    _to_committee(dispute, due=due)


def _to_committee(dispute: Dispute, *, due: Any) -> None:
    arbitrator = arbitrator_pick(dispute=dispute)
    if arbitrator is not None:
        _assign(dispute, arbitrator=arbitrator, actor=None)
    else:
        _tell(
            department_head(code=DepartmentCode.ARBITRATION),
            dispute,
            event="dispute_no_arbitrator",
            title=_("No arbitrator available"),
            body=_("Dispute #%(id)s needs an arbitrator without a conflict.") % {"id": dispute.pk},
        )
    _tell_parties(
        dispute,
        event="dispute_arbitration",
        title=_("Your dispute goes to arbitration"),
        body=_("Dispute #%(id)s: the arbitration committee rules by %(due)s on the evidence on file.")
        % {"id": dispute.pk, "due": _when(due)},
    )


def dispute_refer_to_committee(*, dispute: Dispute, note: str) -> None:
    """DSP-3, DSP-6: a case an ``arbitration_routers`` entry took (the public jury) comes back to the
    committee — an arbitrator is assigned as usual; the 7-day ruling clock keeps running from the start of
    arbitration. The caller holds the dispute's lock."""
    if dispute.status != S.ARBITRATION or dispute.arbitrator_id is not None:
        return
    _event(dispute, action="referred_to_committee", actor=None, note=note)
    left = deadline_time_left(rule=RULE_RULING_DUE, subject=dispute)
    _to_committee(dispute, due=timezone.now() + (left or timedelta(0)))


# --- DSP-3: arbitration ---------------------------------------------------------------------------------


def _assign(dispute: Dispute, *, arbitrator: User, actor: User | None) -> None:
    conflict = arbitrator_conflict(dispute=dispute, user=arbitrator)
    if conflict is not None:
        raise Conflict(
            _("This arbitrator has a conflict of interest in the case (%(why)s).") % {"why": conflict},
            code="arbitrator_conflict",
        )
    if arbitrator.pk not in {u.pk for u in arbitrators()}:
        raise InvalidInput(_("Not a member of the arbitration committee."), code="not_arbitrator")
    dispute.arbitrator = arbitrator
    dispute.save(update_fields=["arbitrator"])
    _event(dispute, action="arbitrator_assigned", actor=actor, note=str(arbitrator.pk))
    left = deadline_time_left(rule=RULE_RULING_DUE, subject=dispute)
    _tell(
        arbitrator,
        dispute,
        event="dispute_assigned",
        title=_("A dispute is assigned to you"),
        body=_("Dispute #%(id)s: rule with written reasons within %(left)s.")
        % {"id": dispute.pk, "left": left},
    )


@transaction.atomic
def dispute_assign_arbitrator(*, dispute: Dispute, arbitrator: User, actor: User) -> Dispute:
    """DSP-3: staff (re)assign the case to an arbitrator — never the mediator, never one with a conflict."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if dispute.status != S.ARBITRATION:
        raise Conflict(_("The case is not in arbitration."), code="not_in_arbitration")
    _assign(dispute, arbitrator=arbitrator, actor=actor)
    return dispute


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


def _record_ruling(
    dispute: Dispute,
    *,
    kind: str,
    refund_amount: Any,
    reasons: str,
    arbitrator: User | None,
    by_jury: bool = False,
) -> Ruling:
    """The ruling of a case in arbitration: by its arbitrator, or by the public jury (DSP-6)."""
    amount = _check_ruling(dispute, kind=kind, refund_amount=refund_amount, reasons=reasons)
    ruling = Ruling.objects.create(
        dispute=dispute,
        kind=kind,
        refund_amount=amount,
        reasons=reasons,
        arbitrator=arbitrator,
        by_jury=by_jury,
    )
    dispute.rule()
    dispute.save()
    deadline_meet(rule=RULE_RULING_DUE, subject=dispute)
    return ruling


@transaction.atomic
def dispute_rule(
    *, dispute: Dispute, kind: str, reasons: str, actor: User, refund_amount: Decimal | None = None
) -> Ruling:
    """DSP-3, DSP-4: the assigned arbitrator rules with written reasons; the 3-day appeal window opens."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if dispute.status != S.ARBITRATION:
        raise Conflict(_("The case is not awaiting a ruling."), code="not_in_arbitration")
    if dispute.arbitrator_id != actor.pk or not actor.has_perm(PERM_ARBITRATE):
        raise Forbidden(_("Only the case's arbitrator may rule."), code="not_case_arbitrator")
    before = dispute.status
    ruling = _record_ruling(
        dispute, kind=kind, refund_amount=refund_amount, reasons=reasons, arbitrator=actor
    )
    amount = ruling.refund_amount
    due = deadline_start(rule=RULE_APPEAL_WINDOW, subject=dispute, after=APPEAL_WINDOW).due_at
    _event(dispute, action="ruled", actor=actor, from_status=before, note=f"{kind} {amount}")
    _tell_parties(
        dispute,
        event="dispute_ruled",
        title=_("The arbitrator ruled"),
        body=_(
            "Dispute #%(id)s: %(kind)s, %(amount)s CNY. Reasons: %(reasons)s. Either party may appeal once "
            "by %(due)s; otherwise the ruling executes then."
        )
        % {
            "id": dispute.pk,
            "kind": ruling.get_kind_display(),
            "amount": amount,
            "reasons": reasons,
            "due": _when(due),
        },
    )
    return ruling


def dispute_rule_by_jury(
    *, dispute: Dispute, kind: str, reasons: str, refund_amount: Decimal | None = None
) -> Ruling:
    """DSP-6: the public jury's verdict, recorded as the case's ruling. Both parties chose the jury
    instead of the committee, so the verdict is final: no appeal window, execution is scheduled at once
    (``disputes.execute_ruling``) and runs through ``dispute_execute`` like any final ruling. The caller
    holds the dispute's lock."""
    if dispute.status != S.ARBITRATION or dispute.arbitrator_id is not None:
        raise Conflict(_("The case is not awaiting a jury's verdict."), code="not_before_jury")
    before = dispute.status
    ruling = _record_ruling(
        dispute, kind=kind, refund_amount=refund_amount, reasons=reasons, arbitrator=None, by_jury=True
    )
    amount = ruling.refund_amount
    deadline_start(rule=RULE_EXECUTE_RULING, subject=dispute, due_at=timezone.now())
    _event(dispute, action="ruled_by_jury", actor=None, from_status=before, note=f"{kind} {amount}")
    _tell_parties(
        dispute,
        event="dispute_ruled",
        title=_("The public jury decided"),
        body=_("Dispute #%(id)s: %(kind)s, %(amount)s CNY. The jury's verdict is final and executes now.")
        % {"id": dispute.pk, "kind": ruling.get_kind_display(), "amount": amount},
    )
    return ruling


def dispute_ruling_overdue(*, dispute: Dispute) -> None:
    """DSP-3: no ruling within 7 days; the arbitration department head is told (the case stays open).
    An appeal panel's deadline is handled by ``dispute_panel_deadline_passed`` (DSP-4)."""
    if dispute.status == S.APPEALED:
        dispute_panel_deadline_passed(dispute=dispute)
        return
    if dispute.status != S.ARBITRATION:
        return
    _event(dispute, action="ruling_overdue", actor=None)
    _tell(
        department_head(code=DepartmentCode.ARBITRATION),
        dispute,
        event="dispute_ruling_overdue",
        title=_("Ruling overdue"),
        body=_("Dispute #%(id)s has no ruling after 7 days (arbitrator %(who)s).")
        % {"id": dispute.pk, "who": dispute.arbitrator or _("unassigned")},
    )


# --- DSP-4: appeal -----------------------------------------------------------------------------------------


@transaction.atomic
def dispute_appeal(*, dispute: Dispute, reason: str, actor: User) -> Appeal:
    """DSP-4: either party appeals once within 3 days; a panel of three arbitrators (none the original
    arbitrator or the mediator, none with a conflict; least loaded first) decides finally."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    party = _require_party(dispute, actor)
    if not reason.strip():
        raise InvalidInput(_("Say why you appeal."), errors={"reason": [_("Required.")]})
    if Appeal.objects.filter(dispute=dispute).exists():
        raise Conflict(_("A ruling can be appealed only once."), code="already_appealed")
    ruling = final_ruling(dispute)
    if ruling is not None and ruling.by_jury:
        raise Conflict(_("The public jury's verdict is final."), code="jury_verdict_final")
    if dispute.status != S.RULED:
        raise Conflict(_("There is no ruling open to appeal."), code="not_appealable")
    exclude = {pk for pk in (dispute.arbitrator_id, dispute.mediator_id) if pk is not None}
    panel = arbitrators_eligible(dispute=dispute, exclude=exclude)[:PANEL_SIZE]
    if len(panel) < PANEL_SIZE:
        raise Conflict(_("Not enough arbitrators without a conflict for a panel."), code="panel_unavailable")
    appeal = Appeal.objects.create(dispute=dispute, party=party, filed_by=actor, reason=reason)
    appeal.panel.set(panel)
    before = dispute.status
    dispute.appeal()
    dispute.save()
    deadline_cancel(rule=RULE_APPEAL_WINDOW, subject=dispute, note="appealed")
    due = _start_stage_clock(dispute, after=RULING_WITHIN)
    _event(dispute, action="appealed", actor=actor, from_status=before, note=reason)
    for member in panel:
        _tell(
            member,
            dispute,
            event="dispute_panel_assigned",
            title=_("Appeal panel"),
            body=_("You sit on the appeal panel of dispute #%(id)s; vote by %(due)s.")
            % {"id": dispute.pk, "due": _when(due)},
        )
    _tell_parties(
        dispute,
        event="dispute_appealed",
        title=_("The ruling was appealed"),
        body=_("Dispute #%(id)s: a panel of three arbitrators decides by %(due)s; their decision is final.")
        % {"id": dispute.pk, "due": _when(due)},
    )
    return appeal


def _majority(votes: list[AppealPanelVote], refundable: Decimal) -> tuple[str, Decimal] | None:
    """The panel's decision: the kind two or more members chose, at the lower amount among them (what the
    majority agrees to at least); with three different votes, the median amount. ``None`` while undecided."""
    by_kind: dict[str, list[Decimal]] = {}
    for vote in votes:
        by_kind.setdefault(vote.kind, []).append(vote.refund_amount)
    for kind, amounts in by_kind.items():
        if len(amounts) * 2 > PANEL_SIZE:
            return kind, min(amounts)
    if len(votes) < PANEL_SIZE:
        return None
    amount = sorted(v.refund_amount for v in votes)[1]
    if amount <= 0:
        return RulingKind.NO_REFUND, ZERO
    return (RulingKind.FULL_REFUND if amount >= refundable else RulingKind.PARTIAL_REFUND), amount


@transaction.atomic
def appeal_vote_cast(
    *, dispute: Dispute, kind: str, reasons: str, actor: User, refund_amount: Decimal | None = None
) -> AppealPanelVote:
    """DSP-4: a panel member votes; once a majority exists its ruling is issued (final) and execution is
    scheduled (``disputes.execute_ruling``, due at once)."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if dispute.status != S.APPEALED:
        raise Conflict(_("No appeal is being decided."), code="not_appealed")
    appeal = Appeal.objects.select_for_update().get(dispute=dispute)
    if not appeal.panel.filter(pk=actor.pk).exists():
        raise Forbidden(_("Only the panel votes."), code="not_on_panel")
    if appeal.votes.filter(arbitrator=actor).exists():
        raise Conflict(_("You already voted."), code="already_voted")
    amount = _check_ruling(dispute, kind=kind, refund_amount=refund_amount, reasons=reasons)
    vote = AppealPanelVote.objects.create(
        appeal=appeal, arbitrator=actor, kind=kind, refund_amount=amount, reasons=reasons
    )
    _event(dispute, action="panel_voted", actor=actor)
    decision = _majority(list(appeal.votes.order_by("pk")), _refundable(dispute.order))
    if decision is None:
        return vote
    kind_decided, amount_decided = decision
    majority = [v for v in appeal.votes.order_by("pk") if v.kind == kind_decided] or list(appeal.votes.all())
    _appeal_decide(
        dispute,
        appeal,
        kind=kind_decided,
        amount=amount_decided,
        reasons="\n\n".join(v.reasons for v in majority),
        actor=actor,
    )
    return vote


def _appeal_decide(
    dispute: Dispute,
    appeal: Appeal,
    *,
    kind: str,
    amount: Decimal,
    reasons: str,
    actor: User | None,
    body: str = "",
) -> None:
    """DSP-4: the panel's final ruling is issued and execution is scheduled (due at once)."""
    Ruling.objects.create(
        dispute=dispute,
        kind=kind,
        refund_amount=amount,
        reasons=reasons,
        arbitrator=None,
        is_appeal_decision=True,
    )
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["decided_at"])
    before = dispute.status
    dispute.finalise()
    dispute.save()
    for rule in (RULE_RULING_DUE, RULE_PANEL_RECONVENED):
        deadline_meet(rule=rule, subject=dispute)
    deadline_start(rule=RULE_EXECUTE_RULING, subject=dispute, due_at=timezone.now())
    _event(dispute, action="appeal_decided", actor=actor, from_status=before, note=f"{kind} {amount}")
    _tell_parties(
        dispute,
        event="dispute_appeal_decided",
        title=_("The appeal panel decided"),
        body=body
        or _(
            "Dispute #%(id)s: %(kind)s, %(amount)s CNY. This decision is final and executes within 24 hours."
        )
        % {"id": dispute.pk, "kind": RulingKind(kind).label, "amount": amount},
    )


def dispute_panel_deadline_passed(*, dispute: Dispute) -> None:
    """DSP-4 (the ``disputes.ruling_due`` clock of an appeal): the panel has no majority after 7 days.

    A silent member must not stall the case. The first time, each member who has not voted is replaced
    by an eligible arbitrator (not on the panel, not the case's arbitrator or mediator, no conflict, the
    least loaded), and the reconvened panel has 3 more days (``disputes.panel_reconvened``). If there
    are not enough replacements, or the reconvened panel still has no majority, the ruling under appeal
    stands: only a majority overturns it (decision note 009).
    """
    if dispute.status != S.APPEALED:
        return
    appeal = Appeal.objects.select_for_update().get(dispute=dispute)
    _tell(
        department_head(code=DepartmentCode.ARBITRATION),
        dispute,
        event="dispute_ruling_overdue",
        title=_("Appeal panel overdue"),
        body=_("Dispute #%(id)s: the appeal panel has no majority by its deadline.") % {"id": dispute.pk},
    )
    if appeal.reconvened_at is None:
        voted = set(appeal.votes.values_list("arbitrator_id", flat=True))
        members = list(appeal.panel.order_by("pk"))
        silent = [member for member in members if member.pk not in voted]
        exclude = {m.pk for m in members} | {pk for pk in (dispute.arbitrator_id, dispute.mediator_id) if pk}
        replacements = arbitrators_eligible(dispute=dispute, exclude=exclude)[: len(silent)]
        if silent and len(replacements) == len(silent):
            _panel_reconvene(dispute, appeal, silent=silent, replacements=replacements)
            return
    _appeal_ruling_stands(dispute, appeal)


def _panel_reconvene(
    dispute: Dispute, appeal: Appeal, *, silent: list[User], replacements: list[User]
) -> None:
    appeal.panel.remove(*silent)
    appeal.panel.add(*replacements)
    appeal.reconvened_at = timezone.now()
    appeal.save(update_fields=["reconvened_at"])
    due = deadline_start(rule=RULE_PANEL_RECONVENED, subject=dispute, after=PANEL_RECONVENE_WINDOW).due_at
    _event(
        dispute,
        action="panel_reconvened",
        actor=None,
        note=_("replaced %(old)s with %(new)s")
        % {"old": [u.pk for u in silent], "new": [u.pk for u in replacements]},
    )
    for member in silent:
        _tell(
            member,
            dispute,
            event="dispute_panel_replaced",
            title=_("Replaced on an appeal panel"),
            body=_("Dispute #%(id)s: you did not vote in time and were replaced on the panel.")
            % {"id": dispute.pk},
        )
    for member in replacements:
        _tell(
            member,
            dispute,
            event="dispute_panel_assigned",
            title=_("Appeal panel"),
            body=_("You replace a silent member of the appeal panel of dispute #%(id)s; vote by %(due)s.")
            % {"id": dispute.pk, "due": _when(due)},
        )
    _tell_parties(
        dispute,
        event="dispute_panel_reconvened",
        title=_("The appeal panel was completed"),
        body=_(
            "Dispute #%(id)s: members who did not vote were replaced; the panel decides by %(due)s, "
            "otherwise the ruling under appeal stands."
        )
        % {"id": dispute.pk, "due": _when(due)},
    )


def _appeal_ruling_stands(dispute: Dispute, appeal: Appeal) -> None:
    appealed = dispute.rulings.filter(is_appeal_decision=False).order_by("-issued_at", "-pk").first()
    assert appealed is not None  # an appeal is always of a ruling
    _appeal_decide(
        dispute,
        appeal,
        kind=appealed.kind,
        amount=appealed.refund_amount,
        reasons=_("The appeal panel reached no majority by its deadline; the ruling under appeal stands.")
        + "\n\n"
        + appealed.reasons,
        actor=None,
        body=_(
            "Dispute #%(id)s: the panel reached no majority in time, so the ruling under appeal stands "
            "(%(kind)s, %(amount)s CNY). This is final and executes within 24 hours."
        )
        % {"id": dispute.pk, "kind": appealed.get_kind_display(), "amount": appealed.refund_amount},
    )


def dispute_appeal_window_closed(*, dispute: Dispute) -> None:
    """DSP-4: nobody appealed within 3 days; the ruling stands and executes (clock due at once)."""
    if dispute.status != S.RULED:
        return
    due = deadline_start(rule=RULE_EXECUTE_RULING, subject=dispute, due_at=timezone.now()).due_at
    _event(dispute, action="ruling_final", actor=None)
    _tell_parties(
        dispute,
        event="dispute_ruling_final",
        title=_("The ruling is final"),
        body=_(
            "Dispute #%(id)s: nobody appealed within 3 days; the ruling is final and executes by %(due)s "
            "with no action needed from you."
        )
        % {"id": dispute.pk, "due": _when(due + timedelta(hours=24))},
    )


# --- DSP-4: execution -------------------------------------------------------------------------------------


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


# --- DSP-4, AFS-4: the return a ruling or settlement requires ---------------------------------------------


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


# --- DSP-2a: suspension, withdrawal -----------------------------------------------------------------------


@transaction.atomic
def dispute_suspend(*, dispute: Dispute, reason: str, actor: User, days: int = 30) -> Dispute:
    """DSP-2a: staff suspend the case for a court or police filing, for at most 30 days; the stage clock
    pauses and ``disputes.suspension_end`` resumes it automatically."""
    if not (actor.is_staff and (actor.has_perm(PERM_MEDIATE) or actor.has_perm(PERM_ARBITRATE))):
        raise Forbidden(_("Only dispute staff may suspend a case."), code="not_dispute_staff")
    if not reason.strip():
        raise InvalidInput(_("Name the filing."), errors={"reason": [_("Required.")]})
    if not 1 <= days <= SUSPENSION_MAX.days:
        raise InvalidInput(_("A suspension lasts 1 to 30 days."), errors={"days": [_("1–30.")]})
    dispute = dispute_lock(dispute_id=dispute.pk)
    if dispute.status not in Dispute.SUSPENDABLE:
        raise Conflict(_("This case cannot be suspended now."), code="not_suspendable")
    rule = _stage_rule(dispute)
    remaining = deadline_time_left(rule=rule, subject=dispute)
    deadline_cancel(rule=rule, subject=dispute, note="suspended")
    before = dispute.status
    dispute.suspend(reason=reason, remaining=remaining)
    dispute.save()
    due = deadline_start(rule=RULE_SUSPENSION_END, subject=dispute, after=timedelta(days=days)).due_at
    _event(dispute, action="suspended", actor=actor, from_status=before, note=reason)
    _tell_parties(
        dispute,
        event="dispute_suspended",
        title=_("Dispute suspended"),
        body=_("Dispute #%(id)s is suspended pending a court or police filing; it resumes by %(due)s.")
        % {"id": dispute.pk, "due": _when(due)},
    )
    return dispute


def _resume(dispute: Dispute, *, actor: User | None) -> None:
    before = dispute.status
    remaining = dispute.paused_remaining
    dispute.resume()
    dispute.paused_remaining = None
    dispute.save()
    due = _start_stage_clock(dispute, after=max(remaining or timedelta(0), timedelta(seconds=0)))
    _event(dispute, action="resumed", actor=actor, from_status=before)
    _tell_parties(
        dispute,
        event="dispute_resumed",
        title=_("Dispute resumed"),
        body=_("Dispute #%(id)s continues in %(stage)s; the stage ends %(due)s.")
        % {"id": dispute.pk, "stage": dispute.get_status_display(), "due": _when(due)},
    )


@transaction.atomic
def dispute_resume(*, dispute: Dispute, actor: User) -> Dispute:
    """DSP-2a: staff resume a suspended case early."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if dispute.status != S.SUSPENDED:
        raise Conflict(_("The case is not suspended."), code="not_suspended")
    deadline_meet(rule=RULE_SUSPENSION_END, subject=dispute)
    _resume(dispute, actor=actor)
    return dispute


def dispute_suspension_ended(*, dispute: Dispute) -> None:
    """DSP-2a: 30 days (or the set term) passed; the case resumes by itself (the deadline handler)."""
    if dispute.status == S.SUSPENDED:
        _resume(dispute, actor=None)


@transaction.atomic
def dispute_withdraw(*, dispute: Dispute, actor: User, reason: str = "") -> Dispute:
    """DSP-5, PAY-6: the opener (or the customer) withdraws before a ruling; clocks stop, the hold is
    released."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    party = _require_party(dispute, actor)
    if not (party == Party.CUSTOMER or actor.pk == dispute.opened_by_id):
        raise Forbidden(_("Only the customer or the opener may withdraw."), code="not_opener")
    before = dispute.status
    dispute.withdraw()
    dispute.save()
    _stop_clocks(dispute, note="withdrawn")
    MediationProposal.objects.filter(dispute=dispute, decided_at__isnull=True).update(
        decided_at=timezone.now()
    )
    _release_hold(dispute, actor=actor)
    _event(dispute, action="withdrawn", actor=actor, from_status=before, note=reason)
    _tell_parties(
        dispute,
        event="dispute_withdrawn",
        title=_("Dispute withdrawn"),
        body=_("Dispute #%(id)s was withdrawn.") % {"id": dispute.pk},
    )
    return dispute
