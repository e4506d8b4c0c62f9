"""VIO-1: recording a violation (its penalty and credit follow)."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from merchants.models import Merchant, Violation
from merchants.policies import VIOLATION_POLICY
from merchants.services._common import _notify_owner
from merchants.services.credit import _credit_refresh_on_commit
from merchants.services.lifecycle import merchant_lock
from merchants.services.penalties import _penalty_for_violation
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import InvalidInput


@transaction.atomic
def violation_record(
    *, merchant: Merchant, kind: str, evidence: dict[str, Any], source: str, actor: User | None = None
) -> Violation:
    """VIO-1, VIO-2, VIO-3: record a violation and apply the penalty whose threshold it crosses.

    Points and track come from ``VIOLATION_POLICY`` by kind. The points count in their track for the
    calendar year; crossing a threshold of ``MERCHANT_PENALTY_THRESHOLDS`` imposes its measure at once (listing
    or trading restriction, suspension, ban) through the lifecycle services, with an end clock that lifts
    it and a publication clock (VIO-5). The merchant is told; its credit is recomputed after commit.
    """
    policy = VIOLATION_POLICY.get(kind)
    if policy is None:
        raise InvalidInput(
            _("Unknown violation kind %(kind)s.") % {"kind": kind}, code="unknown_violation_kind"
        )
    if source not in Violation.Source.values:
        raise InvalidInput(_("Unknown violation source."), code="unknown_violation_source")
    merchant = merchant_lock(merchant_id=merchant.pk)
    violation = Violation.objects.create(
        merchant=merchant,
        kind=kind,
        points=policy.points,
        track=policy.track,
        evidence=evidence,
        source=source,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="merchant.violation_recorded",
        subject=merchant,
        after={
            "violation": violation.pk,
            "kind": kind,
            "points": policy.points,
            "track": policy.track,
            "source": source,
        },
    )
    _notify_owner(
        merchant,
        event="merchant_violation_recorded",
        title=_("Violation recorded"),
        body=_("%(kind)s: %(points)d points (%(track)s). You may appeal within %(days)d days.")
        % {
            "kind": kind,
            "points": policy.points,
            "track": policy.track,
            "days": settings.MERCHANT_APPEAL_WINDOW.days,
        },
        subject=violation,
    )
    _penalty_for_violation(merchant=merchant, violation=violation)
    _credit_refresh_on_commit(merchant)
    return violation
