"""Reads of the deadline engine: running clocks for a subject, time left, SLA figures (OPS-1)."""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast

from platform_core import clock
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.registry import rule_get


def deadline_pending_for(*, subject: models.Model, rule: str | None = None) -> models.QuerySet[Deadline]:
    """The subject's running clocks (at most one per rule), soonest first."""
    qs = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        status=Deadline.Status.PENDING,
    )
    if rule is not None:
        rule_get(rule)
        qs = qs.filter(rule=rule)
    return qs.order_by("due_at")


def deadline_next_due(model: type[models.Model], *, rule: str | None = None) -> Subquery:
    """The soonest running clock of each row as an annotation (one query for a whole list):
    ``Dispute.objects.annotate(due_at=deadline_next_due(Dispute))``."""
    qs = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model),
        subject_id=Cast(OuterRef("pk"), output_field=CharField()),
        status=Deadline.Status.PENDING,
    )
    if rule is not None:
        rule_get(rule)
        qs = qs.filter(rule=rule)
    return Subquery(qs.order_by("due_at").values("due_at")[:1])


def deadlines_due(*, now: datetime) -> models.QuerySet[Deadline]:
    """Pending deadlines due at ``now`` and not backing off, oldest due first (served by the partial index)."""
    return (
        Deadline.objects.filter(status=Deadline.Status.PENDING, due_at__lte=now)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("due_at")
    )


def deadline_time_left(*, rule: str, subject: models.Model, now: datetime | None = None) -> timedelta | None:
    """Time until the running ``rule`` clock on ``subject`` is due (negative when overdue); ``None`` if none."""
    deadline = deadline_pending_for(subject=subject, rule=rule).first()
    if deadline is None:
        return None
    return deadline.due_at - (now or clock.now())


def deadline_overdue_count(*, now: datetime | None = None) -> int:
    """Pending deadlines past due: the backlog a health check alarms on (OPS-5)."""
    return Deadline.objects.filter(status=Deadline.Status.PENDING, due_at__lte=now or clock.now()).count()


@dataclass(frozen=True)
class RuleSla:
    """One rule's figures over the deadlines due in the period. Lateness is over enforced rows only."""

    rule: str
    pending: int
    met_on_time: int
    met_late: int
    enforced: int
    cancelled: int
    lateness_p50: timedelta | None
    lateness_p95: timedelta | None
    lateness_max: timedelta | None

    @property
    def total(self) -> int:
        return self.pending + self.met_on_time + self.met_late + self.enforced + self.cancelled


def deadline_sla_figures(
    *, rule: str | None = None, since: datetime | None = None, until: datetime | None = None
) -> list[RuleSla]:
    """OPS-1: per rule, how deadlines due in ``[since, until)`` ended; sorted by rule name.

    Percentiles interpolate linearly between ranks (the same as PostgreSQL's ``percentile_cont``).
    """
    qs = Deadline.objects.all()
    if rule is not None:
        qs = qs.filter(rule=rule)
    if since is not None:
        qs = qs.filter(due_at__gte=since)
    if until is not None:
        qs = qs.filter(due_at__lt=until)
    status = Deadline.Status
    counts = (
        qs.values("rule")
        .annotate(
            pending=Count("pk", filter=Q(status=status.PENDING)),
            met_on_time=Count("pk", filter=Q(status=status.MET, resolved_at__lte=F("due_at"))),
            met_late=Count("pk", filter=Q(status=status.MET, resolved_at__gt=F("due_at"))),
            enforced=Count("pk", filter=Q(status=status.ENFORCED)),
            cancelled=Count("pk", filter=Q(status=status.CANCELLED)),
        )
        .order_by("rule")
    )
    lateness: dict[str, list[timedelta]] = defaultdict(list)
    for rule_name, late in qs.filter(status=status.ENFORCED, lateness__isnull=False).values_list(
        "rule", "lateness"
    ):
        if late is not None:
            lateness[rule_name].append(late)
    figures = []
    for row in counts:
        values = sorted(lateness.get(row["rule"], []))
        figures.append(
            RuleSla(
                rule=row["rule"],
                pending=row["pending"],
                met_on_time=row["met_on_time"],
                met_late=row["met_late"],
                enforced=row["enforced"],
                cancelled=row["cancelled"],
                lateness_p50=percentile(values, 0.50),
                lateness_p95=percentile(values, 0.95),
                lateness_max=values[-1] if values else None,
            )
        )
    return figures


def percentile(values: list[timedelta], q: float) -> timedelta | None:
    """Linear-interpolation percentile of sorted ``values`` (``percentile_cont``); ``None`` if empty."""
    if not values:
        return None
    position = (len(values) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)
