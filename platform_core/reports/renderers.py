"""Turning a report's rows into bytes: streamed CSV, XLSX (constant memory) and PDF (AUD-3).

No database writes here: the services around these functions keep the export log. Every function walks
the row source once, in chunks (``QuerySet.iterator``), so memory stays flat however many rows there are.
"""

import csv
import io
import json
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import escape
from django.utils.translation import gettext as _

from platform_core import clock
from platform_core.reports.fonts import PDF_FONT, register_pdf_font
from platform_core.reports.registry import ReportDefinition, ReportFilters

BOM = "\ufeff"  # Excel opens UTF-8 CSV as UTF-8 only with it
CSV_FLUSH_BYTES = 64 * 1024
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[int], None]


def iter_source(definition: ReportDefinition, filters: ReportFilters) -> Iterator[Any]:
    """The report's rows, fetched ``REPORTS_CHUNK_SIZE`` at a time (a server-side cursor on PostgreSQL)."""
    source = definition.rows(filters)
    rows = (
        source.iterator(chunk_size=settings.REPORTS_CHUNK_SIZE)
        if isinstance(source, QuerySet)
        else iter(source)
    )
    return rows if definition.prepare is None else _prepared(rows, definition.prepare)


def _prepared(rows: Iterator[Any], prepare: Callable[[list[Any]], None]) -> Iterator[Any]:
    """Issue 21: the rows a chunk at a time, each chunk completed by the report's ``prepare``."""
    while chunk := list(islice(rows, settings.REPORTS_CHUNK_SIZE)):
        prepare(chunk)
        yield from chunk


def count_source(definition: ReportDefinition, filters: ReportFilters) -> int | None:
    """Rows expected, for progress; ``None`` if the source is not a queryset."""
    source = definition.rows(filters)
    return source.count() if isinstance(source, QuerySet) else None


def _value(row: Any, key: str, index: int) -> Any:
    if isinstance(row, Mapping):
        return row.get(key)
    if isinstance(row, Sequence) and not isinstance(row, str):
        return row[index]
    value = row
    for part in key.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def iter_cells(definition: ReportDefinition, filters: ReportFilters, *, masked: bool) -> Iterator[list[Any]]:
    """Each row as a list of values in column order, personal data masked when ``masked`` (SEC-2)."""
    columns = list(enumerate(definition.columns))
    for row in iter_source(definition, filters):
        cells = []
        for index, column in columns:
            value = column.value(row) if column.value is not None else _value(row, column.key, index)
            if masked and column.mask is not None:
                value = column.mask(
                    value if value is None or isinstance(value, dict | list) else force_str(value)
                )
            cells.append(value)
        yield cells


def value_labels(definition: ReportDefinition) -> dict[int, dict[str, Any]]:
    """Issue 21: column index -> {stored value: its label} for each column whose values a filter of the report
    offers as choices. XLSX and PDF show the label in the reader's language (状态：调解); CSV keeps the
    stored value, for machines."""
    choices = {
        f.name: dict(f.choice_list() or []) for f in definition.filters_shown() if f.choices is not None
    }
    return {i: choices[column.key] for i, column in enumerate(definition.columns) if column.key in choices}


def labelled(cells: list[Any], labels: dict[int, dict[str, Any]]) -> list[Any]:
    for index, mapping in labels.items():
        if isinstance(cells[index], str) and cells[index] in mapping:
            cells[index] = force_str(mapping[cells[index]])
    return cells


def headers(definition: ReportDefinition) -> list[str]:
    return [force_str(column.header) for column in definition.columns]


def text(value: Any) -> str:
    """One cell as text: local times, exact decimals, no spreadsheet formulas (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float):
        return str(value)
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    result = force_str(value)
    if result.startswith(_FORMULA_PREFIXES) and not _is_number(result):
        return "'" + result
    return result


def _is_number(value: str) -> bool:
    try:
        Decimal(value)
    except ArithmeticError:
        return False
    return True


def _duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


# --- CSV ----------------------------------------------------------------------------------------------


def csv_chunks(
    definition: ReportDefinition, filters: ReportFilters, *, masked: bool
) -> Generator[tuple[bytes, int]]:
    """UTF-8 CSV (with BOM) in pieces of about 64 KiB: ``(bytes, rows in this piece)``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(headers(definition))
    yield buffer.getvalue().encode("utf-8"), 0
    buffer.seek(0)
    buffer.truncate()
    rows = 0
    for cells in iter_cells(definition, filters, masked=masked):
        writer.writerow([text(value) for value in cells])
        rows += 1
        if buffer.tell() >= CSV_FLUSH_BYTES:
            yield buffer.getvalue().encode("utf-8"), rows
            buffer.seek(0)
            buffer.truncate()
            rows = 0
    if buffer.tell() or rows:
        yield buffer.getvalue().encode("utf-8"), rows


def write_csv(
    path: Path, definition: ReportDefinition, filters: ReportFilters, *, masked: bool, progress: Progress
) -> int:
    rows = 0
    with path.open("wb") as out:
        for data, n in csv_chunks(definition, filters, masked=masked):
            out.write(data)
            if n:
                rows += n
                progress(rows)
    return rows


# --- XLSX ---------------------------------------------------------------------------------------------


def write_xlsx(
    path: Path, definition: ReportDefinition, filters: ReportFilters, *, masked: bool, progress: Progress
) -> int:
    """XlsxWriter in ``constant_memory`` mode: each row is flushed to disk as it is written.

    Money goes in as numbers (so auditors can sum it) with two decimals shown; a double holds every
    amount below 10^13 yuan to the cent exactly.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    try:
        sheet = workbook.add_worksheet(definition.code[:31])
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "0.00"})
        sheet.write_row(0, 0, headers(definition), bold)
        sheet.freeze_panes(1, 0)
        rows = 0
        step = settings.REPORTS_CHUNK_SIZE
        labels = value_labels(definition)
        for rows, cells in enumerate(iter_cells(definition, filters, masked=masked), start=1):
            for col, value in enumerate(labelled(cells, labels)):
                if isinstance(value, Decimal):
                    sheet.write_number(rows, col, float(value), money)
                elif isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(rows, col, value)
                else:
                    sheet.write_string(rows, col, text(value))
            if rows % step == 0:
                progress(rows)
        progress(rows)
    finally:
        workbook.close()
    return rows


# --- PDF ----------------------------------------------------------------------------------------------


#: a PDF cell longer than this is cut (a row must fit a page; the full text is in the CSV/XLSX export)
PDF_CELL_MAX = 160


def _pdf_font() -> None:
    register_pdf_font()  # AUD-3: a TrueType CJK font, its glyphs embedded (decision 042)


def pdf_styles() -> Any:
    from reportlab.lib.styles import getSampleStyleSheet

    _pdf_font()
    styles = getSampleStyleSheet()
    for name in ("Title", "Heading2", "Heading3", "Normal", "BodyText"):
        styles[name].fontName = PDF_FONT
    return styles


def filters_in_words(definition: ReportDefinition, filters: ReportFilters) -> str:
    """Issue 21: the filters as the reports page labels them ("日期：2026-01-01 至 2026-01-31；状态：已关闭"),
    not their JSON."""
    parts = []
    if filters.date_from or filters.date_to:
        dates = {"start": filters.date_from or "…", "end": filters.date_to or "…"}
        parts.append(str(_("Dates: %(start)s to %(end)s") % dates))
    for spec in definition.filters_shown():
        value = filters.extra.get(spec.name)
        if value:
            shown = dict(spec.choice_list() or []).get(value, value)
            parts.append(f"{force_str(spec.label)}：{force_str(shown)}")
    return "；".join(parts) or str(_("none"))


def _wrapped(data: list[list[str]], font_size: float) -> list[list[Any]]:
    """Cells as paragraphs that break anywhere (CJK rules: a hash or an action name wraps too)."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    _pdf_font()
    style = ParagraphStyle(
        "cell", fontName=PDF_FONT, fontSize=font_size, leading=font_size + 1.5, wordWrap="CJK"
    )
    cut = [
        [cell if len(cell) <= PDF_CELL_MAX else cell[: PDF_CELL_MAX - 1] + "…" for cell in row]
        for row in data
    ]
    return [[Paragraph(escape(cell), style) for cell in row] for row in cut]


def pdf_table(data: list[list[str]], *, header: bool = True, width: float | None = None) -> Any:
    """A table; given the page's ``width``, its columns share it and their cells wrap (issue 21: the audit
    log's twelve columns ran off the page)."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    columns = max((len(row) for row in data), default=1)
    if width is None:
        table = Table(data, repeatRows=1 if header else 0)
    else:
        table = Table(_wrapped(data, 7), repeatRows=1 if header else 0, colWidths=[width / columns] * columns)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), PDF_FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey))
    table.setStyle(TableStyle(style))
    return table


def write_pdf(
    path: Path, definition: ReportDefinition, filters: ReportFilters, *, masked: bool, progress: Progress
) -> int:
    """A summary PDF: title, filters, the report's key figures, then its rows (up to ``REPORTS_PDF_MAX_ROWS``;
    the full list is the CSV/XLSX export)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = pdf_styles()
    limit = settings.REPORTS_PDF_MAX_ROWS
    heading = _("Filters: %(filters)s · generated %(at)s") % {
        "filters": filters_in_words(definition, filters),
        "at": text(clock.now()),
    }
    story: list[Any] = [
        Paragraph(force_str(definition.title), styles["Title"]),
        Paragraph(escape(str(heading)), styles["Normal"]),
        Spacer(1, 8),
    ]
    if definition.summary is not None:
        story.append(
            pdf_table([[force_str(k), text(v)] for k, v in definition.summary(filters)], header=False)
        )
        story.append(Spacer(1, 8))
    data = [headers(definition)]
    rows = 0
    labels = value_labels(definition)
    for rows, cells in enumerate(iter_cells(definition, filters, masked=masked), start=1):
        if rows > limit:
            rows -= 1
            break
        data.append([text(value) for value in labelled(cells, labels)])
    progress(rows)
    document = SimpleDocTemplate(str(path), pagesize=landscape(A4), title=force_str(definition.title))
    story.append(pdf_table(data, width=document.width))
    if rows >= limit:
        note = _("First %(n)d rows; export CSV or XLSX for all.") % {"n": limit}
        story.append(Paragraph(escape(str(note)), styles["Normal"]))
    document.build(story)
    return rows


WRITERS: dict[str, Callable[..., int]] = {"csv": write_csv, "xlsx": write_xlsx, "pdf": write_pdf}


def rows_as_text(rows: Iterable[Sequence[Any]]) -> list[list[str]]:
    return [[text(value) for value in row] for row in rows]
