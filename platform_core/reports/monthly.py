"""AUD-4: the figures of the monthly compliance report and its PDF (ReportLab, with a bar chart)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.audit.models import AuditEntry
from platform_core.audit.selectors import audit_chain_verify
from platform_core.deadlines.registry import rules_all
from platform_core.deadlines.selectors import deadline_sla_figures
from platform_core.ledger.models import AccountKind, LedgerTransaction
from platform_core.ledger.selectors import ledger_verify
from platform_core.reports import renderers
from platform_core.reports.registry import ReportFilters, monthly_sections
from platform_core.reports.reports import TOTAL, on_time_rate, trial_balance_rows


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


def _account_kind(kind: str) -> str:
    """An account kind by its label in the reader's language (the code if no longer known)."""
    if kind == TOTAL:
        return _("Total")
    return str(AccountKind(kind).label) if kind in AccountKind.values else kind


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
        String(10, 215, _("On-time rate per deadline rule (%)"), fontName=renderers.PDF_FONT, fontSize=9)
    )
    if not rated:
        drawing.add(
            String(10, 120, _("No deadline came due this month."), fontName=renderers.PDF_FONT, fontSize=9)
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
        Paragraph(_("Monthly compliance report %(month)s") % {"month": f"{month:%Y-%m}"}, styles["Title"]),
        Paragraph(
            _("Generated %(at)s · period %(since)s – %(until)s")
            % {
                "at": text(clock.now()),
                "since": figures["period"]["since"],
                "until": figures["period"]["until"],
            },
            styles["Normal"],
        ),
        Spacer(1, 8),
        Paragraph(_("Integrity checks"), styles["Heading2"]),
        renderers.pdf_table(
            [
                [_("Check"), _("Result"), _("Detail")],
                [
                    _("Audit log hash chain (AUD-1)"),
                    _("OK") if audit["ok"] else _("BROKEN"),
                    _("%(checked)s entries checked; %(month)s this month")
                    % {"checked": audit["checked"], "month": audit["entries_in_month"]}
                    + (
                        ""
                        if audit["ok"]
                        else _("; first broken #%(id)s: %(reason)s")
                        % {"id": audit["first_broken_id"], "reason": audit["reason"]}
                    ),
                ],
                [
                    _("Ledger (PAY-1)"),
                    _("OK") if ledger["ok"] else _("PROBLEMS"),
                    _("%(transactions)s transactions, %(accounts)s accounts; %(month)s this month")
                    % {
                        "transactions": ledger["transactions"],
                        "accounts": ledger["accounts"],
                        "month": ledger["transactions_in_month"],
                    }
                    + ("" if ledger["ok"] else "; " + "; ".join(ledger["problems"][:5])),
                ],
            ]
        ),
        Spacer(1, 8),
        Paragraph(_("Deadlines: SLA per rule (OPS-1)"), styles["Heading2"]),
        renderers.pdf_table(
            [
                [
                    _("Rule"),
                    _("What"),
                    _("Due"),
                    _("On time"),
                    _("Late"),
                    _("Enforced"),
                    _("Cancelled"),
                    _("Pending"),
                    _("On-time rate"),
                    _("Lateness p50"),
                    _("p95"),
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
        Paragraph(_("Trial balance: movements of the month per account kind"), styles["Heading2"]),
        renderers.pdf_table(
            [[_("Account kind"), _("Accounts"), _("Out (debits)"), _("In (credits)"), _("Net")]]
            + [
                [
                    _account_kind(row["kind"]),
                    row["accounts"],
                    text(row["debits"]),
                    text(row["credits"]),
                    text(row["net"]),
                ]
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
        Paragraph(_("Appendices (CSV)"), styles["Heading2"]),
        renderers.pdf_table(
            [[_("Appendix"), _("Rows"), "SHA-256"]]
            + [[f"{a['code']}-{month:%Y-%m}.csv", a["rows"], a["sha256"]] for a in appendices]
        ),
    ]
    SimpleDocTemplate(
        str(path),
        pagesize=landscape(A4),
        title=_("Monthly compliance report %(month)s") % {"month": f"{month:%Y-%m}"},
    ).build(story)
