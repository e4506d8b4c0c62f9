"""VIO-2, VIO-3, VIO-5: penalties: imposed at a threshold, lifted, ended, published."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.clocks import RULE_PENALTY_END, RULE_PENALTY_PUBLISH
from merchants.models import Merchant, Penalty, Violation
from merchants.policies import PenaltyThreshold, penalty_thresholds
from merchants.selectors.figures import merchant_track_points, year_bounds
from merchants.selectors.violations import penalties_in_force
from merchants.services._common import C, S, _notify_owner, _notify_staff, _require_appeal_reviewer
from merchants.services.lifecycle import (
    merchant_ban,
    merchant_lock,
    merchant_reinstate,
    merchant_restrict,
    merchant_suspend,
    merchant_unrestrict,
)
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_start
from platform_core.errors import InvalidInput
from platform_core.locking import lock


def _penalty_for_violation(*, merchant: Merchant, violation: Violation) -> Penalty | None:
    """VIO-2: the highest threshold of the track this violation's points crossed, once a year per track.

    A shop that is not trading (onboarding, closed, banned) keeps the points but gets no measure.
    """
    if merchant.status not in (S.ACTIVE, S.RESTRICTED, S.SUSPENDED):
        return None
    year = violation.year
    total = merchant_track_points(merchant=merchant, track=violation.track, year=year)
    before = total - violation.points
    crossed = [t for t in penalty_thresholds(violation.track) if before < t.points <= total]
    if not crossed:
        return None
    threshold = crossed[-1]
    if Penalty.objects.filter(
        merchant=merchant, year=year, track=threshold.track, threshold=threshold.points, overturned=False
    ).exists():
        return None
    return _penalty_impose(merchant=merchant, threshold=threshold, year=year, trigger=violation)


def _penalty_impose(
    *, merchant: Merchant, threshold: PenaltyThreshold, year: int, trigger: Violation
) -> Penalty:
    now = clock.now()
    measure = threshold.measure
    ends_at = None if threshold.days is None else now + timedelta(days=threshold.days)
    reason = _("%(points)d %(track)s violation points in %(year)d: %(measure)s.") % {
        "points": threshold.points,
        "track": threshold.track,
        "year": year,
        "measure": Penalty.Measure(measure).label,
    }
    penalty = Penalty.objects.create(
        merchant=merchant,
        measure=measure,
        track=threshold.track,
        year=year,
        threshold=threshold.points,
        trigger=trigger,
        reason=reason,
        starts_at=now,
        ends_at=ends_at,
    )
    year_start, year_end = year_bounds(year)
    penalty.violations.set(
        Violation.objects.filter(
            merchant=merchant,
            track=threshold.track,
            voided_at__isnull=True,
            created_at__gte=year_start,
            created_at__lt=year_end,
        )
    )
    M = Penalty.Measure
    if measure == M.LISTING_RESTRICTION:
        merchant_restrict(merchant=merchant, cause=C.VIOLATION, reason=reason, actor=None)
    elif measure == M.TRADING_RESTRICTION:
        merchant_restrict(merchant=merchant, cause=C.TRADING_RESTRICTION, reason=reason, actor=None)
    elif measure == M.SUSPENSION:
        merchant_suspend(merchant=merchant, cause=C.VIOLATION, reason=reason, actor=None)
    elif measure == M.BAN:
        merchant_ban(merchant=merchant, reason=reason, actor=None)
    if measure != M.WARNING:
        if ends_at is not None:
            deadline_start(rule=RULE_PENALTY_END, subject=penalty, due_at=ends_at)
        deadline_start(
            rule=RULE_PENALTY_PUBLISH,
            subject=penalty,
            working_days=settings.MERCHANT_PENALTY_PUBLISH_WORKING_DAYS,
        )
    audit_record(
        actor=None,
        action="merchant.penalty_imposed",
        subject=merchant,
        after={
            "penalty": penalty.pk,
            "measure": measure,
            "track": threshold.track,
            "threshold": threshold.points,
            "ends_at": ends_at.isoformat() if ends_at else None,
        },
        reason=reason,
    )
    body = reason
    if ends_at is not None and measure != M.WARNING:
        body += " " + _("Until %(when)s.") % {"when": timezone.localtime(ends_at).strftime("%Y-%m-%d %H:%M")}
    _notify_owner(
        merchant,
        event="merchant_penalty_imposed",
        title=_("Penalty: %(measure)s") % {"measure": Penalty.Measure(measure).label},
        body=body,
        subject=penalty,
    )
    return penalty


def _penalty_undo(penalty: Penalty) -> None:
    """Take the measure back, unless another penalty in force still needs the same cause."""
    M = Penalty.Measure
    merchant = penalty.merchant
    if penalty.measure == M.WARNING:
        return
    if penalty.measure == M.BAN:
        # MER-8: a ban is terminal; compliance reviews the case by hand.
        _notify_staff(
            event="merchant_ban_needs_review",
            title=_("A ban lost its grounds"),
            body=_("The penalty %(penalty)s was lifted; the shop stays banned until staff decide.")
            % {"penalty": str(penalty)},
            subject=penalty,
            role=Role.STAFF_COMPLIANCE,
        )
        return
    if (
        penalties_in_force()
        .filter(merchant=merchant, measure=penalty.measure)
        .exclude(pk=penalty.pk)
        .exists()
    ):
        return
    reason = _("Penalty lifted: %(reason)s") % {"reason": penalty.get_lifted_reason_display()}
    if penalty.measure == M.LISTING_RESTRICTION:
        merchant_unrestrict(merchant=merchant, cause=C.VIOLATION, reason=reason, actor=None)
    elif penalty.measure == M.TRADING_RESTRICTION:
        merchant_unrestrict(merchant=merchant, cause=C.TRADING_RESTRICTION, reason=reason, actor=None)
    elif penalty.measure == M.SUSPENSION:
        merchant_reinstate(merchant=merchant, cause=C.VIOLATION, reason=reason, actor=None)


@transaction.atomic
def penalty_lift(*, penalty: Penalty, reason: str, note: str = "", actor: User | None) -> Penalty:
    """VIO-3, VIO-4: lift a penalty (at its end, after an appeal, or by staff); idempotent.

    The merchant returns to the state its other causes allow: only this penalty's cause is lifted, and
    only when no other penalty in force needs it.
    """
    if reason not in Penalty.LiftReason.values:
        raise InvalidInput(_("Unknown reason for lifting."), code="unknown_lift_reason")
    if reason == Penalty.LiftReason.STAFF:
        _require_appeal_reviewer(actor)
        if not note.strip():
            raise InvalidInput(_("Give the reason for lifting the penalty."), code="reason_missing")
    merchant_lock(merchant_id=penalty.merchant.pk)
    penalty = Penalty.objects.select_for_update().select_related("merchant").get(pk=penalty.pk)
    if penalty.lifted_at is not None:
        return penalty
    penalty.lifted_at = clock.now()
    penalty.lifted_reason = reason
    penalty.lifted_note = note[:500]
    penalty.save(update_fields=["lifted_at", "lifted_reason", "lifted_note"])
    if reason == Penalty.LiftReason.EXPIRED:
        deadline_meet(rule=RULE_PENALTY_END, subject=penalty)
    else:
        deadline_cancel(rule=RULE_PENALTY_END, subject=penalty, note=f"lifted: {reason}")
    deadline_cancel(rule=RULE_PENALTY_PUBLISH, subject=penalty, note="lifted before publication")
    _penalty_undo(penalty)
    audit_record(
        actor=actor,
        action="merchant.penalty_lifted",
        subject=penalty.merchant,
        after={"penalty": penalty.pk, "measure": penalty.measure, "reason": reason},
        reason=note,
    )
    if penalty.measure != Penalty.Measure.WARNING:
        _notify_owner(
            penalty.merchant,
            event="merchant_penalty_lifted",
            title=_("Penalty lifted: %(measure)s") % {"measure": penalty.get_measure_display()},
            body=penalty.get_lifted_reason_display() + (f" {note}" if note else ""),
            subject=penalty,
        )
    return penalty


@transaction.atomic
def penalty_end(*, penalty: Penalty) -> None:
    """VIO-3: the deadline engine ends a penalty at ``ends_at``; no one has to act."""
    if penalty.lifted_at is None:
        penalty_lift(penalty=penalty, reason=Penalty.LiftReason.EXPIRED, actor=None)


@transaction.atomic
def penalty_publish(*, penalty: Penalty, actor: User | None) -> Penalty:
    """VIO-5: make a penalty in force public (list and profile); at the latest 1 working day after it
    started (deadline ``merchants.penalty_publish``), earlier if staff publish it. Idempotent."""
    if actor is not None:
        _require_appeal_reviewer(actor)
    penalty = lock(Penalty, penalty.pk)
    if penalty.published_at is not None or penalty.lifted_at is not None:
        return penalty
    penalty.published_at = clock.now()
    penalty.save(update_fields=["published_at"])
    deadline_meet(rule=RULE_PENALTY_PUBLISH, subject=penalty)
    audit_record(
        actor=actor,
        action="merchant.penalty_published",
        subject=penalty.merchant,
        after={"penalty": penalty.pk},
    )
    return penalty
