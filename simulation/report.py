"""The simulation's report: figures, the deadline table (OPS-1 SLA figures), checks and timings, as a
JSON-ready dict and as a readable table."""

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import mean
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from merchants.models import Merchant, Violation
from orders.models import Order, OrderEvent, Refund
from platform_core.deadlines.selectors import deadline_sla_figures
from platform_core.ledger.models import AccountKind
from platform_core.ledger.selectors import ledger_balance
from platform_core.ledger.services import ledger_account_for
from simulation.results import FAILED, CheckResult

if TYPE_CHECKING:
    from simulation.engine import Simulation
    from simulation.setup import Population

#: Report keys that measure the machine, not the simulated world (left out of determinism comparisons).
TIMING_KEYS = ("timings",)


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds(), 1)


def _money(value: Decimal | None) -> str:
    return str((value or Decimal("0")).quantize(Decimal("0.01")))


def _balance(kind: str) -> Decimal:
    return ledger_balance(ledger_account_for(kind=kind))


def report_build(
    *, simulation: "Simulation", population: "Population", checks: list[CheckResult], wall_seconds: float
) -> dict[str, Any]:
    config, tally = simulation.config, simulation.tally
    start, end = config.start, simulation.end
    orders = Order.objects.filter(created_at__gte=start)
    paid = orders.filter(paid_at__isnull=False)
    refunds = Refund.objects.filter(order__created_at__gte=start, kind=Refund.Kind.REFUND)  # not compensation
    compensation = sum(
        (
            Decimal(str(data.get("compensation", "0")))
            for data in OrderEvent.objects.filter(
                order__created_at__gte=start, action="ship_by_missed"
            ).values_list("data", flat=True)
        ),
        Decimal("0"),
    )
    statuses = Counter(orders.values_list("status", flat=True))
    deadlines = {
        row.rule: {
            "met_on_time": row.met_on_time,
            "met_late": row.met_late,
            "enforced": row.enforced,
            "cancelled": row.cancelled,
            "pending": row.pending,
            "lateness_p50_s": _seconds(row.lateness_p50),
            "lateness_p95_s": _seconds(row.lateness_p95),
            "lateness_max_s": _seconds(row.lateness_max),
        }
        for row in deadline_sla_figures(since=start, until=end)
    }
    grades = {m.pk: m for m in Merchant.objects.filter(pk__in=[a.merchant.pk for a in population.merchants])}
    credit: dict[str, dict[str, Any]] = {}
    for kind in sorted({a.kind for a in population.merchants}):
        members = [grades[a.merchant.pk] for a in population.merchants if a.kind == kind]
        known = [m.credit_grade for m in members if m.credit_grade is not None]
        credit[kind] = {
            "merchants": len(members),
            "mean_grade": round(mean(known), 2) if known else None,
            "statuses": dict(sorted(Counter(m.status for m in members).items())),
        }
    services = tally.service_seconds
    return {
        "daily": _daily(start=start, end=end),
        "config": config.as_dict(),
        "figures": {
            "merchants": len(population.merchants),
            "customers": len(population.customers),
            "orders": orders.count(),
            "orders_paid": paid.count(),
            "order_statuses": dict(sorted(statuses.items())),
            "gmv": _money(paid.aggregate(total=Sum("total"))["total"]),
            "refunds": refunds.count(),
            "refunded": _money(refunds.aggregate(total=Sum("amount"))["total"]),
            "commissions": _money(_balance(AccountKind.PLATFORM_COMMISSION)),
            "penalties": _money(_balance(AccountKind.PENALTY_INCOME)),
            "late_shipment_compensation": _money(compensation),
            "violations": dict(
                sorted(
                    Counter(
                        Violation.objects.filter(created_at__gte=start).values_list("kind", flat=True)
                    ).items()
                )
            ),
            "actions": dict(sorted(tally.counts.items())),
            "credit_by_behaviour": credit,
        },
        "deadlines": deadlines,
        "checks": [{"name": c.name, "rule": c.rule, "status": c.status, "detail": c.detail} for c in checks],
        "ok": not any(c.status == FAILED for c in checks),
        "timings": {
            "wall_seconds": round(wall_seconds, 2),
            "setup_seconds": round(tally.setup_seconds, 2),
            "sweep_seconds": round(tally.sweep_seconds, 2),
            "service_seconds": round(services, 2),
            "orders_per_wall_second": round(orders.count() / wall_seconds, 2) if wall_seconds else None,
        },
    }


def _daily(*, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Per simulated day (local time): orders placed, GMV paid, refunds, violations (for the charts)."""
    tz = timezone.get_current_timezone()
    rows: dict[date, dict[str, Any]] = {}
    day = timezone.localtime(start, tz).date()
    while day <= timezone.localtime(end, tz).date():
        rows[day] = {"date": day.isoformat(), "orders": 0, "gmv": "0.00", "refunded": "0.00", "violations": 0}
        day += timedelta(days=1)

    def by_day(queryset: Any, field: str, **aggregate: Any) -> Any:
        return (
            queryset.annotate(day=TruncDate(field, tzinfo=tz))
            .values("day")
            .annotate(**aggregate)
            .order_by("day")
        )

    for row in by_day(Order.objects.filter(created_at__gte=start), "created_at", n=Count("pk")):
        rows[row["day"]]["orders"] = row["n"]
    for row in by_day(
        Order.objects.filter(created_at__gte=start, paid_at__isnull=False), "paid_at", t=Sum("total")
    ):
        rows[row["day"]]["gmv"] = _money(row["t"])
    refunded = Refund.objects.filter(order__created_at__gte=start, kind=Refund.Kind.REFUND)
    for row in by_day(refunded, "created_at", t=Sum("amount")):
        rows[row["day"]]["refunded"] = _money(row["t"])
    for row in by_day(Violation.objects.filter(created_at__gte=start), "created_at", n=Count("pk")):
        rows[row["day"]]["violations"] = row["n"]
    return [rows[d] for d in sorted(rows)]


def report_table(report: dict[str, Any]) -> str:
    """The report as plain text for stdout."""
    f, t = report["figures"], report["timings"]
    c = report["config"]
    lines = [
        f"Simulation: {c['days']} days, {f['merchants']} merchants, {f['customers']} customers, seed {c['seed']}",
        "",
        f"  orders {f['orders']} (paid {f['orders_paid']})   GMV {f['gmv']}   refunds {f['refunds']} = {f['refunded']}",
        f"  commissions {f['commissions']}   penalties {f['penalties']}   "
        f"late-shipment compensation {f['late_shipment_compensation']}",
        "  order statuses: " + ", ".join(f"{k} {v}" for k, v in f["order_statuses"].items()),
        "  violations: " + (", ".join(f"{k} {v}" for k, v in f["violations"].items()) or "none"),
        "  credit by behaviour: "
        + ", ".join(f"{k} {v['mean_grade']}" for k, v in f["credit_by_behaviour"].items()),
        "",
        f"  {'deadline rule':34} {'met':>5} {'late':>5} {'enforced':>8} {'cancel':>6} {'pending':>7}"
        f" {'p50 s':>8} {'p95 s':>8} {'max s':>8}",
    ]
    for rule, row in report["deadlines"].items():
        lines.append(
            f"  {rule:34} {row['met_on_time']:>5} {row['met_late']:>5} {row['enforced']:>8} {row['cancelled']:>6}"
            f" {row['pending']:>7} {_cell(row['lateness_p50_s'])} {_cell(row['lateness_p95_s'])}"
            f" {_cell(row['lateness_max_s'])}"
        )
    lines += ["", "  checks:"]
    for check in report["checks"]:
        lines.append(
            f"    [{check['status'].upper():7}] {check['name']} ({check['rule']}): {check['detail']}"
        )
    lines += [
        "",
        f"  wall {t['wall_seconds']} s (setup {t['setup_seconds']} s, services {t['service_seconds']} s, "
        f"sweeper {t['sweep_seconds']} s); {t['orders_per_wall_second']} orders per wall-clock second",
        "  result: " + ("OK" if report["ok"] else "FAILED"),
    ]
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return f"{'-' if value is None else value:>8}"
