"""The catalog chapter's reports (AUD-2) and its section of the monthly compliance report (AUD-4).

- ``listing_reviews``: every review done (CAT-2, CAT-4), by whom, its outcome and whether it kept the
  24-hour clock (``catalog.listing_review``) that was running when the reviewer decided;
- ``listing_takedowns``: every delisting (CAT-2, CAT-6, CAT-7, MER-7) with its source and reason. A
  listing keeps only its *current* delisting on the row, so the history is read from the audit log
  (``listing.delisted`` entries, AUD-1), with the restoration that ended it, if any;
- ``ip_notices``: the notice-and-takedown cases (CAT-7) with their dates and outcome.

Imported at start-up by ``platform_core.reports`` (every app's ``reports.py``).
"""

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from catalog.clocks import REVIEW_RULE
from catalog.models import Inspection, IpNotice, Listing, ListingVersion
from platform_core.accounts.masking import mask_name
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.models import Deadline
from platform_core.reports.masks import mask_person
from platform_core.reports.registry import (
    Column,
    Filter,
    MonthlySection,
    ReportFilters,
    monthly_section,
    report,
)

REVIEWED = (ListingVersion.Status.APPROVED, ListingVersion.Status.REJECTED, ListingVersion.Status.SUPERSEDED)
MET, LATE = "met", "late"


# --- CAT-2, CAT-4: reviews done ----------------------------------------------------------------------------


def _reviews(filters: ReportFilters) -> QuerySet[Any]:
    """Reviewed versions with their outcome and the review clock that was running when decided."""
    running_clock = (
        Deadline.objects.filter(
            rule=REVIEW_RULE,
            subject_type=ContentType.objects.get_for_model(Listing),
            subject_id=Cast(OuterRef("listing_id"), output_field=CharField()),
            started_at__lte=OuterRef("reviewed_at"),
        )
        .exclude(status=Deadline.Status.CANCELLED)
        .order_by("-started_at")
        .values("due_at")[:1]
    )
    qs = filters.in_period(
        ListingVersion.objects.filter(status__in=REVIEWED, reviewed_at__isnull=False), "reviewed_at"
    )
    if filters.extra.get("reviewer"):
        qs = qs.filter(reviewer_id=filters.extra["reviewer"])
    if filters.extra.get("merchant"):
        qs = qs.filter(listing__merchant_id=filters.extra["merchant"])
    qs = qs.annotate(
        # a superseded version was approved, and later replaced by a newer approved one
        outcome=Case(
            When(status=ListingVersion.Status.REJECTED, then=Value("rejected")),
            default=Value("approved"),
            output_field=CharField(),
        ),
        due_at=Subquery(running_clock, output_field=DateTimeField()),
    ).annotate(
        sla=Case(
            When(due_at__isnull=True, then=Value("")),
            When(reviewed_at__lte=F("due_at"), then=Value(MET)),
            default=Value(LATE),
            output_field=CharField(),
        )
    )
    if filters.extra.get("outcome"):
        qs = qs.filter(outcome=filters.extra["outcome"])
    if filters.extra.get("sla"):
        qs = qs.filter(sla=filters.extra["sla"])
    return qs


def _waited(row: dict[str, Any]) -> Any:
    if row["submitted_at"] is None:
        return None
    return row["reviewed_at"] - row["submitted_at"]


def _reject_reason(row: dict[str, Any]) -> str:
    """Issue 21 (decision 047): a rejection's reason code as words in the reader's language."""
    code = row["reject_reason"]
    return str(ListingVersion.RejectReason(code).label) if code else ""


def _review_totals(filters: ReportFilters) -> dict[str, int]:
    return _reviews(filters).aggregate(
        done=Count("pk"),
        approved=Count("pk", filter=Q(outcome="approved")),
        rejected=Count("pk", filter=Q(outcome="rejected")),
        met=Count("pk", filter=Q(sla=MET)),
        late=Count("pk", filter=Q(sla=LATE)),
    )


def listing_reviews_summary(filters: ReportFilters) -> list[tuple[Any, Any]]:
    totals = _review_totals(filters)
    return [
        (_("Reviews done"), totals["done"]),
        (_("Approved"), totals["approved"]),
        (_("Rejected"), totals["rejected"]),
        (_("Within 24 hours"), totals["met"]),
        (_("Late"), totals["late"]),
    ]


@report(
    "listing_reviews",
    title=_("Listing reviews"),
    description=_(
        "Every listing review done in the period: reviewer, outcome, and whether it kept the 24-hour "
        "review clock (CAT-2, CAT-4)."
    ),
    columns=[
        Column("id", _("Version ID")),
        Column("listing_id", _("Listing ID")),
        Column("number", _("Version")),
        Column("listing__merchant_id", _("Merchant ID")),
        Column("listing__merchant__name", _("Merchant")),
        Column("title", _("Title")),
        Column("submitted_at", _("Submitted at")),
        Column("reviewed_at", _("Reviewed at")),
        Column("waited", _("Waited"), value=_waited),
        Column("due_at", _("Review due at")),
        Column("sla", _("SLA")),
        Column("reviewer_id", _("Reviewer ID")),
        Column("reviewer__name", _("Reviewer"), mask=mask_name),
        Column("outcome", _("Outcome")),
        Column("reject_reason", _("Reason for rejection"), value=_reject_reason),
        Column("review_note", _("Note or reason")),
    ],
    summary=listing_reviews_summary,
    extra_filters=(
        Filter("outcome", choices=[("approved", _("Approved")), ("rejected", _("Rejected"))]),
        Filter("sla", _("Reviewed in time"), [(MET, _("In time")), (LATE, _("Late"))]),
        Filter("reviewer", _("Reviewer ID")),
        Filter("merchant", _("Merchant ID")),
    ),
)
def listing_reviews_rows(filters: ReportFilters) -> QuerySet[Any, Any]:
    return (
        _reviews(filters)
        .order_by("reviewed_at", "id")
        .values(
            "id",
            "listing_id",
            "number",
            "listing__merchant_id",
            "listing__merchant__name",
            "title",
            "submitted_at",
            "reviewed_at",
            "due_at",
            "sla",
            "reviewer_id",
            "reviewer__name",
            "outcome",
            "reject_reason",
            "review_note",
        )
    )


# --- CAT-2, CAT-6, CAT-7, MER-7: delistings and takedowns --------------------------------------------------


def _takedowns(filters: ReportFilters) -> QuerySet[Any]:
    delistings = AuditEntry.objects.filter(
        action="listing.delisted", subject_type=ContentType.objects.get_for_model(Listing)
    )
    qs = filters.in_period(delistings, "at").annotate(source=KT("after__source"))
    if filters.extra.get("source"):
        qs = qs.filter(source=filters.extra["source"])
    return qs


def _takedowns_by_source(filters: ReportFilters) -> list[tuple[Any, int]]:
    """(source label, delistings) for every source, in the order of ``Listing.DelistSource``."""
    counts = dict(
        _takedowns(filters).order_by().values("source").annotate(n=Count("pk")).values_list("source", "n")
    )
    return [(label, counts.get(source, 0)) for source, label in Listing.DelistSource.choices]


def listing_takedowns_summary(filters: ReportFilters) -> list[tuple[Any, Any]]:
    by_source = _takedowns_by_source(filters)
    return [(_("Delistings"), sum(n for _label, n in by_source)), *by_source]


@report(
    "listing_takedowns",
    title=_("Delistings and takedowns"),
    description=_(
        "Every delisting in the period with its source (merchant, staff takedown, failed inspection, IP "
        "notice, expired document), reason and who did it, from the audit log; and when it was restored."
    ),
    columns=[
        Column("id", _("Audit entry ID")),
        Column("at", _("Delisted at")),
        Column("subject_id", _("Listing ID")),
        Column("merchant_id", _("Merchant ID")),
        Column("merchant_name", _("Merchant")),
        Column("source", _("Source")),
        Column("reason", _("Reason")),
        Column("ip_notice_id", _("IP notice ID")),
        Column("inspection_id", _("Inspection ID")),
        Column("actor_id", _("By (ID)")),
        Column("actor_repr", _("By"), mask=mask_person),
        Column("restored_at", _("Back on sale at")),
        Column("listing_status", _("Listing status now")),
    ],
    summary=listing_takedowns_summary,
    extra_filters=(Filter("source", _("Taken down by"), Listing.DelistSource.choices),),
)
def listing_takedowns_rows(filters: ReportFilters) -> QuerySet[Any, Any]:
    listing_id = Cast(OuterRef("subject_id"), output_field=IntegerField())
    listing = Listing.objects.filter(pk=listing_id)
    # back on sale: the first approval or restoration of the listing after this delisting
    back_on_sale = AuditEntry.objects.filter(
        action__in=["listing.approved", "listing.restored"],
        subject_type=OuterRef("subject_type"),
        subject_id=OuterRef("subject_id"),
        pk__gt=OuterRef("pk"),  # the log is append-only: a later entry has a higher id
    ).order_by("pk")
    # the notice validated (or the failed inspection recorded) last before the takedown it caused
    notice = IpNotice.objects.filter(listing_id=listing_id, validated_at__lte=OuterRef("at")).exclude(
        status=IpNotice.Status.DISMISSED
    )
    inspection = Inspection.objects.filter(
        listing_id=listing_id, result=Inspection.Result.FAIL, inspected_at__lte=OuterRef("at")
    )
    return (
        _takedowns(filters)
        .annotate(
            merchant_id=Subquery(listing.values("merchant_id")[:1]),
            merchant_name=Subquery(listing.values("merchant__name")[:1]),
            listing_status=Subquery(listing.values("status")[:1]),
            restored_at=Subquery(back_on_sale.values("at")[:1]),
            ip_notice_id=Case(
                When(
                    source=Listing.DelistSource.IP_NOTICE,
                    then=Subquery(notice.order_by("-validated_at", "-pk").values("pk")[:1]),
                ),
                default=None,
                output_field=IntegerField(),
            ),
            inspection_id=Case(
                When(
                    source=Listing.DelistSource.INSPECTION,
                    then=Subquery(inspection.order_by("-inspected_at", "-pk").values("pk")[:1]),
                ),
                default=None,
                output_field=IntegerField(),
            ),
        )
        .order_by("at", "id")
        .values(
            "id",
            "at",
            "subject_id",
            "merchant_id",
            "merchant_name",
            "source",
            "reason",
            "ip_notice_id",
            "inspection_id",
            "actor_id",
            "actor_repr",
            "restored_at",
            "listing_status",
        )
    )


# --- CAT-7: IP notices -------------------------------------------------------------------------------------


@report(
    "ip_notices",
    title=_("IP notices"),
    description=_(
        "IP notices filed in the period (CAT-7): the right claimed, validation, counter-notice, outcome, "
        "and knowingly false notices."
    ),
    columns=[
        Column("id", _("Notice ID")),
        Column("filed_at", _("Filed at")),
        Column("listing_id", _("Listing ID")),
        Column("listing__merchant_id", _("Merchant ID")),
        Column("listing__merchant__name", _("Merchant")),
        Column("rights_holder_id", _("Rights holder ID")),
        Column("rights_holder__name", _("Rights holder"), mask=mask_name),
        Column("right_kind", _("Right")),
        Column("right_reference", _("Registration number")),
        Column("status", _("Status")),
        Column("validated_at", _("Validated (taken down) at")),
        Column("validated_by_id", _("By (ID)")),
        Column("counter_forwarded_at", _("Counter-notice forwarded at")),
        Column("resolved_at", _("Resolved at")),
        Column("is_false_notice", _("Knowingly false")),
    ],
    extra_filters=(Filter("status", choices=IpNotice.Status.choices),),
)
def ip_notices_rows(filters: ReportFilters) -> QuerySet[IpNotice, dict[str, Any]]:
    qs = filters.in_period(IpNotice.objects.all(), "filed_at")
    if filters.extra.get("status"):
        qs = qs.filter(status=filters.extra["status"])
    return qs.order_by("filed_at", "id").values(
        "id",
        "filed_at",
        "listing_id",
        "listing__merchant_id",
        "listing__merchant__name",
        "rights_holder_id",
        "rights_holder__name",
        "right_kind",
        "right_reference",
        "status",
        "validated_at",
        "validated_by_id",
        "counter_forwarded_at",
        "resolved_at",
        "is_false_notice",
    )


@monthly_section("catalog")
def catalog_month(since: datetime, until: datetime) -> MonthlySection:
    """AUD-4: the month's listing reviews and their SLA, takedowns by source, IP notices, inspections."""
    month = ReportFilters.for_period(since=since, until=until)
    reviews = _review_totals(month)
    notices = IpNotice.objects.filter(filed_at__gte=since, filed_at__lt=until)
    inspected = Inspection.objects.filter(inspected_at__gte=since, inspected_at__lt=until)
    rows: list[tuple[Any, Any]] = [
        (_("Listing reviews done"), reviews["done"]),
        (_("…within 24 hours"), reviews["met"]),
        (_("…late"), reviews["late"]),
        (_("Listings rejected"), reviews["rejected"]),
    ]
    rows += [(_("Delisted: %(source)s") % {"source": label}, n) for label, n in _takedowns_by_source(month)]
    rows += [
        (_("IP notices filed"), notices.count()),
        (_("IP notices filed and taken down"), notices.exclude(validated_at__isnull=True).count()),
        (_("Knowingly false IP notices"), notices.filter(is_false_notice=True).count()),
        (_("Inspections done"), inspected.count()),
        (_("Inspections failed"), inspected.filter(result=Inspection.Result.FAIL).count()),
    ]
    return MonthlySection(title=_("Listings"), rows=rows)
