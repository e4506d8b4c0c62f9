"""The simulation report as one self-contained HTML page: inline SVG charts, no script, no CDN (OPS-1)."""

from decimal import Decimal
from html import escape
from typing import Any

WIDTH, HEIGHT, PAD = 640, 200, 36
COLOURS = {"met": "#2e7d32", "late": "#f9a825", "enforced": "#c62828", "bar": "#1565c0", "alt": "#6a1b9a"}


def _bars(title: str, labels: list[str], values: list[float], *, colour: str, unit: str = "") -> str:
    """A bar chart of one series, with the value over each bar and every label under it."""
    top = max(values, default=0) or 1
    step = (WIDTH - 2 * PAD) / max(len(values), 1)
    parts = [
        f"<figure><figcaption>{escape(title)}</figcaption>"
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT + 40}" role="img" aria-label="{escape(title)}">'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = (HEIGHT - PAD) * value / top
        x = PAD + i * step
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{HEIGHT - h:.1f}" width="{max(step - 4, 1):.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{escape(label)}: {value:g}{unit}</title></rect>'
            f'<text x="{x + step / 2:.1f}" y="{HEIGHT - h - 4:.1f}" text-anchor="middle">{value:g}</text>'
            f'<text x="{x + step / 2:.1f}" y="{HEIGHT + 16}" text-anchor="middle" class="label">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{PAD}" y1="{HEIGHT}" x2="{WIDTH - PAD}" y2="{HEIGHT}" stroke="#999"/></svg></figure>'
    )
    return "".join(parts)


def _stacked(title: str, rows: dict[str, dict[str, Any]]) -> str:
    """Horizontal stacked bars: per deadline rule, met on time / met late / enforced by the engine."""
    keys = (("met_on_time", "met"), ("met_late", "late"), ("enforced", "enforced"))
    top = max((sum(r[k] for k, _c in keys) for r in rows.values()), default=0) or 1
    row_h, label_w = 22, 260
    height = row_h * len(rows) + 30
    parts = [
        f"<figure><figcaption>{escape(title)}</figcaption>"
        f'<svg viewBox="0 0 {WIDTH + label_w} {height}" role="img" aria-label="{escape(title)}">'
    ]
    for i, (rule, row) in enumerate(rows.items()):
        y, x = i * row_h + 4, float(label_w)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" class="label">{escape(rule)}</text>'
        )
        for key, colour in keys:
            w = (WIDTH - PAD) * row[key] / top
            if w:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 6}" fill="{COLOURS[colour]}">'
                    f"<title>{escape(rule)} {key}: {row[key]}</title></rect>"
                )
            x += w
    legend_y = height - 8
    parts.append(
        "".join(
            f'<rect x="{label_w + i * 110}" y="{legend_y - 10}" width="10" height="10" fill="{COLOURS[c]}"/>'
            f'<text x="{label_w + i * 110 + 14}" y="{legend_y}" class="label">{k.replace("_", " ")}</text>'
            for i, (k, c) in enumerate(keys)
        )
    )
    parts.append("</svg></figure>")
    return "".join(parts)


def report_html(report: dict[str, Any]) -> str:
    """One page: headline figures, daily charts, the deadline table as a chart, credit by behaviour, checks."""
    f, c, t = report["figures"], report["config"], report["timings"]
    daily = report["daily"]
    labels = [d["date"][5:] for d in daily]
    credit = {k: v["mean_grade"] or 0 for k, v in f["credit_by_behaviour"].items()}
    checks = "".join(
        f'<tr class="{escape(ch["status"])}"><td>{escape(ch["status"])}</td><td>{escape(ch["name"])}</td>'
        f"<td>{escape(ch['rule'])}</td><td>{escape(ch['detail'])}</td></tr>"
        for ch in report["checks"]
    )
    verdict = "OK" if report["ok"] else "FAILED"
    return f"""<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>Simulation seed {c["seed"]}: {verdict}</title>
<style>
body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}}
figure{{margin:1.5rem 0}} figcaption{{font-weight:600;margin-bottom:.3rem}} svg{{width:100%;height:auto;font-size:11px}}
.label{{fill:#555}} table{{border-collapse:collapse;width:100%}} td,th{{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}}
tr.failed td:first-child{{color:#c62828;font-weight:700}} tr.passed td:first-child{{color:#2e7d32}}
</style></head><body>
<h1>Simulation: {c["days"]} days, {f["merchants"]} merchants, {f["customers"]} customers, seed {c["seed"]} — {verdict}</h1>
<p>Orders {f["orders"]} (paid {f["orders_paid"]}) · GMV ¥{escape(f["gmv"])} · refunds {f["refunds"]} = ¥{escape(f["refunded"])}
 · commissions ¥{escape(f["commissions"])} · late-shipment compensation ¥{escape(f["late_shipment_compensation"])}
 · wall {t["wall_seconds"]} s</p>
{_bars("Orders placed per day", labels, [d["orders"] for d in daily], colour=COLOURS["bar"])}
{_bars("GMV paid per day (¥)", labels, [float(Decimal(d["gmv"])) for d in daily], colour=COLOURS["alt"])}
{_bars("Refunded per day (¥)", labels, [float(Decimal(d["refunded"])) for d in daily], colour=COLOURS["late"])}
{_bars("Violations recorded per day", labels, [d["violations"] for d in daily], colour=COLOURS["enforced"])}
{_stacked("Deadlines by rule: met on time, met late, enforced by the engine", report["deadlines"])}
{_bars("Mean credit grade by merchant behaviour", list(credit), [float(v) for v in credit.values()], colour=COLOURS["met"])}
<h2>Checks</h2><table><tr><th>status</th><th>check</th><th>rule</th><th>detail</th></tr>{checks}</table>
</body></html>
"""
