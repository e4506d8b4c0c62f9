"""Policy tables for merchants: violation points (VIO-1), the credit formula (REP-3) and the KPIs (VIO-6).

The single-number defaults (review clocks, appeal window, upload size, the VIO-2 penalty thresholds) are
settings (``platform_core/settings/``), read as ``settings.MERCHANT_*`` where they are used.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class ViolationPolicy:
    points: int
    track: str  # "general" | "serious"


#: VIO-1: points and track per violation kind (Taobao-like defaults; VIO-2 thresholds use these).
VIOLATION_POLICY: dict[str, ViolationPolicy] = {
    "late_shipment": ViolationPolicy(3, "general"),
    "false_listing": ViolationPolicy(6, "general"),
    "prohibited_item": ViolationPolicy(12, "serious"),
    "ip_infringement": ViolationPolicy(12, "serious"),
    "fake_reviews": ViolationPolicy(12, "serious"),
    "failed_inspection": ViolationPolicy(6, "general"),
    "refusing_valid_returns": ViolationPolicy(3, "general"),
    "aftersales_sla_missed": ViolationPolicy(3, "general"),
    # VIO-6: a KPI past its limit (at most once per KPI per 30-day period)
    "kpi_late_shipment_rate": ViolationPolicy(2, "general"),
    "kpi_aftersales_response_rate": ViolationPolicy(2, "general"),
    "kpi_aftersales_response_hours": ViolationPolicy(2, "general"),
    "kpi_message_response_hours": ViolationPolicy(2, "general"),
    "kpi_complaint_rate": ViolationPolicy(2, "general"),
    "kpi_dispute_rate": ViolationPolicy(2, "general"),
    "kpi_tracking_rate": ViolationPolicy(2, "general"),
    "kpi_delivery_case_rate": ViolationPolicy(2, "general"),
}


#: VIO-1: what each violation kind is called (the admin's forms and lists, the standing page: never a code).
VIOLATION_KIND_LABELS: dict[str, "StrOrPromise"] = {
    "late_shipment": gettext_lazy("Late shipment"),
    "false_listing": gettext_lazy("False listing"),
    "prohibited_item": gettext_lazy("Prohibited item"),
    "ip_infringement": gettext_lazy("IP infringement"),
    "fake_reviews": gettext_lazy("Fake reviews"),
    "failed_inspection": gettext_lazy("Failed quality inspection"),
    "refusing_valid_returns": gettext_lazy("Refusing valid returns"),
    "aftersales_sla_missed": gettext_lazy("After-sales deadline missed"),
}

#: VIO-1, issue 21: the kinds staff record by hand (the others come from the system's own rules).
STAFF_VIOLATION_KINDS = (
    "false_listing",
    "prohibited_item",
    "ip_infringement",
    "fake_reviews",
    "refusing_valid_returns",
)


def violation_kind_label(kind: str) -> str:
    """The violation kind's translated name: a KPI kind is named after its KPI ("KPI: 延迟发货率")."""
    if kind.startswith("kpi_"):
        return gettext("KPI over its limit: %(kpi)s") % {"kpi": kpi_label(kind.removeprefix("kpi_"))}
    return str(VIOLATION_KIND_LABELS.get(kind, kind))


# --- VIO-2, VIO-3: penalty thresholds ---------------------------------------------------------------


@dataclass(frozen=True)
class PenaltyThreshold:
    """Reaching ``points`` in ``track`` within a calendar year imposes ``measure`` for ``days``.

    ``days`` is None for a ban (permanent) and 0 for a warning (nothing to lift).
    """

    track: str
    points: int
    measure: str  # Penalty.Measure value
    days: int | None


def penalty_thresholds(track: str) -> list[PenaltyThreshold]:
    """VIO-2: the thresholds of ``track`` in ``settings.MERCHANT_PENALTY_THRESHOLDS``, lowest first."""
    table = (PenaltyThreshold(*row) for row in settings.MERCHANT_PENALTY_THRESHOLDS)
    return sorted((t for t in table if t.track == track), key=lambda t: t.points)


# --- REP-3: the credit formula (docs/credit-formula.md) -----------------------------------------------


@dataclass(frozen=True)
class CreditPolicy:
    window_days: int  # ratings and rates are read over this many days
    weights: dict[str, Decimal]  # component -> weight; the weights sum to 1
    neutral: Decimal  # a component with no data yet scores this (0-100)
    complaint_rate_at_zero: Decimal  # a complaint rate this high scores 0
    dispute_loss_rate_at_zero: Decimal  # a dispute loss rate this high scores 0
    points_at_zero: int  # this many violation points in the last 365 days score 0
    grades: tuple[tuple[Decimal, int], ...]  # (minimum score, grade), highest first
    history_days: int  # snapshots are kept this long (the published history)


CREDIT_POLICY = CreditPolicy(
    window_days=180,
    weights={
        "ratings": Decimal("0.35"),
        "on_time_shipping": Decimal("0.15"),
        "aftersales_response": Decimal("0.15"),
        "complaints": Decimal("0.10"),
        "dispute_losses": Decimal("0.10"),
        "violations": Decimal("0.15"),
    },
    neutral=Decimal("70"),
    complaint_rate_at_zero=Decimal("0.05"),
    dispute_loss_rate_at_zero=Decimal("0.02"),
    points_at_zero=48,
    grades=(
        (Decimal("90"), 5),
        (Decimal("80"), 4),
        (Decimal("70"), 3),
        (Decimal("60"), 2),
        (Decimal("0"), 1),
    ),
    history_days=365,
)

#: REP-3: grade names, shown with the grade.
CREDIT_GRADE_NAMES: dict[int, str] = {1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}

#: REP-3: the grade a merchant has before its first computation (the grade of an all-neutral score).
CREDIT_DEFAULT_GRADE = 3


def credit_policy() -> CreditPolicy:
    """REP-3: the credit formula's policy (``CREDIT_POLICY``)."""
    return CREDIT_POLICY


# --- VIO-6: KPIs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiPolicy:
    """A rolling-30-day KPI: ``numerator / denominator × scale`` over the figures of ``KPI_SOURCES``.

    ``higher_is_better``: below ``warning``/``limit`` is bad (rates of good things); otherwise above is
    bad. A KPI over fewer than ``min_sample`` cases is shown but never judged.
    """

    numerator: str
    denominator: str
    scale: Decimal
    higher_is_better: bool
    warning: Decimal
    limit: Decimal
    min_sample: int
    violation_kind: str


KPI_WINDOW_DAYS = 30

KPI_POLICY: dict[str, KpiPolicy] = {
    "late_shipment_rate": KpiPolicy(
        "shipments_late",
        "shipments",
        Decimal(1),
        False,
        Decimal("0.08"),
        Decimal("0.10"),
        10,
        "kpi_late_shipment_rate",
    ),
    "aftersales_response_rate": KpiPolicy(
        "aftersales_responded_in_time",
        "aftersales_requests",
        Decimal(1),
        True,
        Decimal("0.90"),
        Decimal("0.80"),
        5,
        "kpi_aftersales_response_rate",
    ),
    "aftersales_response_hours": KpiPolicy(
        "aftersales_response_seconds",
        "aftersales_responded",
        Decimal(1) / Decimal(3600),
        False,
        Decimal("36"),
        Decimal("48"),
        5,
        "kpi_aftersales_response_hours",
    ),
    "message_response_hours": KpiPolicy(
        "message_response_seconds",
        "messages_responded",
        Decimal(1) / Decimal(3600),
        False,
        Decimal("12"),
        Decimal("24"),
        10,
        "kpi_message_response_hours",
    ),
    "complaint_rate": KpiPolicy(
        "complaints",
        "orders",
        Decimal(1),
        False,
        Decimal("0.01"),
        Decimal("0.02"),
        20,
        "kpi_complaint_rate",
    ),
    "dispute_rate": KpiPolicy(
        "disputes", "orders", Decimal(1), False, Decimal("0.005"), Decimal("0.01"), 20, "kpi_dispute_rate"
    ),
    "tracking_rate": KpiPolicy(
        "shipments_tracked",
        "shipments",
        Decimal(1),
        True,
        Decimal("0.95"),
        Decimal("0.90"),
        10,
        "kpi_tracking_rate",
    ),
    # ORD-10: delivery cases the merchant let lapse (not resolved within 48 hours) per shipment
    "delivery_case_rate": KpiPolicy(
        "delivery_cases_lapsed",
        "shipments",
        Decimal(1),
        False,
        Decimal("0.01"),
        Decimal("0.02"),
        10,
        "kpi_delivery_case_rate",
    ),
}


#: VIO-6: each KPI's name as a merchant reads it (notifications, seller centre, API)
KPI_LABELS: dict[str, "StrOrPromise"] = {
    "late_shipment_rate": gettext_lazy("Late shipment rate"),
    "aftersales_response_rate": gettext_lazy("After-sales response rate"),
    "aftersales_response_hours": gettext_lazy("After-sales response time"),
    "message_response_hours": gettext_lazy("Message response time"),
    "complaint_rate": gettext_lazy("Complaint rate"),
    "dispute_rate": gettext_lazy("Dispute rate"),
    "tracking_rate": gettext_lazy("Tracking upload rate"),
    "delivery_case_rate": gettext_lazy("Lapsed delivery case rate"),
}


def kpi_label(name: str) -> str:
    """The KPI's translated name; the key itself for a KPI without one."""
    return str(KPI_LABELS.get(name, name))


def kpi_format(name: str, value: Decimal | None) -> str:
    """A KPI value as a merchant reads it: rates in per cent, times in hours, two decimals."""
    if value is None:
        return "—"
    if name.endswith("_hours"):
        return gettext("%(hours)s hours") % {"hours": f"{value:.2f}"}
    return f"{value * 100:.2f}%"


def kpi_policy() -> dict[str, KpiPolicy]:
    """VIO-6: the KPIs' policy (``KPI_POLICY``)."""
    return KPI_POLICY
