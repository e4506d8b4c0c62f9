"""Staff reports for auditors (registered with the kernel's report registry).

AUD-2: staff permission changes. STF-7: monthly staff performance from the system's own records, with the
misconduct recorded in the month (STF-9).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.clocks import RULE_COMPLAINT_ANSWER
from aftersales.models import AfterSalesEvent, AfterSalesRequest, Complaint, ComplaintStep
from catalog.clocks import REVIEW_RULE as LISTING_REVIEW_RULE
from catalog.models import Listing, ListingVersion
from merchants.clocks import RULE_APPLICATION_REVIEW
from merchants.models import MerchantApplication
from orders.models import FollowUp
from platform_core import clock as platform_clock
from platform_core.accounts.masking import mask_name
from platform_core.accounts.models import User
from platform_core.deadlines.models import Deadline
from platform_core.reports.registry import (
    Column,
    Filter,
    MonthlySection,
    ReportFilters,
    monthly_section,
    report,
)
from staff.clocks import REVIEW_RULE as PERMISSION_REVIEW_RULE
from staff.models import PermissionApplication, PermissionGrant, StaffMisconduct, StaffProfile


def _outcome(row: dict[str, Any]) -> str:
    if row["revoked_at"]:
        return "revoked"
    return "lapsed" if row["lapsed_at"] else "active"


@report(
    "staff_permission_changes",
    title=_("Staff permission changes"),
    description=_(
        "Every permission granted in the period: to whom, by whom, why, until when, and how it ended."
    ),
    columns=[
        Column("id", _("Grant ID")),
        Column("user_id", _("User ID")),
        Column("user__name", _("User"), mask=mask_name),
        Column(
            "permission",
            _("Permission"),
            value=lambda r: f"{r['permission__content_type__app_label']}.{r['permission__codename']}",
        ),
        Column("application_id", _("Application")),
        Column("granted_by_id", _("Granted by (ID)")),
        Column("granted_at", _("Granted at")),
        Column("expires_at", _("Expires at")),
        Column("reason", _("Reason")),
        Column("outcome", _("State"), value=_outcome),
        Column("revoked_at", _("Revoked at")),
        Column("revoked_by_id", _("Revoked by (ID)")),
        Column("revoke_reason", _("Revocation reason")),
        Column("lapsed_at", _("Lapsed at")),
    ],
    extra_filters=(Filter("permission", _("Permission (app.codename)")),),
)
def staff_permission_changes_rows(filters: ReportFilters) -> QuerySet[PermissionGrant, Any]:
    qs = PermissionGrant.objects.all()
    if filters.since:
        qs = qs.filter(granted_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(granted_at__lt=filters.until)
    if filters.extra.get("permission"):
        app_label, _dot, codename = filters.extra["permission"].partition(".")
        qs = qs.filter(permission__content_type__app_label=app_label, permission__codename=codename)
    return qs.order_by("granted_at", "id").values(
        "id",
        "user_id",
        "user__name",
        "permission__content_type__app_label",
        "permission__codename",
        "application_id",
        "granted_by_id",
        "granted_at",
        "expires_at",
        "reason",
        "revoked_at",
        "revoked_by_id",
        "revoke_reason",
        "lapsed_at",
    )


# --- STF-7: staff performance, monthly, from the system's own records -------------------------------------

#: the figures with a clock: (key, rule). On time = done no later than the clock that was running.
SLA_KINDS = (
    ("listing_reviews", LISTING_REVIEW_RULE),
    ("merchant_applications", RULE_APPLICATION_REVIEW),
    ("complaints", RULE_COMPLAINT_ANSWER),
    ("permission_applications", PERMISSION_REVIEW_RULE),
)
#: the figures without a clock: done is done in time.
COUNT_KINDS = ("escalations", "follow_ups")
BEST_N = 3


@dataclass
class Tally:
    """One kind of work of one person (or team): done, and of those with a clock, on time and late."""

    done: int = 0
    on_time: int = 0
    late: int = 0


@dataclass
class Performance:
    user_id: int
    name: str = ""
    department: str = ""
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misconduct: int = 0  # STF-9: misconduct recorded against the person (or team) in the month

    def tally(self, kind: str) -> Tally:
        return self.tallies[kind]

    @property
    def done(self) -> int:
        return sum(t.done for t in self.tallies.values())

    @property
    def late(self) -> int:
        return sum(t.late for t in self.tallies.values())

    @property
    def on_time(self) -> int:
        """Items done on time: with a clock, met by its due time; without one, every item done."""
        return sum(self.tallies[k].on_time for k, _rule in SLA_KINDS) + sum(
            self.tallies[k].done for k in COUNT_KINDS
        )

    def as_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {"user_id": self.user_id, "name": self.name, "department": self.department}
        for kind, _rule in SLA_KINDS:
            t = self.tallies[kind]
            row.update({f"{kind}": t.done, f"{kind}_on_time": t.on_time, f"{kind}_late": t.late})
        for kind in COUNT_KINDS:
            row[kind] = self.tallies[kind].done
        row.update(
            {"done": self.done, "on_time": self.on_time, "late": self.late, "misconduct": self.misconduct}
        )
        return row


@dataclass
class StaffPerformance:
    """STF-7: the month's figures per person and per department, with the best of each."""

    since: datetime
    until: datetime
    people: list[Performance]
    teams: list[Performance]

    def best_staff(self, n: int = BEST_N) -> list[Performance]:
        """The best staff of the month: nobody with misconduct recorded in it (STF-9)."""
        return _best([p for p in self.people if not p.misconduct], n)

    @property
    def misconduct(self) -> int:
        return sum(p.misconduct for p in self.people)

    def best_teams(self, n: int = BEST_N) -> list[Performance]:
        return _best(self.teams, n)

    def total(self, kind: str) -> Tally:
        out = Tally()
        for person in self.people:
            t = person.tallies[kind]
            out.done, out.on_time, out.late = out.done + t.done, out.on_time + t.on_time, out.late + t.late
        return out


def _best(rows: list[Performance], n: int) -> list[Performance]:
    """Most items done on time first; then fewer late; then the lower id (stable)."""
    ranked = sorted((r for r in rows if r.on_time), key=lambda r: (-r.on_time, r.late, r.user_id))
    return ranked[:n]


def _clocks(*, rule: str, model: type[models.Model], subject_ids: Iterable[Any]) -> dict[str, list[Deadline]]:
    """The resolved clocks of ``rule`` on those subjects (one query), by subject id."""
    ids = {str(i) for i in subject_ids}
    by_subject: dict[str, list[Deadline]] = defaultdict(list)
    if not ids:
        return by_subject
    rows = Deadline.objects.filter(
        rule=rule, subject_type=ContentType.objects.get_for_model(model), subject_id__in=ids
    ).only("subject_id", "started_at", "due_at", "status")
    for deadline in rows:
        by_subject[deadline.subject_id].append(deadline)
    return by_subject


def _running_clock(clocks: list[Deadline], done_at: datetime) -> Deadline | None:
    """The clock that was running when the work was done: the latest started no later than it."""
    started = [c for c in clocks if c.started_at <= done_at and c.status != Deadline.Status.CANCELLED]
    return max(started, key=lambda c: c.started_at) if started else None


def _tally_sla(
    people: dict[int, Performance],
    *,
    kind: str,
    rule: str,
    model: type[models.Model],
    work: list[tuple[int, Any, datetime | None]],
) -> None:
    """``work``: (actor id, subject id, done at). Each item counts as done; with a clock, on time or late."""
    clocks = _clocks(rule=rule, model=model, subject_ids={subject_id for _a, subject_id, _d in work})
    for actor_id, subject_id, done_at in work:
        if done_at is None:
            continue
        tally = people.setdefault(actor_id, Performance(user_id=actor_id)).tally(kind)
        tally.done += 1
        clock = _running_clock(clocks.get(str(subject_id), []), done_at)
        if clock is None:
            continue
        if done_at <= clock.due_at:
            tally.on_time += 1
        else:
            tally.late += 1


def staff_performance(*, since: datetime, until: datetime) -> StaffPerformance:
    """STF-7: what each staff member did in ``[since, until)``, from the records the work left behind.

    - listing reviews: versions a reviewer approved or rejected (``reviewed_at``), against the
      ``catalog.listing_review`` clock of the listing that was running then;
    - merchant applications decided (``decided_at``) against ``merchants.application_review``;
    - complaints answered (``ComplaintStep`` "answered", by its actor) against ``aftersales.complaint_answer``
      (an answer after the clock ran out — the complaint was escalated — is late);
    - permission applications decided against ``staff.permission_review_due``;
    - escalations: after-sales requests escalated to customer service that staff resolved (no clock);
    - follow-ups done (``orders.FollowUp``; no clock);
    - misconduct recorded against the person in the month (STF-9); it keeps them off the best-staff list.

    A constant number of queries (two per kind, plus the people), whatever the volume.
    """
    people: dict[int, Performance] = {}
    in_month = {"gte": since, "lt": until}

    def between(field_name: str) -> dict[str, datetime]:
        return {f"{field_name}__{op}": value for op, value in in_month.items()}

    reviews = ListingVersion.objects.filter(
        reviewer__isnull=False,
        status__in=[
            ListingVersion.Status.APPROVED,
            ListingVersion.Status.REJECTED,
            ListingVersion.Status.SUPERSEDED,
        ],
        **between("reviewed_at"),
    ).values_list("reviewer_id", "listing_id", "reviewed_at")
    _tally_sla(people, kind="listing_reviews", rule=LISTING_REVIEW_RULE, model=Listing, work=list(reviews))

    applications = (
        MerchantApplication.objects.filter(reviewer__isnull=False, **between("decided_at"))
        .exclude(status__in=[MerchantApplication.Status.DRAFT, MerchantApplication.Status.SUBMITTED])
        .values_list("reviewer_id", "pk", "decided_at")
    )
    _tally_sla(
        people,
        kind="merchant_applications",
        rule=RULE_APPLICATION_REVIEW,
        model=MerchantApplication,
        work=list(applications),
    )

    answers = ComplaintStep.objects.filter(
        action="answered", actor__isnull=False, **between("at")
    ).values_list("actor_id", "complaint_id", "at")
    _tally_sla(people, kind="complaints", rule=RULE_COMPLAINT_ANSWER, model=Complaint, work=list(answers))

    decisions = PermissionApplication.objects.filter(
        reviewer__isnull=False,
        status__in=[PermissionApplication.Status.APPROVED, PermissionApplication.Status.REJECTED],
        **between("decided_at"),
    ).values_list("reviewer_id", "pk", "decided_at")
    _tally_sla(
        people,
        kind="permission_applications",
        rule=PERMISSION_REVIEW_RULE,
        model=PermissionApplication,
        work=list(decisions),
    )

    resolved = AfterSalesEvent.objects.filter(
        from_status=AfterSalesRequest.Status.ESCALATED, actor__isnull=False, **between("at")
    ).values_list("actor_id", flat=True)
    for actor_id in resolved:
        people.setdefault(actor_id, Performance(user_id=actor_id)).tally("escalations").done += 1

    follow_ups = FollowUp.objects.filter(
        status=FollowUp.Status.DONE, done_by__isnull=False, **between("done_at")
    ).values_list("done_by_id", flat=True)
    for actor_id in follow_ups:
        people.setdefault(actor_id, Performance(user_id=actor_id)).tally("follow_ups").done += 1

    misconduct = StaffMisconduct.objects.filter(**between("recorded_at")).values_list("staff_id", flat=True)
    for staff_id in misconduct:
        people.setdefault(staff_id, Performance(user_id=staff_id)).misconduct += 1

    # who they are: name and department (one query for the users, one for their staff profiles)
    names = dict(User.objects.filter(pk__in=people).values_list("pk", "name"))
    departments = dict(
        StaffProfile.objects.filter(user_id__in=people).values_list("user_id", "department__code")
    )
    teams: dict[str, Performance] = {}
    for person in people.values():
        person.name = names.get(person.user_id, "") or ""
        person.department = departments.get(person.user_id, "") or ""
        team = teams.setdefault(person.department, Performance(user_id=0, department=person.department))
        for kind, tally in person.tallies.items():
            t = team.tally(kind)
            t.done, t.on_time, t.late = t.done + tally.done, t.on_time + tally.on_time, t.late + tally.late
        team.misconduct += person.misconduct
    ordered = sorted(people.values(), key=lambda p: (p.department, p.user_id))
    team_rows = sorted(teams.values(), key=lambda t: t.department)
    for index, team in enumerate(team_rows, start=1):
        team.user_id = index  # a stable tie-breaker for the ranking (alphabetical by department)
    return StaffPerformance(since=since, until=until, people=ordered, teams=team_rows)


def _month_of(filters: ReportFilters) -> tuple[datetime, datetime]:
    """The filters' range, or by default last month (the report is monthly)."""
    if filters.since and filters.until:
        return filters.since, filters.until
    today = platform_clock.localdate()
    first = today.replace(day=1)
    start = filters.date_from or (first - timedelta(days=1)).replace(day=1)
    end = filters.date_to or (first - timedelta(days=1))
    bounds = ReportFilters(date_from=start, date_to=end)
    assert bounds.since is not None and bounds.until is not None
    return bounds.since, bounds.until


def _best_text(rows: list[Performance], *, team: bool) -> str:
    return (
        "; ".join(
            f"{row.department if team else mask_name(row.name) or row.user_id}: {row.on_time}" for row in rows
        )
        or "—"
    )


def staff_performance_summary(filters: ReportFilters) -> list[tuple[str, Any]]:
    """STF-7: the month's totals and its best staff and teams (the PDF's header)."""
    since, until = _month_of(filters)
    figures = staff_performance(since=since, until=until)
    return _summary_rows(figures)


def _summary_rows(figures: StaffPerformance) -> list[tuple[Any, Any]]:
    rows: list[tuple[Any, Any]] = [
        (_("Period"), f"{_local(figures.since)} – {_local(figures.until - timedelta(seconds=1))}")
    ]
    labels = {
        "listing_reviews": _("Listing reviews"),
        "merchant_applications": _("Merchant applications reviewed"),
        "complaints": _("Complaints answered"),
        "permission_applications": _("Permission applications reviewed"),
    }
    for kind, _rule in SLA_KINDS:
        t = figures.total(kind)
        rows.append((labels[kind], f"{t.done} ({t.on_time} on time, {t.late} late)"))
    rows.append((_("After-sales escalations resolved"), figures.total("escalations").done))
    rows.append((_("Follow-ups done"), figures.total("follow_ups").done))
    rows.append((_("Misconduct recorded (STF-9)"), figures.misconduct))
    rows.append((_("Best staff (items on time)"), _best_text(figures.best_staff(), team=False)))
    rows.append((_("Best teams (items on time)"), _best_text(figures.best_teams(), team=True)))
    return rows


def _local(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _performance_columns() -> list[Column]:
    columns = [
        Column("user_id", _("Staff ID")),
        Column("name", _("Staff member"), mask=mask_name),
        Column("department", _("Department")),
    ]
    headers = {
        "listing_reviews": _("Listing reviews"),
        "merchant_applications": _("Merchant applications"),
        "complaints": _("Complaints answered"),
        "permission_applications": _("Permission applications"),
    }
    for kind, _rule in SLA_KINDS:
        columns += [
            Column(kind, headers[kind]),
            Column(f"{kind}_on_time", _("%(what)s on time") % {"what": headers[kind]}),
            Column(f"{kind}_late", _("%(what)s late") % {"what": headers[kind]}),
        ]
    columns += [
        Column("escalations", _("Escalations resolved")),
        Column("follow_ups", _("Follow-ups done")),
        Column("done", _("Items done")),
        Column("on_time", _("Items on time")),
        Column("late", _("Items late")),
        Column("misconduct", _("Misconduct recorded")),
    ]
    return columns


@report(
    "staff_performance",
    title=_("Staff performance"),
    description=_(
        "STF-7: per staff member and department, the month's reviews, complaints, escalations and "
        "follow-ups, with SLA compliance from the deadline table, and misconduct recorded (STF-9); the "
        "summary lists the best staff and teams."
    ),
    columns=_performance_columns(),
    summary=staff_performance_summary,
)
def staff_performance_rows(filters: ReportFilters) -> list[dict[str, Any]]:
    since, until = _month_of(filters)
    return [person.as_row() for person in staff_performance(since=since, until=until).people]


@monthly_section("staff_performance")
def staff_performance_month(since: datetime, until: datetime) -> MonthlySection:
    """AUD-4, STF-7: the month's staff figures in the monthly compliance report."""
    return MonthlySection(
        title=_("Staff performance (STF-7)"), rows=_summary_rows(staff_performance(since=since, until=until))
    )
