"""MSG-3: users' suggestions for operations — the export (AUD-2) and the monthly section (AUD-4).

Imported at start-up by ``ReportsConfig.ready`` (``autodiscover_modules("reports")``).
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.models import Conversation, ReplyClock, Suggestion
from aftersales.selectors import suggestion_tag_counts
from platform_core.reports.registry import (
    Column,
    Filter,
    MonthlySection,
    ReportFilters,
    monthly_section,
    report,
)


def _tags(row: dict[str, Any]) -> str:
    return ", ".join(str(tag) for tag in row["tags"] or [])


@report(
    "suggestions",
    title=_("Suggestions and feedback"),
    description=_("Every suggestion users sent in the period, with its tags, for operations (MSG-3)."),
    columns=[
        Column("id", _("ID")),
        Column("created_at", _("Received at")),
        Column("user_id", _("User ID")),
        Column("tags", _("Tags"), value=_tags),
        Column("text", _("Text")),
    ],
    extra_filters=(Filter("tag", _("Tag")),),
)
def suggestion_rows(filters: ReportFilters) -> QuerySet[Suggestion, Any] | Iterator[Any]:
    qs = Suggestion.objects.all()
    if filters.since:
        qs = qs.filter(created_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(created_at__lt=filters.until)
    rows = qs.order_by("created_at", "id").values("id", "created_at", "user_id", "tags", "text")
    tag = filters.extra.get("tag", "").lower()
    if tag:  # in Python: JSON containment is not portable to SQLite
        return (row for row in rows.iterator(chunk_size=1000) if tag in (row["tags"] or []))
    return rows


@monthly_section("suggestions")
def suggestions_month(since: datetime, until: datetime) -> MonthlySection:
    """MSG-3, AUD-4: the month's suggestions by tag, and how customer service kept its reply clock."""
    received = Suggestion.objects.filter(created_at__gte=since, created_at__lt=until).count()
    platform_waits = ReplyClock.objects.filter(
        conversation__kind=Conversation.Kind.PLATFORM, asked_at__gte=since, asked_at__lt=until
    )
    rows: list[tuple[Any, Any]] = [(_("Suggestions received"), received)]
    rows += [
        (_("Tagged “%(tag)s”") % {"tag": tag}, n)
        for tag, n in suggestion_tag_counts(since=since, until=until)
    ]
    rows += [
        (_("Customer-service messages waiting for an answer"), platform_waits.count()),
        (
            _("…of those not answered within 2 hours (escalated)"),
            platform_waits.filter(missed_at__isnull=False).count(),
        ),
    ]
    return MonthlySection(title=_("Suggestions and customer service"), rows=rows)
