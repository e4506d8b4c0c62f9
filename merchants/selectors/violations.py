"""VIO-2..VIO-5: violations, penalties and appeals."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from merchants.models import Merchant, Penalty, Violation, ViolationAppeal
from platform_core import clock
from platform_core.errors import NotFound


def penalties_in_force() -> QuerySet[Penalty]:
    now = clock.now()
    return (
        Penalty.objects.filter(lifted_at__isnull=True, starts_at__lte=now)
        .exclude(measure=Penalty.Measure.WARNING)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    )


def penalty_list_public() -> QuerySet[Penalty]:
    """VIO-5: penalties in force and published, newest first, for the public list and profiles."""
    return (
        penalties_in_force()
        .filter(published_at__isnull=False)
        .select_related("merchant", "trigger")
        .order_by("-starts_at", "-pk")
    )


def penalty_list_for_merchant(*, merchant: Merchant) -> QuerySet[Penalty]:
    return penalties_in_force().filter(merchant=merchant).select_related("trigger").order_by("-starts_at")


def violation_list_for_merchant(*, merchant: Merchant) -> QuerySet[Violation]:
    """The merchant's violations of the past 365 days, newest first, with any appeal."""
    since = clock.now() - timedelta(days=365)
    return (
        Violation.objects.filter(merchant=merchant, created_at__gte=since)
        .select_related("appeal")
        .order_by("-created_at", "-pk")
    )


def violation_get_for_merchant(*, merchant: Merchant, violation_id: int) -> Violation:
    violation = Violation.objects.filter(merchant=merchant, pk=violation_id).first()
    if violation is None:
        raise NotFound(_("No such violation."))
    return violation


def appeal_list_for_merchant(*, merchant: Merchant) -> QuerySet[ViolationAppeal]:
    return ViolationAppeal.objects.filter(violation__merchant=merchant).order_by("-submitted_at", "-pk")


def appeal_review_queue() -> QuerySet[ViolationAppeal]:
    """VIO-4: appeals waiting for a decision, oldest first."""
    return ViolationAppeal.objects.filter(status=ViolationAppeal.Status.SUBMITTED).order_by(
        "submitted_at", "pk"
    )
