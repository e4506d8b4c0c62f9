"""The end-of-run checks (OPS-1): each is named, passes, fails with a message, or is skipped with a reason.

Ground truth comes from two sides: what the simulated actors did (the tally: which callbacks were forged,
which requests the merchant never answered, which orders were abandoned) and what the clock says should
have happened by the end (``ship_by`` passed unshipped); the system's answer is read from its own rows
(deadlines, violations, order events, ledger transactions, refunds).
"""

from datetime import datetime
from statistics import mean
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Min

from aftersales.models import Complaint, ComplaintStep
from catalog.models import IpNotice, Listing
from catalog.selectors import listing_visible_q
from merchants.models import DocumentKind, Merchant, QualificationDocument, Violation
from orders.models import DeliveryCase, Order, Refund, Review, ReviewFlag
from platform_core.audit.selectors import audit_chain_verify
from platform_core.deadlines.models import Deadline

if TYPE_CHECKING:
    from simulation.engine import Simulation
    from simulation.setup import Population

from simulation.money_checks import (
    check_callbacks,
    check_delayed_payments,
    check_disputes,
    check_gateway_refunds,
    check_late_shipments,
    check_ledger,
    check_reconciliation,
    check_settlements,
    check_silent_refund_requests,
    check_unpaid_expired,
)
from simulation.results import FAILED, PASSED, SKIPPED, CheckResult, check_result


def check_deadlines_resolved(*, start: datetime, end: datetime) -> CheckResult:
    """OPS-1: every deadline due by the end was met, enforced or cancelled, and none enforced twice."""
    rows = Deadline.objects.filter(started_at__gte=start)
    problems = [
        f"{row['rule']}: {row['n']} still pending past due (oldest due {row['oldest']:%Y-%m-%d %H:%M})"
        for row in rows.filter(status=Deadline.Status.PENDING, due_at__lte=end)
        .values("rule")
        .annotate(n=Count("pk"), oldest=Min("due_at"))
        .order_by("rule")
    ]
    twice = (
        rows.filter(status=Deadline.Status.ENFORCED)
        .values("rule", "subject_type", "subject_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("rule", "subject_id")
    )
    problems += [f"{row['rule']} on #{row['subject_id']} enforced {row['n']} times" for row in twice]
    due = rows.filter(due_at__lte=end).count()
    retried = rows.filter(attempts__gt=0).count()
    return check_result(
        "deadlines_resolved",
        "OPS-1",
        problems,
        f"{due} deadlines came due; all resolved once ({retried} needed a handler retry)",
    )


def check_audit_chain() -> CheckResult:
    """AUD-1: the audit log's hash chain recomputes."""
    result = audit_chain_verify()
    if result.ok:
        return CheckResult("audit_chain_verifies", "AUD-1", PASSED, f"{result.count} entries chained")
    return CheckResult(
        "audit_chain_verifies", "AUD-1", FAILED, f"broken at entry {result.first_broken_id}: {result.reason}"
    )


def check_credit(*, population: "Population") -> CheckResult:
    """REP-3: the mean credit grade of diligent merchants is at least that of late shippers and ignorers."""
    merchants = {
        m.pk: m for m in Merchant.objects.filter(pk__in=[a.merchant.pk for a in population.merchants])
    }
    good = [merchants[a.merchant.pk].credit_grade for a in population.merchants if a.kind == "diligent"]
    bad = [
        merchants[a.merchant.pk].credit_grade
        for a in population.merchants
        if a.kind in ("late_shipper", "ignorer")
    ]
    if not good or not bad:
        return CheckResult(
            "credit_follows_behaviour",
            "REP-3",
            SKIPPED,
            "skipped: needs diligent and badly behaving merchants",
        )
    if any(grade is None for grade in [*good, *bad]):
        return CheckResult(
            "credit_follows_behaviour",
            "REP-3",
            SKIPPED,
            "skipped: some merchants have no credit grade computed",
        )
    good_mean = mean(g for g in good if g is not None)
    bad_mean = mean(g for g in bad if g is not None)
    detail = f"mean grade diligent {good_mean:.2f} vs late shippers and ignorers {bad_mean:.2f}"
    return CheckResult(
        "credit_follows_behaviour", "REP-3", PASSED if good_mean >= bad_mean else FAILED, detail
    )


def check_complaints(*, simulation: "Simulation") -> CheckResult:
    """CMP-2: a complaint not acknowledged within 24 hours was escalated to the department head once,
    by the deadline engine."""
    ack_within = settings.AFTERSALES_COMPLAINT_ACK_WITHIN
    slack = simulation.tick_length
    steps = dict(
        ComplaintStep.objects.filter(action="escalated")
        .values("complaint_id")
        .annotate(n=Count("pk"))
        .values_list("complaint_id", "n")
    )
    problems, late = [], 0
    for complaint in Complaint.objects.filter(created_at__gte=simulation.config.start).order_by("pk"):
        due = complaint.created_at + ack_within
        if due > simulation.end or (
            complaint.acknowledged_at is not None and complaint.acknowledged_at <= due
        ):
            continue
        late += 1
        if steps.get(complaint.pk, 0) != 1:
            problems.append(
                f"complaint {complaint.pk} acknowledged late, escalated {steps.get(complaint.pk, 0)} times"
            )
        elif complaint.escalated_at is None or complaint.escalated_at > due + slack:
            problems.append(f"complaint {complaint.pk} escalated late ({complaint.escalated_at})")
    return check_result(
        "complaints_escalated",
        "CMP-2",
        problems,
        f"{late} complaint(s) not acknowledged within 24 h, each escalated once with no human action",
    )


def check_document_expiry(*, simulation: "Simulation", population: "Population") -> CheckResult:
    """MER-7: when a business licence expires, no listing that needs it stays on sale."""
    expired = QualificationDocument.objects.filter(
        merchant_id__in=[a.merchant.pk for a in population.merchants],
        kind=DocumentKind.BUSINESS_LICENCE,
        superseded_at=None,
        valid_until__lt=simulation.end.date(),
    )
    problems = []
    for document in expired.order_by("merchant_id"):
        on_sale = Listing.objects.filter(listing_visible_q(), merchant_id=document.merchant_id).count()
        if on_sale:
            problems.append(
                f"merchant {document.merchant_id}: licence expired {document.valid_until}, {on_sale} on sale"
            )
    return check_result(
        "expired_documents_suspend_listings",
        "MER-7",
        problems,
        f"{expired.count()} licence(s) expired during the run; none of their listings left on sale",
    )


def check_ip_notices(*, simulation: "Simulation") -> CheckResult:
    """CAT-7: a validated notice takes the listing down; a counter-notice the rights holder does not answer
    with a complaint or lawsuit within 15 days restores it, with no human action."""
    problems, restored = [], 0
    window = simulation.end - simulation.tick_length
    notices = IpNotice.objects.filter(pk__in=list(simulation.tally.ip_notices)).select_related("listing")
    for notice in notices.order_by("pk"):
        if notice.status == IpNotice.Status.TAKEN_DOWN and notice.listing.on_sale:
            problems.append(f"notice {notice.pk} taken down but listing {notice.listing_id} still on sale")
        if (
            notice.status == IpNotice.Status.COUNTER_NOTICED
            and notice.counter_forwarded_at is not None
            and notice.counter_forwarded_at + settings.CATALOG_IP_COUNTER_NOTICE_WINDOW < window
        ):
            problems.append(f"notice {notice.pk}: counter-notice unanswered for 15 days, not restored")
        restored += notice.status == IpNotice.Status.RESTORED
    return check_result(
        "ip_notices_handled",
        "CAT-7",
        problems,
        f"{notices.count()} notice(s); takedowns held, {restored} listing(s) restored after a counter-notice",
    )


def check_fake_reviews(*, simulation: "Simulation", start: datetime) -> CheckResult:
    """REP-2: every review posted by an account the merchant controls was flagged as tied to the shop;
    no genuine customer's review was hidden as fake; a shop caught got a fake-review violation (VIO-1)."""
    contact = (
        ReviewFlag.Signal.SHARED_PHONE,
        ReviewFlag.Signal.SHARED_ADDRESS,
        ReviewFlag.Signal.SHARED_DEVICE,
    )
    shill_ids = set(simulation.tally.shill_review_ids)
    flagged = set(
        ReviewFlag.objects.filter(review_id__in=shill_ids, signal__in=contact).values_list(
            "review_id", flat=True
        )
    )
    problems = [f"review {pk} by a shop's own account was not flagged" for pk in sorted(shill_ids - flagged)]
    wrongly_hidden = (
        Review.objects.filter(created_at__gte=start, hidden_reason=Review.HideReason.PROVEN_FAKE)
        .exclude(pk__in=shill_ids)
        .values_list("pk", flat=True)
    )
    problems += [f"genuine review {pk} hidden as fake" for pk in wrongly_hidden]
    caught = set(
        Review.objects.filter(pk__in=shill_ids, hidden_reason=Review.HideReason.PROVEN_FAKE).values_list(
            "merchant_id", flat=True
        )
    )
    punished = set(
        Violation.objects.filter(merchant_id__in=caught, kind="fake_reviews").values_list(
            "merchant_id", flat=True
        )
    )
    problems += [
        f"merchant {pk} caught posting fake reviews has no violation" for pk in sorted(caught - punished)
    ]
    return check_result(
        "fake_reviews_flagged",
        "REP-2",
        problems,
        f"{len(shill_ids)} review(s) by shops' own accounts, each flagged; {len(caught)} shop(s) penalised",
    )


def check_delivery_cases(*, simulation: "Simulation", start: datetime, end: datetime) -> CheckResult:
    """ORD-10: every parcel that went wrong got a case; every case that came due was resolved by the
    merchant or lapsed, never both; a lapsed case the customer came back for was refunded exactly once,
    in full; no case holds the escrow once it ended."""
    cases = DeliveryCase.objects.filter(opened_at__gte=start)
    problems: list[str] = []
    with_case = set(cases.values_list("order_id", flat=True))
    for order_id in simulation.tally.delivery_problem_order_ids:
        order = Order.objects.get(pk=order_id)
        if order_id not in with_case and order.status == Order.Status.SHIPPED:
            due = (order.shipped_at or end) + settings.ORDERS_DELIVERY_STALL_AFTER
            if due <= end:
                problems.append(f"order {order_id}: the parcel went wrong, no delivery case opened")
    for case in cases.filter(status=DeliveryCase.Status.OPEN, respond_by__lte=end):
        problems.append(f"case {case.pk}: still open past its 48 hours")
    ended = cases.exclude(status__in=DeliveryCase.ACTIVE_STATUSES)
    for case in ended.filter(hold__released_at__isnull=True, hold__isnull=False):
        problems.append(f"case {case.pk} ({case.status}) still holds the escrow")
    refund_keys = Refund.objects.filter(idempotency_key__startswith="delivery-case:")
    per_case = refund_keys.values_list("idempotency_key", flat=True)
    counts: dict[str, int] = {}
    for key in per_case:
        case_id = key.split(":")[1]
        counts[case_id] = counts.get(case_id, 0) + 1
    problems += [f"case {pk} refunded {n} times" for pk, n in sorted(counts.items()) if n > 1]
    paid_cases = cases.filter(status__in=[DeliveryCase.Status.REFUNDED, DeliveryCase.Status.REFUND_AGREED])
    for case in paid_cases.select_related("refund"):
        if case.refund is None:
            problems.append(f"case {case.pk} ({case.status}) has no refund")
    lapsed_resolved = cases.filter(counts_against_merchant=True, resolved_at__isnull=False).exclude(
        status=DeliveryCase.Status.CLOSED
    )
    problems += [f"case {pk} both lapsed and resolved" for pk in lapsed_resolved.values_list("pk", flat=True)]
    total = cases.count()
    if not total and not problems:
        return CheckResult("delivery_cases", "ORD-10", SKIPPED, "skipped: no parcel went wrong in this run")
    lapsed = cases.filter(counts_against_merchant=True).count()
    return check_result(
        "delivery_cases",
        "ORD-10",
        problems,
        f"{total} delivery case(s): {lapsed} lapsed against the merchant, {paid_cases.count()} refunded "
        "exactly once, the rest resolved",
    )


def checks_run(*, simulation: "Simulation", population: "Population") -> list[CheckResult]:
    start = simulation.config.start
    end = simulation.end
    return [
        check_deadlines_resolved(start=start, end=end),
        check_late_shipments(start=start, end=end),
        check_silent_refund_requests(silent_ids=simulation.tally.silent_request_ids, end=end),
        check_unpaid_expired(simulation=simulation, end=end),
        *check_callbacks(simulation=simulation, start=start),
        check_delayed_payments(simulation=simulation),
        *([check_gateway_refunds(simulation=simulation)] if simulation.fakes else []),
        check_settlements(start=start),
        check_reconciliation(simulation=simulation),
        check_delivery_cases(simulation=simulation, start=start, end=end),
        check_complaints(simulation=simulation),
        check_disputes(start=start),
        check_document_expiry(simulation=simulation, population=population),
        check_ip_notices(simulation=simulation),
        check_fake_reviews(simulation=simulation, start=start),
        check_ledger(),
        check_audit_chain(),
        check_credit(population=population),
    ]
