"""The merchants chapter's reports (AUD-2) and its section of the monthly compliance report (AUD-4).

Imported at start-up by ``platform_core.reports`` (every app's ``reports.py``); the kernel never imports
this app, the app registers itself.
"""

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from merchants.clocks import RULE_REVERIFY_DUE, RULE_REVERIFY_OVERDUE
from merchants.models import Merchant, Penalty, Reverification, Violation
from platform_core import clock
from platform_core.accounts.masking import mask_address, mask_name, mask_phone
from platform_core.deadlines.models import Deadline
from platform_core.reports.masks import mask_email
from platform_core.reports.registry import (
    Column,
    Filter,
    MonthlySection,
    ReportFilters,
    monthly_section,
    report,
)


def _qualification_status(row: dict[str, Any]) -> str:
    """MER-1, MER-7: ``missing`` without a current document, ``expired`` if one has lapsed, else ``valid``."""
    if not row["documents_current"]:
        return "missing"
    if row["documents_expired"]:
        return "expired"
    return "valid"


def _pending_due(rule: str, model: type, outer: str) -> Subquery:
    return Subquery(
        Deadline.objects.filter(
            rule=rule,
            status=Deadline.Status.PENDING,
            subject_type=ContentType.objects.get_for_model(model),
            subject_id=Cast(OuterRef(outer), output_field=CharField()),
        )
        .order_by("due_at")
        .values("due_at")[:1]
    )


@report(
    "merchant_register",
    title=_("Merchant register"),
    description=_("Every merchant with its standing, qualification documents and re-verification dates."),
    columns=[
        Column("id", _("Merchant ID")),
        Column("name", _("Shop name")),
        Column("legal_name", _("Legal name")),
        Column("credit_code", _("Unified social credit code")),
        Column("status", _("Status")),
        Column("is_self_operated", _("Self-operated")),
        Column("legal_representative", _("Legal representative"), mask=mask_name),
        Column("contact_phone", _("Contact phone"), mask=mask_phone),
        Column("contact_email", _("Contact email"), mask=mask_email),
        Column("registered_address", _("Registered address"), mask=mask_address),
        Column("created_at", _("Registered at")),
        Column("activated_at", _("Activated at")),
        Column("qualification", _("Qualification status"), value=_qualification_status),
        Column("documents_current", _("Current documents")),
        Column("documents_expired", _("Expired documents")),
        Column("documents_valid_until", _("First document expiry")),
        Column("last_reverified_at", _("Last re-verified at")),
        Column("reverification_status", _("Open re-verification")),
        Column("next_reverification_due", _("Next re-verification due")),
        Column("reverification_overdue_at", _("Open re-verification overdue at")),
    ],
    extra_filters=(Filter("status", choices=Merchant.Status.choices),),
)
def merchant_register_rows(filters: ReportFilters) -> QuerySet[Merchant, dict[str, Any]]:
    today = clock.localdate()
    current = Q(documents__superseded_at__isnull=True)
    open_reverification = Reverification.objects.filter(merchant=OuterRef("pk")).exclude(
        status=Reverification.Status.PASSED
    )
    qs = Merchant.objects.all()
    if filters.since:
        qs = qs.filter(created_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(created_at__lt=filters.until)
    if filters.extra.get("status"):
        qs = qs.filter(status=filters.extra["status"])
    return (
        qs.annotate(
            documents_current=Count("documents", filter=current, distinct=True),
            documents_expired=Count(
                "documents", filter=current & Q(documents__valid_until__lt=today), distinct=True
            ),
            documents_valid_until=Min("documents__valid_until", filter=current),
            last_reverified_at=Max("reverifications__passed_at"),
            reverification_status=Subquery(open_reverification.order_by("-opened_at").values("status")[:1]),
            next_reverification_due=_pending_due(RULE_REVERIFY_DUE, Merchant, "pk"),
            reverification_overdue_at=Subquery(
                Deadline.objects.filter(
                    rule=RULE_REVERIFY_OVERDUE,
                    status=Deadline.Status.PENDING,
                    subject_type=ContentType.objects.get_for_model(Reverification),
                    subject_id__in=open_reverification.annotate(
                        pk_text=Cast("pk", output_field=CharField())
                    ).values("pk_text"),
                )
                .order_by("due_at")
                .values("due_at")[:1]
            ),
        )
        .order_by("id")
        .values(
            "id",
            "name",
            "legal_name",
            "credit_code",
            "status",
            "is_self_operated",
            "legal_representative",
            "contact_phone",
            "contact_email",
            "registered_address",
            "created_at",
            "activated_at",
            "documents_current",
            "documents_expired",
            "documents_valid_until",
            "last_reverified_at",
            "reverification_status",
            "next_reverification_due",
            "reverification_overdue_at",
        )
    )


@report(
    "merchant_violations",
    title=_("Violations"),
    description=_(
        "Violations recorded in the period, with points, track, source and appeal outcome (VIO-1..4)."
    ),
    columns=[
        Column("id", _("Violation ID")),
        Column("created_at", _("Recorded at")),
        Column("merchant_id", _("Merchant ID")),
        Column("merchant__name", _("Merchant")),
        Column("kind", _("Kind")),
        Column("points", _("Points")),
        Column("track", _("Track")),
        Column("source", _("Source")),
        Column("voided_at", _("Voided at")),
        Column("voided_reason", _("Voided because")),
        Column("appeal__status", _("Appeal")),
    ],
    extra_filters=(Filter("track", _("Track"), Violation.Track.choices),),
)
def merchant_violations_rows(filters: ReportFilters) -> QuerySet[Violation, Any]:
    qs = Violation.objects.all()
    if filters.since:
        qs = qs.filter(created_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(created_at__lt=filters.until)
    if filters.extra.get("track"):
        qs = qs.filter(track=filters.extra["track"])
    return qs.order_by("created_at", "id").values(
        "id",
        "created_at",
        "merchant_id",
        "merchant__name",
        "kind",
        "points",
        "track",
        "source",
        "voided_at",
        "voided_reason",
        "appeal__status",
    )


@report(
    "merchant_penalties",
    title=_("Penalties"),
    description=_(
        "Penalties that started in the period, with their measure, period, publication and lifting."
    ),
    columns=[
        Column("id", _("Penalty ID")),
        Column("merchant_id", _("Merchant ID")),
        Column("merchant__name", _("Merchant")),
        Column("measure", _("Measure")),
        Column("track", _("Track")),
        Column("year", _("Year")),
        Column("threshold", _("Threshold")),
        Column("reason", _("Reason")),
        Column("starts_at", _("Starts at")),
        Column("ends_at", _("Ends at")),
        Column("published_at", _("Published at")),
        Column("lifted_at", _("Lifted at")),
        Column("lifted_reason", _("Lifted because")),
        Column("overturned", _("Overturned")),
    ],
    extra_filters=(Filter("measure", _("Measure"), Penalty.Measure.choices),),
)
def merchant_penalties_rows(filters: ReportFilters) -> QuerySet[Penalty, Any]:
    qs = Penalty.objects.all()
    if filters.since:
        qs = qs.filter(starts_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(starts_at__lt=filters.until)
    if filters.extra.get("measure"):
        qs = qs.filter(measure=filters.extra["measure"])
    return qs.order_by("starts_at", "id").values(
        "id",
        "merchant_id",
        "merchant__name",
        "measure",
        "track",
        "year",
        "threshold",
        "reason",
        "starts_at",
        "ends_at",
        "published_at",
        "lifted_at",
        "lifted_reason",
        "overturned",
    )


@monthly_section("merchants")
def merchants_month(since: datetime, until: datetime) -> MonthlySection:
    """AUD-4: the merchants' figures of the month."""
    return MonthlySection(
        title=_("Merchants"),
        rows=[
            (
                _("Merchants trading now"),
                Merchant.objects.filter(status__in=["active", "restricted"]).count(),
            ),
            (
                _("Activated this month"),
                Merchant.objects.filter(activated_at__gte=since, activated_at__lt=until).count(),
            ),
            (
                _("Violations recorded (not voided)"),
                Violation.objects.filter(
                    created_at__gte=since, created_at__lt=until, voided_at__isnull=True
                ).count(),
            ),
            (
                _("Penalties started"),
                Penalty.objects.filter(starts_at__gte=since, starts_at__lt=until).count(),
            ),
            (
                _("Re-verifications passed"),
                Reverification.objects.filter(passed_at__gte=since, passed_at__lt=until).count(),
            ),
        ],
    )
