"""Reads about merchants, scoped to who asks. Catalog and orders call ``merchant_may_list`` and
``merchant_for_member``; the review queue reads ``merchant_prior_record``; ranking and inspection
sampling read ``merchant_credit_grade``.

Hooks other apps register on (from their ``hooks.py``; ``platform_core.hooks``) — the figures the credit
score (REP-3) and the KPIs (VIO-6) are computed from: ``rating_sources`` and ``kpi_sources``.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category
from merchants.models import (
    BASE_DOCUMENT_KINDS,
    AgreementAcceptance,
    Merchant,
    MerchantApplication,
    MerchantCreditSnapshot,
    MerchantKpi,
    MerchantMember,
    Penalty,
    PlatformAgreement,
    QualificationDocument,
    Reverification,
    Violation,
    ViolationAppeal,
)
from merchants.policies import (
    CREDIT_DEFAULT_GRADE,
    CREDIT_GRADE_NAMES,
    KPI_WINDOW_DAYS,
    CreditPolicy,
    KpiPolicy,
    credit_policy,
)
from platform_core.accounts.models import User
from platform_core.deadlines.selectors import deadline_next_due
from platform_core.errors import NotFound
from platform_core.hooks import Hook
from platform_core.ledger.models import AccountKind, LedgerAccount

ZERO = Decimal("0.00")


# --- standing ---------------------------------------------------------------------------------------


def agreement_current(*, at: Any = None) -> PlatformAgreement | None:
    """MER-4: the agreement in force now: the latest one whose effective time has come."""
    return (
        PlatformAgreement.objects.filter(effective_at__lte=at or timezone.now())
        .order_by("-effective_at")
        .first()
    )


def agreement_pending_for_merchant(*, merchant: Merchant) -> PlatformAgreement | None:
    """MER-4: the agreement in force if ``merchant`` has not accepted it yet, else ``None`` (one query)."""
    current = (
        PlatformAgreement.objects.filter(effective_at__lte=timezone.now())
        .annotate(
            accepted=Exists(AgreementAcceptance.objects.filter(agreement=OuterRef("pk"), merchant=merchant))
        )
        .order_by("-effective_at")
        .first()
    )
    return None if current is None or current.accepted else current


def merchant_has_accepted_current_agreement(*, merchant: Merchant) -> bool:
    current = agreement_current()
    if current is None:
        return True  # nothing to accept yet
    return AgreementAcceptance.objects.filter(agreement=current, merchant=merchant).exists()


def merchant_deposit_balance(*, merchant: Merchant) -> Decimal:
    """MER-5: the merchant's deposit ledger account balance (zero before the first payment)."""
    balance = (
        LedgerAccount.objects.filter(
            kind=AccountKind.MERCHANT_DEPOSIT,
            owner_type=ContentType.objects.get_for_model(Merchant),
            owner_id=merchant.pk,
        )
        .values_list("balance", flat=True)
        .first()
    )
    return balance if balance is not None else ZERO


def merchant_required_deposit(*, merchant: Merchant) -> Decimal:
    """MER-5: the deposit the merchant must hold: the largest of its categories' deposits."""
    required = merchant.categories.aggregate(m=Max("deposit_amount"))["m"]
    return required if required is not None else ZERO


def _category_lineage(category: Category) -> list[Category]:
    """The category and its ancestors, nearest first (a merchant approved for a parent sells in children)."""
    lineage: list[Category] = []
    node: Category | None = category
    while node is not None and node not in lineage:
        lineage.append(node)
        node = node.parent
    return lineage


def category_required_document_kinds(*, category: Category) -> list[str]:
    """MER-1, MER-7: the industry licences needed to list in ``category`` (its own and its ancestors')."""
    kinds: list[str] = []
    for node in _category_lineage(category):
        for kind in node.required_document_kinds or []:
            if kind not in kinds:
                kinds.append(kind)
    return kinds


def merchant_valid_document_kinds(*, merchant: Merchant) -> set[str]:
    """MER-7: the document kinds the merchant holds a currently valid document of."""
    today = timezone.localdate()
    docs = QualificationDocument.objects.filter(merchant=merchant, superseded_at__isnull=True)
    return {doc.kind for doc in docs if doc.is_valid_on(today)}


def merchant_may_list(*, merchant: Merchant, category: Category) -> tuple[bool, str]:
    """MER-4, MER-5, MER-7, MER-8: may ``merchant`` put a new listing in ``category``? ``(ok, reason)``.

    The merchant must be active (restricted merchants keep trading but list nothing new), approved for
    the category (or one of its ancestors), have accepted the agreement in force, hold at least the
    category's deposit, and hold a valid document of every kind the category requires.
    The reason is empty when allowed, else a translated sentence for the merchant.
    """
    if merchant.status != Merchant.Status.ACTIVE:
        return False, _("The shop is %(status)s and may not publish new listings.") % {
            "status": merchant.get_status_display()
        }
    approved = set(merchant.categories.values_list("pk", flat=True))
    if not any(node.pk in approved for node in _category_lineage(category)):
        return False, _("The shop is not approved to sell in the category %(category)s.") % {
            "category": category.name
        }
    if not merchant_has_accepted_current_agreement(merchant=merchant):
        return False, _("Accept the current platform service agreement first.")
    balance = merchant_deposit_balance(merchant=merchant)
    if balance < category.deposit_amount:
        return False, _(
            "The category needs a deposit of %(required)s CNY; the shop holds %(balance)s CNY."
        ) % {
            "required": category.deposit_amount,
            "balance": balance,
        }
    missing = [
        k
        for k in category_required_document_kinds(category=category)
        if k not in merchant_valid_document_kinds(merchant=merchant)
    ]
    if missing:
        return False, _("A valid document is missing for this category: %(kinds)s.") % {
            "kinds": ", ".join(missing)
        }
    return True, ""


def closure_pending_from_ledger(*, merchant: Merchant) -> list[str]:
    """MER-8: money the merchant still has with the platform (deposit, payable) blocks closure."""
    merchant_type = ContentType.objects.get_for_model(Merchant)
    pending = []
    for account in LedgerAccount.objects.filter(
        owner_type=merchant_type,
        owner_id=merchant.pk,
        kind__in=[AccountKind.MERCHANT_DEPOSIT, AccountKind.MERCHANT_PAYABLE],
    ).exclude(balance=0):
        pending.append(
            _("%(account)s still holds %(balance)s CNY.")
            % {"account": account.get_kind_display(), "balance": account.balance}
        )
    return pending


# --- application -------------------------------------------------------------------------------------


def application_required_document_kinds(*, application: MerchantApplication) -> list[str]:
    """MER-1: the base documents plus the industry licences of every category applied for."""
    kinds = list(BASE_DOCUMENT_KINDS)
    for category in application.categories.all():
        for kind in category_required_document_kinds(category=category):
            if kind not in kinds:
                kinds.append(kind)
    return kinds


def application_missing_document_kinds(*, application: MerchantApplication) -> list[str]:
    today = timezone.localdate()
    held = {doc.kind for doc in application.documents.all() if doc.is_valid_on(today)}
    return [k for k in application_required_document_kinds(application=application) if k not in held]


def merchant_prior_record(*, credit_code: str, exclude_merchant_id: int | None = None) -> dict[str, Any]:
    """MER-3: earlier merchant accounts with this credit code, their status and violations."""
    earlier = (
        Merchant.objects.filter(credit_code=credit_code.strip().upper())
        .exclude(pk=exclude_merchant_id)
        .annotate(violation_count=Count("violations"))
        .order_by("created_at", "pk")
    )
    accounts = []
    for merchant in earlier:
        serious = list(merchant.violations.filter(track="serious").values_list("kind", flat=True))
        accounts.append(
            {
                "merchant_id": merchant.pk,
                "name": merchant.name,
                "status": merchant.status,
                "status_reason": merchant.status_reason,
                "violations": merchant.violation_count,
                "serious_violations": serious,
            }
        )
    return {
        "credit_code": credit_code,
        "accounts": accounts,
        "banned": [a for a in accounts if a["status"] == Merchant.Status.BANNED],
    }


def application_list_for_applicant(*, user: User) -> QuerySet[MerchantApplication]:
    return MerchantApplication.objects.filter(applicant=user).order_by("-created_at", "-pk")


def application_get_for_applicant(*, user: User, application_id: int) -> MerchantApplication:
    """SEC-1: another applicant's application does not exist for this user."""
    application = application_list_for_applicant(user=user).filter(pk=application_id).first()
    if application is None:
        raise NotFound(_("No such application."))
    return application


def application_review_queue() -> QuerySet[MerchantApplication]:
    """MER-2: submitted and under-review applications, oldest submission first."""
    return MerchantApplication.objects.filter(
        status__in=[MerchantApplication.Status.SUBMITTED, MerchantApplication.Status.UNDER_REVIEW]
    ).order_by("submitted_at", "pk")


# --- members -----------------------------------------------------------------------------------------


def merchant_for_member(*, user: User) -> tuple[Merchant, str] | None:
    """The merchant ``user`` works for and their role there (the oldest active membership), or None."""
    if not user.is_authenticated:
        return None
    membership = (
        MerchantMember.objects.filter(user=user, is_active=True)
        .exclude(merchant__status__in=[Merchant.Status.CLOSED, Merchant.Status.BANNED])
        .select_related("merchant")
        .order_by("created_at", "pk")
        .first()
    )
    if membership is None:
        return None
    return membership.merchant, membership.role


def member_list_for_merchant(*, merchant: Merchant) -> QuerySet[MerchantMember]:
    return (
        MerchantMember.objects.filter(merchant=merchant).select_related("user").order_by("created_at", "pk")
    )


def merchant_get_public(*, merchant_id: int) -> Merchant:
    """MER-9: a trading merchant's public profile; others are not found."""
    merchant = Merchant.objects.filter(
        pk=merchant_id, status__in=[Merchant.Status.ACTIVE, Merchant.Status.RESTRICTED]
    ).first()
    if merchant is None:
        raise NotFound(_("No such shop."))
    return merchant


def document_get_for_viewer(*, user: User, document_id: int) -> QualificationDocument:
    """SEC-4: a document file is visible to the merchant's members, its applicant, and reviewers only."""
    document = (
        QualificationDocument.objects.select_related("application", "merchant").filter(pk=document_id).first()
    )
    if document is None or not user.is_authenticated:
        raise NotFound(_("No such document."))
    if user.is_staff and user.has_perm("merchants.review_merchantapplication"):
        return document
    if document.application is not None and document.application.applicant_id == user.pk:
        return document
    merchant_id = document.merchant_id or (document.application.merchant_id if document.application else None)
    if (
        merchant_id
        and MerchantMember.objects.filter(merchant_id=merchant_id, user=user, is_active=True).exists()
    ):
        return document
    raise NotFound(_("No such document."))


def document_list_current_for_merchant(*, merchant: Merchant) -> QuerySet[QualificationDocument]:
    """MER-6, MER-7: the shop's documents in force (each kind's latest), by kind."""
    return QualificationDocument.objects.filter(merchant=merchant, superseded_at__isnull=True).order_by(
        "kind", "-pk"
    )


def document_list_expiring_for_merchant(*, merchant: Merchant) -> list[QualificationDocument]:
    """MER-7: the shop's current documents that expire within the first warning period, soonest first
    (at most 10: the dashboard's home page)."""
    horizon = timezone.localdate() + timedelta(days=max(settings.MERCHANT_DOCUMENT_WARNING_DAYS, default=30))
    return list(
        QualificationDocument.objects.filter(
            merchant=merchant, superseded_at__isnull=True, valid_until__isnull=False, valid_until__lte=horizon
        ).order_by("valid_until", "pk")[:10]
    )


def reverification_list_for_merchant(*, merchant: Merchant) -> QuerySet[Reverification]:
    return Reverification.objects.filter(merchant=merchant).order_by("-opened_at", "-pk")


def reverification_open_for_merchant(*, merchant: Merchant) -> Reverification | None:
    """MER-6: the re-verification the shop still has to pass (open or submitted), with ``due_at``: when
    trading is suspended unless it has passed (the running overdue clock). ``None`` when none is due."""
    return (
        reverification_list_for_merchant(merchant=merchant)
        .exclude(status=Reverification.Status.PASSED)
        .annotate(due_at=deadline_next_due(Reverification))
        .first()
    )


# --- REP-3, VIO-6: the figures other apps provide -----------------------------------------------------


@dataclass(frozen=True)
class RatingBucket:
    """Detailed seller ratings (1-5 each) of ``count`` reviews made on ``day``: the sums of each rating."""

    day: date
    count: int
    description_sum: int
    service_sum: int
    logistics_sum: int


#: The keys ``kpi_sources`` report (counts over the window, durations in seconds):
FIGURE_KEYS: dict[str, str] = {
    "orders": "orders paid in the window (the base of complaint and dispute rates) — orders",
    "shipments": "orders shipped in the window — orders",
    "shipments_late": "of those, shipped after the ship-by deadline (ORD-4) — orders",
    "shipments_tracked": "of those, with a tracking number the carrier confirmed — orders",
    "aftersales_requests": "after-sales requests opened in the window — aftersales",
    "aftersales_responded": "of those, answered by the merchant — aftersales",
    "aftersales_responded_in_time": "of those, answered within the SLA — aftersales",
    "aftersales_response_seconds": "total time to the merchant's answer over the answered ones — aftersales",
    "messages_responded": "customer messages answered by the merchant (MSG-2) — messaging",
    "message_response_seconds": "total time to answer over those messages — messaging",
    "complaints": "complaints about the merchant opened in the window — aftersales (complaints)",
    "disputes": "disputes with platform intervention opened in the window — disputes",
    "disputes_lost": "disputes ruled against the merchant in the window — disputes",
}

RatingSource = Callable[[Merchant, datetime, datetime], Iterable[RatingBucket]]
KpiSource = Callable[[Merchant, datetime, datetime], Mapping[str, int | Decimal]]

rating_sources = Hook[RatingSource](
    "merchants.rating_sources",
    doc=(
        "REP-3: `source(merchant, since, until)`: the detailed seller ratings of reviews made in "
        "[since, until), grouped by local day (one bucket per day, or per review); the credit score "
        "weighs the buckets of every source."
    ),
)
kpi_sources = Hook[KpiSource](
    "merchants.kpi_sources",
    doc=(
        "REP-3, VIO-6: `source(merchant, since, until)`: counts and sums of the cases in [since, until) "
        "under the keys of merchants.selectors.FIGURE_KEYS (a source reports only the keys it knows); "
        "the figures of every source are added up key by key."
    ),
)


def merchant_figures(*, merchant: Merchant, since: datetime, until: datetime) -> dict[str, Decimal]:
    """The sum, key by key, of every ``kpi_sources`` figure for ``[since, until)``.

    Only keys some source reported are present: a figure nobody provides is unknown, not zero.
    """
    figures: dict[str, Decimal] = {}
    for source in kpi_sources:
        for key, value in source(merchant, since, until).items():
            figures[key] = figures.get(key, Decimal(0)) + Decimal(value)
    return figures


def merchant_rating_buckets(*, merchant: Merchant, since: datetime, until: datetime) -> list[RatingBucket]:
    return [bucket for source in rating_sources for bucket in source(merchant, since, until)]


def merchant_violation_points(*, merchant: Merchant, since: datetime, until: datetime) -> int:
    """Points of the merchant's violations (not voided by an appeal) recorded in ``(since, until]``."""
    total = (
        Violation.objects.filter(
            merchant=merchant, voided_at__isnull=True, created_at__gt=since, created_at__lte=until
        )
        .aggregate(points=Sum("points"))
        .get("points")
    )
    return int(total or 0)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """VIO-2: ``[1 January, next 1 January)`` of ``year`` in the platform time zone."""
    tz = timezone.get_default_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def merchant_track_points(*, merchant: Merchant, track: str, year: int) -> int:
    """VIO-2: the points counting in ``track`` for calendar ``year`` (platform time zone)."""
    start, end = year_bounds(year)
    total = (
        Violation.objects.filter(
            merchant=merchant,
            track=track,
            voided_at__isnull=True,
            created_at__gte=start,
            created_at__lt=end,
        )
        .aggregate(points=Sum("points"))
        .get("points")
    )
    return int(total or 0)


# --- REP-3: the credit formula (docs/credit-formula.md) -------------------------------------------------

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _clamp(value: Decimal) -> Decimal:
    return max(Decimal(0), min(HUNDRED, value))


def _ratings_component(buckets: Iterable[RatingBucket], *, today: date, window_days: int) -> Decimal | None:
    """Time-weighted mean of the detailed ratings: a review ``age`` days old weighs ``(window - age) / window``."""
    weighted_sum = weight_total = Decimal(0)
    for bucket in buckets:
        age = (today - bucket.day).days
        if bucket.count <= 0 or not 0 <= age < window_days:
            continue
        weight = Decimal(window_days - age) / Decimal(window_days)
        ratings = Decimal(bucket.description_sum + bucket.service_sum + bucket.logistics_sum) / 3
        weighted_sum += weight * ratings
        weight_total += weight * bucket.count
    if weight_total == 0:
        return None
    mean = weighted_sum / weight_total  # 1..5
    return _clamp((mean - 1) / 4 * HUNDRED)


def _rate(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator <= 0 else numerator / denominator


def credit_compute(
    *,
    figures: Mapping[str, Decimal],
    buckets: Iterable[RatingBucket],
    points: int,
    today: date,
    policy: CreditPolicy | None = None,
) -> dict[str, Any]:
    """REP-3: the score (0-100, 2 places), grade (1-5) and components of docs/credit-formula.md.

    Pure: the same inputs give the same result. Returns ``{"score", "grade", "grade_name",
    "components": {name: {"value", "weight", "basis"}}}``; ``basis`` is the rate or count it came from
    (None when there was no data and the neutral value was used).
    """
    policy = policy or credit_policy()
    f = {key: Decimal(figures.get(key, 0)) for key in FIGURE_KEYS}

    def from_rate(rate: Decimal | None, *, at_zero: Decimal | None = None) -> tuple[Decimal, Any]:
        if rate is None:
            return policy.neutral, None
        if at_zero is None:  # a rate of good things: 100 % scores 100
            return _clamp(rate * HUNDRED), _q(rate * HUNDRED)
        return _clamp(HUNDRED * (1 - rate / at_zero)), _q(rate * HUNDRED)

    ratings = _ratings_component(buckets, today=today, window_days=policy.window_days)
    late_rate = _rate(f["shipments_late"], f["shipments"])
    values: dict[str, tuple[Decimal, Any]] = {
        "ratings": (policy.neutral, None) if ratings is None else (ratings, _q(ratings)),
        "on_time_shipping": from_rate(None if late_rate is None else 1 - late_rate),
        "aftersales_response": from_rate(_rate(f["aftersales_responded_in_time"], f["aftersales_requests"])),
        "complaints": from_rate(_rate(f["complaints"], f["orders"]), at_zero=policy.complaint_rate_at_zero),
        "dispute_losses": from_rate(
            _rate(f["disputes_lost"], f["orders"]), at_zero=policy.dispute_loss_rate_at_zero
        ),
        "violations": (
            _clamp(HUNDRED * (1 - Decimal(points) / Decimal(policy.points_at_zero))),
            points,
        ),
    }
    score = _q(sum((policy.weights[name] * value for name, (value, _b) in values.items()), Decimal(0)))
    grade = next(g for minimum, g in policy.grades if score >= minimum)
    return {
        "score": score,
        "grade": grade,
        "grade_name": CREDIT_GRADE_NAMES.get(grade, str(grade)),
        "components": {
            name: {"value": str(_q(value)), "weight": str(policy.weights[name]), "basis": _json(basis)}
            for name, (value, basis) in values.items()
        },
    }


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def merchant_credit_inputs(*, merchant: Merchant, at: datetime | None = None) -> dict[str, Any]:
    """REP-3: what ``credit_compute`` needs for ``merchant`` now, read from the registered sources."""
    now = at or timezone.now()
    policy = credit_policy()
    since = now - timedelta(days=policy.window_days)
    return {
        "figures": merchant_figures(merchant=merchant, since=since, until=now),
        "buckets": merchant_rating_buckets(merchant=merchant, since=since, until=now),
        "points": merchant_violation_points(merchant=merchant, since=now - timedelta(days=365), until=now),
        "today": timezone.localtime(now).date(),
    }


def merchant_credit_grade(merchant: Merchant) -> int:
    """REP-3: the merchant's current credit grade 1-5 (the default grade before its first computation).

    For querysets, the same figure is ``Coalesce(F("merchant__credit_grade"), CREDIT_DEFAULT_GRADE)``.
    """
    return merchant.credit_grade if merchant.credit_grade is not None else CREDIT_DEFAULT_GRADE


def credit_history_for_merchant(*, merchant: Merchant) -> list[MerchantCreditSnapshot]:
    """REP-3: the published history: the last snapshot of each of the past 12 months, oldest first."""
    since = timezone.now() - timedelta(days=credit_policy().history_days)
    by_month: dict[tuple[int, int], MerchantCreditSnapshot] = {}
    for snapshot in MerchantCreditSnapshot.objects.filter(merchant=merchant, computed_at__gte=since).order_by(
        "computed_at", "pk"
    ):
        local = timezone.localtime(snapshot.computed_at)
        by_month[(local.year, local.month)] = snapshot
    return list(by_month.values())


def credit_latest_for_merchant(*, merchant: Merchant) -> MerchantCreditSnapshot | None:
    return MerchantCreditSnapshot.objects.filter(merchant=merchant).order_by("-computed_at", "-pk").first()


# --- VIO-6: KPIs ---------------------------------------------------------------------------------------


def kpi_evaluate(*, policy: KpiPolicy, figures: Mapping[str, Decimal]) -> tuple[Decimal | None, int, str]:
    """VIO-6: ``(value, sample, level)`` of one KPI; too small a sample is never judged, and a KPI
    whose figures no source reports has no value."""
    if policy.numerator not in figures or policy.denominator not in figures:
        return None, 0, MerchantKpi.Level.OK
    denominator = Decimal(figures[policy.denominator])
    sample = int(denominator)
    if denominator <= 0:
        return None, 0, MerchantKpi.Level.OK
    value = (Decimal(figures.get(policy.numerator, 0)) / denominator * policy.scale).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )
    if sample < policy.min_sample:
        return value, sample, MerchantKpi.Level.OK

    def worse(than: Decimal) -> bool:
        return value < than if policy.higher_is_better else value > than

    if worse(policy.limit):
        return value, sample, MerchantKpi.Level.LIMIT
    if worse(policy.warning):
        return value, sample, MerchantKpi.Level.WARNING
    return value, sample, MerchantKpi.Level.OK


def kpi_window(*, day: date) -> tuple[datetime, datetime]:
    """VIO-6: the 30 days ending with ``day`` (local): ``[day - 29 days 00:00, day + 1 00:00)``."""
    until = timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))
    return until - timedelta(days=KPI_WINDOW_DAYS), until


def kpi_latest_for_merchant(*, merchant: Merchant) -> list[MerchantKpi]:
    """VIO-6: the merchant's KPIs of the latest computed day."""
    latest = MerchantKpi.objects.filter(merchant=merchant).aggregate(d=Max("date"))["d"]
    if latest is None:
        return []
    return list(MerchantKpi.objects.filter(merchant=merchant, date=latest).order_by("kpi"))


# --- VIO-2..VIO-5: violations, penalties, appeals -------------------------------------------------------


def penalties_in_force() -> QuerySet[Penalty]:
    now = timezone.now()
    return (
        Penalty.objects.filter(lifted_at__isnull=True, starts_at__lte=now)
        .exclude(measure=Penalty.Measure.WARNING)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    )


def penalty_list_public() -> QuerySet[Penalty]:
    """VIO-5: penalties in force and published, newest first, for the public list and profiles."""
    return (
        penalties_in_force()
        .filter(published_at__isnull=False)
        .select_related("merchant", "trigger")
        .order_by("-starts_at", "-pk")
    )


def penalty_list_for_merchant(*, merchant: Merchant) -> QuerySet[Penalty]:
    return penalties_in_force().filter(merchant=merchant).select_related("trigger").order_by("-starts_at")


def violation_list_for_merchant(*, merchant: Merchant) -> QuerySet[Violation]:
    """The merchant's violations of the past 365 days, newest first, with any appeal."""
    since = timezone.now() - timedelta(days=365)
    return (
        Violation.objects.filter(merchant=merchant, created_at__gte=since)
        .select_related("appeal")
        .order_by("-created_at", "-pk")
    )


def violation_get_for_merchant(*, merchant: Merchant, violation_id: int) -> Violation:
    violation = Violation.objects.filter(merchant=merchant, pk=violation_id).first()
    if violation is None:
        raise NotFound(_("No such violation."))
    return violation


def appeal_list_for_merchant(*, merchant: Merchant) -> QuerySet[ViolationAppeal]:
    return ViolationAppeal.objects.filter(violation__merchant=merchant).order_by("-submitted_at", "-pk")


def appeal_review_queue() -> QuerySet[ViolationAppeal]:
    """VIO-4: appeals waiting for a decision, oldest first."""
    return ViolationAppeal.objects.filter(status=ViolationAppeal.Status.SUBMITTED).order_by(
        "submitted_at", "pk"
    )
