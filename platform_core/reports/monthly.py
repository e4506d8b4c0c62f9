"""AUD-4: the figures of the monthly compliance report and its PDF (ReportLab, with a bar chart)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.encoding import force_str

from platform_core import clock
from platform_core.audit.models import AuditEntry
from platform_core.audit.selectors import audit_chain_verify
from platform_core.deadlines.registry import rules_all
from platform_core.deadlines.selectors import deadline_sla_figures
from platform_core.ledger.models import LedgerTransaction
from platform_core.ledger.selectors import ledger_verify
from platform_core.reports import renderers
from platform_core.reports.registry import ReportFilters, monthly_sections
from platform_core.reports.reports import on_time_rate, trial_balance_rows


def figures(*, since: datetime, until: datetime) -> dict[str, Any]:
    """Everything the monthly PDF shows, for deadlines and money of ``[since, until)``."""
    chain = audit_chain_verify()
    ledger = ledger_verify()
    filters = ReportFilters.for_period(since=since, until=until)
    balance = list(trial_balance_rows(filters))
    sla = deadline_sla_figures(since=since, until=until)
    return {
        "period": {"since": since.isoformat(), "until": until.isoformat()},
        "audit": {
            "ok": chain.ok,
            "checked": chain.count,
            "first_broken_id": chain.first_broken_id,
            "reason": chain.reason,
            "entries_in_month": AuditEntry.objects.filter(at__gte=since, at__lt=until).count(),
        },
        "ledger": {
            "ok": ledger.ok,
            "problems": ledger.problems[:20],
            "transactions": ledger.transactions,
            "accounts": ledger.accounts,
            "transactions_in_month": LedgerTransaction.objects.filter(
                created_at__gte=since, created_at__lt=until
            ).count(),
            "trial_balance": [
                {
                    "kind": row["kind"],
                    "accounts": row["accounts"],
                    "debits": row["debits"],
                    "credits": row["credits"],
                    "net": row["net"],
                }
                for row in balance
            ],
        },
        "deadlines": [
            {
                "rule": row.rule,
                "total": row.total,
                "pending": row.pending,
                "met_on_time": row.met_on_time,
                "met_late": row.met_late,
                "enforced": row.enforced,
                "cancelled": row.cancelled,
                "on_time_rate": on_time_rate(row),
                "lateness_p50": row.lateness_p50,
                "lateness_p95": row.lateness_p95,
            }
            for row in sla
        ],
        "sections": [
            {
                "name": name,
                "title": force_str(section.title),
                "rows": [[force_str(k), v] for k, v in section.rows],
            }
            for name, source in monthly_sections()
            for section in [source(since, until)]
        ],
    }


def jsonable(value: Any) -> Any:
    """Figures as JSON (decimals and durations as text) for ``MonthlyReport.summary``."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal | timedelta | datetime | date):
        return renderers.text(value)
    return value


def _rate_text(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _chart(deadlines: list[dict[str, Any]]) -> Any:
    """A bar chart of the on-time rate per rule (%)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    rated = [row for row in deadlines if row["on_time_rate"] is not None]
    drawing = Drawing(720, 230)
    drawing.add(
        String(10, 215, "On-time rate per deadline rule (%)", fontName=renderers.PDF_FONT, fontSize=9)
    )
    if not rated:
        drawing.add(
            String(10, 120, "No deadline came due this month.", fontName=renderers.PDF_FONT, fontSize=9)
        )
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 70, 640, 130
    chart.data = [[float(row["on_time_rate"] * 100) for row in rated]]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.categoryAxis.categoryNames = [row["rule"] for row in rated]
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = 6
    chart.bars[0].fillColor = colors.HexColor("#3366aa")
    drawing.add(chart)
    return drawing


def write_pdf(path: Path, *, month: date, figures: dict[str, Any], appendices: list[dict[str, Any]]) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = renderers.pdf_styles()
    text = renderers.text
    descriptions = {rule.name: rule.description for rule in rules_all()}
    audit, ledger = figures["audit"], figures["ledger"]
    story: list[Any] = [
        Paragraph(f"Monthly compliance report {month:%Y-%m}", styles["Title"]),
        Paragraph(
            f"Generated {text(clock.now())} · period {figures['period']['since']} – "
            f"{figures['period']['until']}",
            styles["Normal"],
        ),
        Spacer(1, 8),
        Paragraph("Integrity checks", styles["Heading2"]),
        renderers.pdf_table(
            [
                ["Check", "Result", "Detail"],
                [
                    "Audit log hash chain (AUD-1)",
                    "OK" if audit["ok"] else "BROKEN",
                    f"{audit['checked']} entries checked; {audit['entries_in_month']} this month"
                    + (
                        ""
                        if audit["ok"]
                        else f"; first broken #{audit['first_broken_id']}: {audit['reason']}"
                    ),
                ],
                [
                    "Ledger (PAY-1)",
                    "OK" if ledger["ok"] else "PROBLEMS",
                    f"{ledger['transactions']} transactions, {ledger['accounts']} accounts; "
                    f"{ledger['transactions_in_month']} this month"
                    + ("" if ledger["ok"] else "; " + "; ".join(ledger["problems"][:5])),
                ],
            ]
        ),
        Spacer(1, 8),
        Paragraph("Deadlines: SLA per rule (OPS-1)", styles["Heading2"]),
        renderers.pdf_table(
            [
                [
                    "Rule",
                    "What",
                    "Due",
                    "On time",
                    "Late",
                    "Enforced",
                    "Cancelled",
                    "Pending",
                    "On-time rate",
                    "Lateness p50",
                    "p95",
                ]
            ]
            + [
                [
                    row["rule"],
                    force_str(descriptions.get(row["rule"], ""))[:60],
                    row["total"],
                    row["met_on_time"],
                    row["met_late"],
                    row["enforced"],
                    row["cancelled"],
                    row["pending"],
                    _rate_text(row["on_time_rate"]),
                    text(row["lateness_p50"]),
                    text(row["lateness_p95"]),
                ]
                for row in figures["deadlines"]
            ]
        ),
        Spacer(1, 6),
        _chart(figures["deadlines"]),
        Paragraph("Trial balance: movements of the month per account kind", styles["Heading2"]),
        renderers.pdf_table(
            [["Account kind", "Accounts", "Out (debits)", "In (credits)", "Net"]]
            + [
                [row["kind"], row["accounts"], text(row["debits"]), text(row["credits"]), text(row["net"])]
                for row in ledger["trial_balance"]
            ]
        ),
    ]
    for section in figures["sections"]:
        story += [
            Paragraph(section["title"], styles["Heading2"]),
            renderers.pdf_table([[label, text(value)] for label, value in section["rows"]], header=False),
        ]
    story += [
        Paragraph("Appendices (CSV)", styles["Heading2"]),
        renderers.pdf_table(
            [["Appendix", "Rows", "SHA-256"]]
            + [[f"{a['code']}-{month:%Y-%m}.csv", a["rows"], a["sha256"]] for a in appendices]
        ),
    ]
    SimpleDocTemplate(str(path), pagesize=landscape(A4), title=f"Compliance {month:%Y-%m}").build(story)
