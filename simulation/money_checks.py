"""The end-of-run checks on money (OPS-1, ORD-4, PAY-*, DSP-4): late-shipment compensation, refunds, payments
and callbacks, settlements, disputes and the ledger, each read from the system's own rows."""

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min, Q, Sum

from aftersales.clocks import RULE_MERCHANT_RESPONSE
from aftersales.models import AfterSalesRequest
from disputes.models import Dispute
from disputes.selectors import final_ruling
from merchants.models import Merchant, Violation
from orders.models import (
    Order,
    OrderEvent,
    Payment,
    PaymentCallbackLog,
    ProviderStatement,
    ReconciliationDifference,
    Refund,
)
from platform_core.deadlines.models import Deadline
from platform_core.ledger.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerHold,
    LedgerTransaction,
    TransactionKind,
)
from platform_core.ledger.selectors import ledger_verify

if TYPE_CHECKING:
    from simulation.engine import Simulation

from simulation.results import PASSED, SKIPPED, CheckResult, check_result


def check_late_shipments(*, start: datetime, end: datetime) -> CheckResult:
    """ORD-4: every order not shipped by its ship-by time got exactly one late-shipment violation and one
    compensation; no order shipped in time got either."""
    # Ground truth from the rule itself (ORD-4: 72 h after payment), not from the order's ship_by field,
    # which the order clears once it ships or is cancelled.
    ship_within = settings.ORDERS_SHIP_WITHIN
    closed_at = dict(
        OrderEvent.objects.filter(order__created_at__gte=start, action__in=("cancelled", "closed"))
        .values("order_id")
        .annotate(at=Min("at"))
        .values_list("order_id", "at")
    )
    late = [
        order
        for order in Order.objects.filter(
            created_at__gte=start,
            kind=Order.Kind.PRODUCT,
            paid_at__isnull=False,
            paid_at__lte=end - ship_within,
        ).order_by("pk")
        if (order.shipped_at is None or order.shipped_at >= order.paid_at + ship_within)
        and not (order.pk in closed_at and closed_at[order.pk] <= order.paid_at + ship_within)
    ]
    violations: dict[str, int] = defaultdict(int)
    for evidence in Violation.objects.filter(kind="late_shipment", created_at__gte=start).values_list(
        "evidence", flat=True
    ):
        violations[str((evidence or {}).get("order", ""))] += 1
    late_numbers = {order.number for order in late}
    deposit_owner = ContentType.objects.get_for_model(Merchant)
    problems: list[str] = []
    for order in late:
        found = violations.get(order.number, 0)
        if found != 1:
            problems.append(
                f"order {order.pk} shipped late or never: {found} late_shipment violation(s), expected 1"
            )
        events = list(OrderEvent.objects.filter(order=order, action="ship_by_missed"))
        if len(events) != 1:
            problems.append(
                f"order {order.pk}: {len(events)} ship_by_missed compensation event(s), expected 1"
            )
            continue
        problems += _late_shipment_money_problems(order, events[0], deposit_owner)
    problems += [
        f"order {number} was shipped in time but got a late_shipment violation"
        for number in sorted(set(violations) - late_numbers)
    ]
    return check_result(
        "late_shipments_penalised",
        "ORD-4",
        problems,
        f"{len(late)} late shipment(s), each with exactly one violation and one compensation",
    )


def _late_shipment_compensation_due(total: Decimal) -> Decimal:
    """ORD-4 computed here from the policy (5 % of the order, at least ¥5, at most ¥30 unless the settings
    say otherwise), not with the function the handler uses, so a wrong amount there is caught."""
    policy = settings.ORDERS_LATE_SHIPMENT_COMPENSATION
    due = min(max(total * policy["rate"], policy["min"]), policy["max"])
    return due.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _late_shipment_money_problems(order: Order, event: OrderEvent, deposit_owner: ContentType) -> list[str]:
    """ORD-4, MER-5: the compensation due was drawn from this merchant's deposit (all of it, or all the
    deposit held) and the same amount paid out to the customer, each once, as the ledger records it."""
    problems = []
    paid = Decimal(str(event.data.get("compensation", "0")))
    shortfall = Decimal(str(event.data.get("compensation_shortfall", "0")))
    due = _late_shipment_compensation_due(order.total)
    if paid + shortfall != due or paid < 0 or shortfall < 0:
        problems.append(f"order {order.pk}: compensation {paid} + shortfall {shortfall} != {due} due")
    deposit_entries = LedgerEntry.objects.filter(
        account__kind=AccountKind.MERCHANT_DEPOSIT,
        transaction__idempotency_key=f"order-late-shipment:{order.pk}",
    )
    foreign = deposit_entries.exclude(account__owner_type=deposit_owner, account__owner_id=order.merchant_id)
    if foreign.exists():
        problems.append(f"order {order.pk}: compensation drawn from another merchant's deposit")
    debited = -(deposit_entries.aggregate(total=Sum("amount"))["total"] or Decimal("0"))
    if debited != paid:
        problems.append(f"order {order.pk}: deposit debited {debited:.2f} for a compensation of {paid:.2f}")
    if shortfall > 0:  # only what the deposit held could be drawn: it must be empty after the draw
        debit = deposit_entries.order_by("pk").last()
        held_after = LedgerEntry.objects.filter(
            account__kind=AccountKind.MERCHANT_DEPOSIT,
            account__owner_type=deposit_owner,
            account__owner_id=order.merchant_id,
        ).filter(Q(pk__lte=debit.pk) if debit is not None else Q(transaction__created_at__lte=event.at))
        held = held_after.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        if held > 0:
            problems.append(f"order {order.pk}: shortfall {shortfall} while the deposit still held {held}")
    payouts = LedgerEntry.objects.filter(
        account__kind=AccountKind.REFUNDS_CLEARING,
        transaction__idempotency_key=f"order-late-shipment-payout:{order.pk}",
    )
    paid_out = payouts.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if paid_out != paid or payouts.values("transaction").distinct().count() != (1 if paid > 0 else 0):
        problems.append(
            f"order {order.pk}: {paid_out:.2f} paid out to the customer for a compensation of {paid:.2f}"
        )
    return problems


def check_silent_refund_requests(*, silent_ids: list[int], end: datetime) -> CheckResult:
    """AFS-3: every refund request the merchant left unanswered for 24 h was approved automatically, with
    an ``aftersales_sla_missed`` violation; refund-only requests were refunded at once, returns once received."""
    request_type = ContentType.objects.get_for_model(AfterSalesRequest)
    enforced = set(
        Deadline.objects.filter(
            rule=RULE_MERCHANT_RESPONSE, subject_type=request_type, status=Deadline.Status.ENFORCED
        ).values_list("subject_id", flat=True)
    )
    sla_violations: dict[str, int] = defaultdict(int)
    for evidence in Violation.objects.filter(kind="aftersales_sla_missed").values_list("evidence", flat=True):
        sla_violations[str((evidence or {}).get("aftersales_request", ""))] += 1
    requests = AfterSalesRequest.objects.filter(
        Q(pk__in=silent_ids) | Q(pk__in=[int(pk) for pk in enforced])
    ).order_by("pk")
    problems: list[str] = []
    checked = 0
    R, RS = AfterSalesRequest.Kind, AfterSalesRequest.Status
    for request in requests:
        if request.respond_by is None or request.respond_by > end:
            continue
        checked += 1
        if str(request.pk) not in enforced:
            problems.append(
                f"request {request.pk}: merchant silent past {request.respond_by:%m-%d %H:%M}, clock not enforced"
            )
        if request.status == RS.REQUESTED:
            problems.append(f"request {request.pk}: still waiting for the merchant")
        if sla_violations.get(str(request.pk), 0) != 1:
            problems.append(
                f"request {request.pk}: {sla_violations.get(str(request.pk), 0)} aftersales_sla_missed violation(s)"
            )
        must_be_refunded = request.kind == R.REFUND_ONLY or request.status in (
            RS.RETURN_RECEIVED,
            RS.REFUNDED,
        )
        refunded = (
            request.status == RS.REFUNDED
            and Refund.objects.filter(idempotency_key=f"aftersales:{request.pk}:refund").exists()
        )
        if must_be_refunded and not refunded:
            problems.append(f"request {request.pk} ({request.kind}): not refunded (status {request.status})")
    return check_result(
        "silent_refund_requests_refunded",
        "AFS-3",
        problems,
        f"{checked} request(s) left unanswered for 24 h, each approved automatically and refunded when due",
    )


def check_ledger() -> CheckResult:
    """PAY-1: balanced transactions, cached balances equal entries, no negative escrow/deposit/payable."""
    result = ledger_verify()
    if result.ok:
        return CheckResult(
            "ledger_verifies",
            "PAY-1",
            PASSED,
            f"{result.transactions} transactions, {result.accounts} accounts",
        )
    return check_result("ledger_verifies", "PAY-1", list(result.problems), "")


def check_callbacks(*, simulation: "Simulation", start: datetime) -> list[CheckResult]:
    """PAY-3: forged notifications were rejected and moved nothing; every payment posted exactly once,
    however many times its notification arrived."""
    forged = simulation.tally.forged
    problems = [
        f"{f.how} callback for order {f.order_id} was {'accepted' if f.accepted else 'rejected'}"
        f"{' and moved money' if f.moved_money else ''}"
        for f in forged
        if f.accepted or f.moved_money
    ]
    rejected = PaymentCallbackLog.objects.filter(outcome=PaymentCallbackLog.Outcome.REJECTED).count()
    if forged and rejected < len(forged):
        problems.append(f"only {rejected} rejected callbacks logged for {len(forged)} forged ones")
    forged_result = check_result(
        "forged_callbacks_moved_no_money",
        "PAY-3",
        problems,
        f"{len(forged)} forged callback(s) rejected; ledger and orders unchanged by each",
    )
    order_type = ContentType.objects.get_for_model(Order)
    posted = dict(
        LedgerTransaction.objects.filter(kind=TransactionKind.PAYMENT, subject_type=order_type)
        .values("subject_id")
        .annotate(n=Count("pk"))
        .values_list("subject_id", "n")
    )
    succeeded = dict(
        Payment.objects.filter(status=Payment.Status.SUCCEEDED, order__created_at__gte=start)
        .values("order_id")
        .annotate(n=Count("pk"))
        .values_list("order_id", "n")
    )
    twice = [
        f"order {order_id}: {posted.get(order_id, 0)} payment posting(s) for {n} succeeded payment(s)"
        for order_id, n in sorted(succeeded.items())
        if posted.get(order_id, 0) != n
    ]
    duplicates = PaymentCallbackLog.objects.filter(outcome=PaymentCallbackLog.Outcome.DUPLICATE).count()
    once_result = check_result(
        "payments_posted_once",
        "PAY-3",
        twice,
        f"{sum(succeeded.values())} payment(s) posted once each; {duplicates} duplicate callback(s) moved nothing",
    )
    return [forged_result, once_result]


def check_unpaid_expired(*, simulation: "Simulation", end: datetime) -> CheckResult:
    """ORD-3: every order left unpaid was cancelled when its 30 minutes ran out."""
    timeout = settings.ORDERS_PAYMENT_TIMEOUT
    problems = [
        f"order {order.pk} unpaid since {order.created_at:%m-%d %H:%M} but {order.status}"
        for order in Order.objects.filter(pk__in=simulation.tally.abandoned_order_ids).order_by("pk")
        if order.created_at + timeout <= end and order.status != Order.Status.CANCELLED
    ]
    return check_result(
        "unpaid_orders_expired",
        "ORD-3",
        problems,
        f"{len(simulation.tally.abandoned_order_ids)} abandoned order(s), each cancelled at its deadline",
    )


def _escrow_balances(order_ids: list[int]) -> dict[int, Decimal]:
    order_type = ContentType.objects.get_for_model(Order)
    rows = LedgerAccount.objects.filter(
        kind=AccountKind.ORDER_ESCROW, owner_type=order_type, owner_id__in=order_ids
    ).values_list("owner_id", "balance")
    return {owner_id: balance for owner_id, balance in rows if owner_id is not None}


def check_delayed_payments(*, simulation: "Simulation") -> CheckResult:
    """ORD-3, PAY-5: a payment whose notification arrives after the order was cancelled for non-payment goes
    straight back to the customer, in full; nothing stays in the cancelled order's escrow."""
    ids = simulation.tally.delayed_payment_order_ids
    balances = _escrow_balances(ids)
    timeout = settings.ORDERS_PAYMENT_TIMEOUT
    problems = []
    for order in Order.objects.filter(pk__in=ids).prefetch_related("refunds", "payments").order_by("pk"):
        if order.created_at + timeout > simulation.end:
            continue  # placed in the last minutes of the run: its 30 minutes had not run out yet
        paid = sum(
            (p.amount for p in order.payments.all() if p.status == Payment.Status.SUCCEEDED), Decimal("0")
        )
        refunded = sum((r.amount for r in order.refunds.all() if r.kind == Refund.Kind.REFUND), Decimal("0"))
        if order.status != Order.Status.CANCELLED:
            problems.append(f"order {order.pk} paid late is {order.status}, not cancelled")
        elif paid != refunded:
            problems.append(f"order {order.pk}: {paid} paid late but {refunded} refunded")
        if balances.get(order.pk, Decimal("0")) != 0:
            problems.append(f"order {order.pk}: {balances[order.pk]} left in the cancelled order's escrow")
    return check_result(
        "late_payments_refunded",
        "PAY-5",
        problems,
        f"{len(ids)} payment(s) notified after the timeout, each refunded in full",
    )


def check_settlements(*, start: datetime) -> CheckResult:
    """PAY-4, PAY-6: every order settled moved its whole escrow out, with the category's commission; an
    order whose after-sales window closed with nothing holding it is settled."""
    settled = Order.objects.filter(created_at__gte=start, settled_at__isnull=False)
    balances = _escrow_balances(list(settled.values_list("pk", flat=True)))
    problems = [
        f"order {order_id} settled with {balance} still in escrow"
        for order_id, balance in sorted(balances.items())
        if balance != 0
    ]
    for data in OrderEvent.objects.filter(order__in=settled, action="settled").values_list("data", flat=True):
        released, commission = Decimal(data["released"]), Decimal(data["commission"])
        if released > 0 and not (0 < commission < released):
            problems.append(f"settlement of {released} took commission {commission}")
    unsettled = Order.objects.filter(
        created_at__gte=start,
        status=Order.Status.COMPLETED,
        aftersales_closed_at__isnull=False,
        settled_at=None,
    ).exclude(pk__in=LedgerHold.objects.filter(released_at=None).values("account__owner_id"))
    problems += [
        f"order {pk}: window closed, nothing held, not settled"
        for pk in unsettled.values_list("pk", flat=True)
    ]
    count = settled.count()
    if not count and not problems:
        return CheckResult(
            "settlements",
            "PAY-4",
            SKIPPED,
            "skipped: no order reached the end of its after-sales window (run more than ~17 simulated days)",
        )
    return check_result(
        "settlements", "PAY-4", problems, f"{count} order(s) settled, escrow emptied, commission taken"
    )


def check_disputes(*, start: datetime) -> CheckResult:
    """DSP-4, PAY-6: a case that ended holds nothing any more, and the money it moved is what was
    settled or ruled (capped by what was left to refund)."""
    problems, ended = [], 0
    ended_statuses = (Dispute.Status.CLOSED, Dispute.Status.SETTLED, Dispute.Status.EXECUTED)
    for dispute in (
        Dispute.objects.filter(opened_at__gte=start).select_related("order", "hold").order_by("pk")
    ):
        if dispute.status not in ended_statuses:
            continue
        ended += 1
        if dispute.hold is not None and dispute.hold.released_at is None:
            problems.append(f"dispute {dispute.pk} is {dispute.status} but still holds the escrow")
        moved = Refund.objects.filter(idempotency_key__startswith=f"dispute:{dispute.pk}:").aggregate(
            total=Sum("amount")
        )["total"] or Decimal("0")
        accepted = dispute.proposals.filter(customer_accepted=True, merchant_accepted=True).first()
        ruling = final_ruling(dispute)
        decided = accepted.refund_amount if accepted else (ruling.refund_amount if ruling else Decimal("0"))
        other = Refund.objects.filter(order=dispute.order, kind=Refund.Kind.REFUND).exclude(
            idempotency_key__startswith=f"dispute:{dispute.pk}:"
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        expected = min(decided, dispute.order.total - other)
        if moved != expected:
            problems.append(f"dispute {dispute.pk}: {moved} refunded, the decision says {expected}")
    return check_result(
        "disputes_execute_their_decision",
        "DSP-4",
        problems,
        f"{ended} case(s) ended; each moved what was decided",
    )


def check_gateway_refunds(*, simulation: "Simulation") -> CheckResult:
    """PAY-5, ORD-4 (decision 029): every refund and compensation through a fake gateway reached it exactly
    once, for its amount, and is ``succeeded`` — or, not fitting in its trade any more, ``awaiting_transfer``
    and absent from the gateway."""
    problems: list[str] = []
    checked = 0
    for provider, fake in sorted(simulation.fakes.items()):
        if provider == "alipay":
            held = {
                number: amount for trade in fake.trades.values() for number, amount in trade.refunds.items()
            }
        else:
            held = {number: Decimal(r.refund) / 100 for number, r in fake.refunds.items()}
        for refund in Refund.objects.filter(payment__provider=provider).order_by("pk"):
            checked += 1
            at_gateway = held.pop(refund.refund_no, None)
            if refund.status == Refund.Status.AWAITING_TRANSFER:
                if at_gateway is not None:
                    problems.append(
                        f"refund {refund.refund_no} waits for a transfer but the gateway refunded it"
                    )
            elif refund.status != Refund.Status.SUCCEEDED or at_gateway != refund.amount:
                problems.append(
                    f"refund {refund.refund_no} ({refund.kind}) is {refund.status} for {refund.amount}; "
                    f"the {provider} gateway holds {at_gateway}"
                )
        problems += [f"the {provider} gateway refunded {number} that we never asked for" for number in held]
    return check_result(
        "gateway_refunds_once",
        "PAY-5",
        problems,
        f"{checked} refund(s) through the fake gateways, each there once for its amount",
    )


def check_reconciliation(*, simulation: "Simulation") -> CheckResult:
    """PAY-8: every night's reconciliation of the day before found zero differences — the sandbox's records
    and the payouts, and, for each fake gateway of the provider mix, its own daily statement (every line
    matched, fees as contracted, the segregated funds equal to the escrow ledger)."""
    problems = [
        f"{d.day} {d.provider} {d.kind} {d.reference}: {d.get_reason_display()} "
        f"(ledger {d.ledger_amount}, provider {d.provider_amount})"
        for d in ReconciliationDifference.objects.order_by("day", "pk")
    ]
    statements = ProviderStatement.objects.filter(status=ProviderStatement.Status.IMPORTED)
    waiting = ProviderStatement.objects.exclude(status=ProviderStatement.Status.IMPORTED)
    problems += [f"the {s.provider} statement of {s.day} was not had: {s.last_error}" for s in waiting]
    if simulation.fakes and not statements.exists():
        problems.append("no provider statement was reconciled")
    return check_result(
        "reconciliation_zero_differences",
        "PAY-8",
        problems,
        f"{statements.count()} provider statement(s) of {', '.join(sorted(simulation.fakes)) or 'no gateway'} "
        "and every day's settlement records reconciled with zero differences",
    )
