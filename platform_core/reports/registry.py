"""The registry of reports (AUD-2, AUD-3): report code -> definition, and the monthly sections (AUD-4).

The kernel never imports a chapter app, so each app declares its own reports in ``<app>/reports.py``,
imported at start-up by ``ReportsConfig.ready`` (the same pattern as ``deadlines.py``)::

    from platform_core.reports.registry import Column, ReportFilters, report

    @report(
        "merchant_register",
        title=_("Merchant register"),
        columns=[
            Column("id", _("ID")),
            Column("contact_phone", _("Contact phone"), mask=mask_phone),  # personal data (SEC-2)
        ],
        extra_filters=(Filter("status", choices=Merchant.Status.choices),),  # a labelled dropdown
    )
    def merchant_register_rows(filters: ReportFilters) -> QuerySet | Iterable[Row]:
        return Merchant.objects.filter(...).values("id", "contact_phone")

The row source returns a QuerySet (the framework walks it with ``.iterator(chunk_size=…)``, so it must
not need a query per row: use ``values()``/``values_list()``, ``annotate`` and ``select_related``) or any
iterable. A row is a mapping keyed by column key, a sequence in column order, or an object whose
attributes (``a.b`` paths) are the column keys.

Exporting a report needs the permission ``reports.export_<code>`` (created for every registered report
after ``migrate``, and given to the ``auditor`` group). A column with ``mask`` holds personal data: it is
masked unless the viewer holds ``staff.view_personal_data``; an unmasked export is audited.

A ``summary`` callable gives the report's key figures (the PDF header; the audit log's chain check).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone

Row = Mapping[str, Any] | Sequence[Any] | Any
RowSource = Callable[["ReportFilters"], "QuerySet[Any] | Iterable[Row]"]
SummarySource = Callable[["ReportFilters"], list[tuple[str, Any]]]
#: issue 21: completes a chunk of rows at read time (names rendered in the reader's language), in place
ChunkPreparer = Callable[[list[Any]], None]
S = TypeVar("S", bound=RowSource)

FORMATS = ("csv", "xlsx", "pdf")

_REPORTS: dict[str, "ReportDefinition"] = {}
_MONTHLY_SECTIONS: dict[str, "MonthlySectionSource"] = {}


@dataclass(frozen=True)
class Column:
    """One output column. ``mask`` (e.g. ``mask_phone``) marks personal data (SEC-2)."""

    key: str
    header: Any  # str or a lazy translation
    mask: Callable[[Any], Any] | None = None
    #: computes the cell from the whole row (e.g. two fields joined); by default the row's ``key``
    value: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class ReportFilters:
    """What every report can be filtered by: a date range (local dates, ``date_to`` inclusive) + extras."""

    date_from: date | None = None
    date_to: date | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def since(self) -> datetime | None:
        """The start of ``date_from`` in the platform time zone (aware)."""
        if self.date_from is None:
            return None
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def until(self) -> datetime | None:
        """The end (exclusive) of ``date_to``: midnight after it, in the platform time zone (aware)."""
        if self.date_to is None:
            return None
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    def in_period(self, qs: "QuerySet[Any, Any]", field: str) -> "QuerySet[Any, Any]":
        """``qs`` narrowed to rows whose ``field`` (a date-time) lies in ``[since, until)``."""
        if self.since:
            qs = qs.filter(**{f"{field}__gte": self.since})
        if self.until:
            qs = qs.filter(**{f"{field}__lt": self.until})
        return qs

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        data.update(dict(self.extra))
        return data

    @classmethod
    def for_period(cls, *, since: datetime, until: datetime) -> "ReportFilters":
        """The local dates of ``[since, until)`` (a month of the monthly report: midnight to midnight)."""
        return cls(date_from=timezone.localdate(since), date_to=timezone.localdate(until) - timedelta(days=1))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ReportFilters":
        extra = {k: str(v) for k, v in data.items() if k not in {"from", "to"} and v not in (None, "")}
        return cls(
            date_from=date.fromisoformat(data["from"]) if data.get("from") else None,
            date_to=date.fromisoformat(data["to"]) if data.get("to") else None,
            extra=extra,
        )


@dataclass(frozen=True)
class Filter:
    """Issue 21: a report's own filter as the admin offers it: a label in words and, when the values are a
    fixed set, the choices (a list of ``(value, label)`` or a callable giving one) for a dropdown."""

    name: str
    label: Any = None
    choices: Sequence[tuple[str, Any]] | Callable[[], Sequence[tuple[str, Any]]] | None = None

    def choice_list(self) -> list[tuple[str, Any]] | None:
        return (
            None if self.choices is None else list(self.choices() if callable(self.choices) else self.choices)
        )


@dataclass(frozen=True)
class ReportDefinition:
    code: str
    title: Any
    columns: tuple[Column, ...]
    rows: RowSource
    description: Any = ""
    summary: SummarySource | None = None
    extra_filters: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("csv", "xlsx")
    #: the extra filters' labels and choices (issue 21), by name
    filter_specs: tuple[Filter, ...] = ()
    #: issue 21: called on each chunk of rows before they are written (e.g. ``audit_log`` names subjects)
    prepare: ChunkPreparer | None = None

    def filters_shown(self) -> list[Filter]:
        """Each extra filter with its label: its own, else the label of the column of the same key."""
        specs = {spec.name: spec for spec in self.filter_specs}
        labels = {column.key: column.header for column in self.columns}
        shown = []
        for name in self.extra_filters:
            spec = specs.get(name, Filter(name))
            shown.append(Filter(name, spec.label or labels.get(name, name), spec.choices))
        return shown

    @property
    def permission_codename(self) -> str:
        return f"export_{self.code}"

    @property
    def permission(self) -> str:
        """The permission a viewer needs, as ``user.has_perm`` takes it."""
        return f"reports.{self.permission_codename}"

    @property
    def personal_columns(self) -> list[str]:
        return [c.key for c in self.columns if c.mask is not None]


def report_register(definition: ReportDefinition) -> ReportDefinition:
    """Add ``definition`` to the registry; registering the same code twice from elsewhere is an error."""
    if not definition.code.replace("_", "").isalnum() or not definition.code.islower():
        raise ValueError(f"report codes are lower_snake_case, got {definition.code!r}")
    if len(definition.permission_codename) > 100:
        raise ValueError(f"report code {definition.code!r} is too long")
    unknown = set(definition.formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)} for report {definition.code!r}")
    existing = _REPORTS.get(definition.code)
    if existing is not None and _qualified(existing.rows) != _qualified(definition.rows):
        raise ValueError(f"report {definition.code!r} is already registered by {_qualified(existing.rows)}")
    _REPORTS[definition.code] = definition
    return definition


def report(
    code: str,
    *,
    title: Any,
    columns: Iterable[Column],
    description: Any = "",
    summary: SummarySource | None = None,
    extra_filters: Iterable[str | Filter] = (),
    formats: Iterable[str] | None = None,
    prepare: ChunkPreparer | None = None,
) -> Callable[[S], S]:
    """Decorator form of ``report_register``: the decorated function is the row source.

    ``formats`` defaults to CSV and XLSX, plus PDF when the report has a ``summary``.
    """

    specs = tuple(f if isinstance(f, Filter) else Filter(f) for f in extra_filters)

    def register(rows: S) -> S:
        report_register(
            ReportDefinition(
                code=code,
                title=title,
                columns=tuple(columns),
                rows=rows,
                description=description,
                summary=summary,
                extra_filters=tuple(spec.name for spec in specs),
                filter_specs=specs,
                formats=tuple(formats) if formats is not None else FORMATS if summary else ("csv", "xlsx"),
                prepare=prepare,
            )
        )
        return rows

    return register


def report_get(code: str) -> ReportDefinition:
    """The registered report, or ``KeyError``."""
    return _REPORTS[code]


def reports_all() -> list[ReportDefinition]:
    return [_REPORTS[code] for code in sorted(_REPORTS)]


# --- AUD-4: sections that chapters add to the monthly compliance report -------------------------------


@dataclass(frozen=True)
class MonthlySection:
    """A titled block of figures in the monthly PDF: ``rows`` are (label, value) pairs."""

    title: Any
    rows: list[tuple[Any, Any]]


MonthlySectionSource = Callable[[datetime, datetime], MonthlySection]
M = TypeVar("M", bound=MonthlySectionSource)


def monthly_section(name: str) -> Callable[[M], M]:
    """Register ``source(since, until) -> MonthlySection`` for the monthly compliance report (AUD-4)."""

    def register(source: M) -> M:
        _MONTHLY_SECTIONS[name] = source
        return source

    return register


def monthly_sections() -> list[tuple[str, MonthlySectionSource]]:
    """``MONTHLY_SECTIONS``: the registered sections, by name."""
    return sorted(_MONTHLY_SECTIONS.items())


def _qualified(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"
