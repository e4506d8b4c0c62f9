"""VIO-4: appeals against violations."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.clocks import RULE_APPEAL_REVIEW
from merchants.models import MerchantMember, Penalty, Violation, ViolationAppeal
from merchants.selectors.figures import merchant_track_points
from merchants.services._common import _notify_owner, _notify_staff, _require_appeal_reviewer
from merchants.services.credit import _credit_refresh_on_commit
from merchants.services.lifecycle import merchant_lock
from merchants.services.penalties import penalty_lift
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_meet, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput, Unprocessable
from platform_core.locking import lock


@transaction.atomic
def violation_appeal_submit(
    *, violation: Violation, statement: str, evidence: dict[str, Any], actor: User
) -> ViolationAppeal:
    """VIO-4: the shop owner (or operations) appeals within 7 days of the violation; staff then have
    5 working days (deadline ``merchants.appeal_review``). One appeal per violation."""
    if not MerchantMember.objects.filter(
        merchant=violation.merchant,
        user=actor,
        role__in=[MerchantMember.Role.OWNER, MerchantMember.Role.OPERATIONS],
        is_active=True,
    ).exists():
        raise Forbidden(_("Only the shop owner or operations staff may appeal."), code="not_allowed")
    if not statement.strip():
        raise InvalidInput(
            _("Explain why the violation is wrong."),
            code="statement_missing",
            errors={"statement": [_("Required.")]},
        )
    violation = lock(Violation, violation.pk)
    closes_at = violation.created_at + settings.MERCHANT_APPEAL_WINDOW
    if clock.now() > closes_at:
        raise Unprocessable(
            _(
                "Appeals must be made within %(days)d days of the violation; the period for this one "
                "ended on %(when)s."
            )
            % {
                "days": settings.MERCHANT_APPEAL_WINDOW.days,
                "when": timezone.localtime(closes_at).strftime("%Y-%m-%d %H:%M"),
            },
            code="appeal_period_over",
        )
    if violation.voided_at is not None:
        raise Conflict(_("This violation was already voided."), code="violation_voided")
    if ViolationAppeal.objects.filter(violation=violation).exists():
        raise Conflict(_("This violation has already been appealed."), code="already_appealed")
    appeal = ViolationAppeal.objects.create(
        violation=violation, statement=statement, evidence=evidence, submitted_by=actor
    )
    deadline_start(
        rule=RULE_APPEAL_REVIEW, subject=appeal, working_days=settings.MERCHANT_APPEAL_REVIEW_WORKING_DAYS
    )
    audit_record(
        actor=actor,
        action="merchant.violation_appealed",
        subject=violation.merchant,
        after={"violation": violation.pk, "appeal": appeal.pk},
    )
    _notify_staff(
        event="merchant_violation_appealed",
        title=_("New violation appeal"),
        body=_("%(merchant)s appeals %(violation)s.")
        % {"merchant": violation.merchant, "violation": violation},
        subject=appeal,
        role=Role.STAFF_COMPLIANCE,
    )
    return appeal


@transaction.atomic
def violation_appeal_decide(
    *, appeal: ViolationAppeal, overturn: bool, reason: str, actor: User
) -> ViolationAppeal:
    """VIO-4: staff uphold the violation or overturn it, with the reason sent to the merchant.

    Overturning voids the violation's points and lifts (as overturned) every penalty of that year and
    track whose threshold the remaining points no longer reach.
    """
    _require_appeal_reviewer(actor)
    if not reason.strip():
        raise InvalidInput(
            _("Give the reason for the decision."), code="reason_missing", errors={"reason": [_("Required.")]}
        )
    merchant = merchant_lock(merchant_id=appeal.violation.merchant.pk)
    appeal = ViolationAppeal.objects.select_for_update().select_related("violation").get(pk=appeal.pk)
    if overturn:
        appeal.overturn(decided_by=actor, reason=reason)
    else:
        appeal.uphold(decided_by=actor, reason=reason)
    appeal.save()
    deadline_meet(rule=RULE_APPEAL_REVIEW, subject=appeal)
    violation = appeal.violation
    if overturn:
        violation.voided_at = clock.now()
        violation.voided_reason = reason[:500]
        violation.save(update_fields=["voided_at", "voided_reason"])
        remaining = merchant_track_points(merchant=merchant, track=violation.track, year=violation.year)
        for penalty in Penalty.objects.filter(
            merchant=merchant,
            year=violation.year,
            track=violation.track,
            overturned=False,
            threshold__gt=remaining,
        ).order_by("pk"):
            penalty.overturned = True
            penalty.save(update_fields=["overturned"])
            penalty_lift(penalty=penalty, reason=Penalty.LiftReason.APPEAL, note=reason, actor=actor)
        _credit_refresh_on_commit(merchant)
    audit_record(
        actor=actor,
        action=f"merchant.violation_appeal_{appeal.status}",
        subject=merchant,
        after={"appeal": appeal.pk, "violation": violation.pk},
        reason=reason,
    )
    _notify_owner(
        merchant,
        event=f"merchant_violation_appeal_{appeal.status}",
        title=_("Your appeal: %(status)s") % {"status": appeal.get_status_display()},
        body=reason,
        subject=appeal,
    )
    return appeal


@transaction.atomic
def appeal_review_overdue(*, appeal: ViolationAppeal) -> None:
    """VIO-4: an appeal waited past its 5 working days: record it and tell compliance."""
    if appeal.status != ViolationAppeal.Status.SUBMITTED:
        return
    audit_record(
        actor=None,
        action="merchant.appeal_review_overdue",
        subject=appeal.violation.merchant,
        after={"appeal": appeal.pk},
    )
    _notify_staff(
        event="merchant_appeal_review_overdue",
        title=_("Appeal decision overdue"),
        body=_("%(appeal)s has waited past its 5-working-day deadline.") % {"appeal": str(appeal)},
        subject=appeal,
        role=Role.STAFF_COMPLIANCE,
    )
