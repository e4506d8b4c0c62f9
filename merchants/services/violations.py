"""VIO-1: recording a violation (its penalty and credit follow)."""

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from merchants.models import Merchant, Violation
from merchants.policies import STAFF_VIOLATION_KINDS, VIOLATION_KIND_LABELS, VIOLATION_POLICY
from merchants.services._common import _notify_owner
from merchants.services.credit import _credit_refresh_on_commit
from merchants.services.lifecycle import merchant_lock
from merchants.services.penalties import _penalty_for_violation
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import Forbidden, InvalidInput
from platform_core.uploads import evidence_store

#: VIO-1: recording a violation by hand is the Violation model's own add permission (advanced, staff).
RECORD_PERMISSION = "merchants.add_violation"


@transaction.atomic
def violation_record(
    *,
    merchant: Merchant,
    kind: str,
    evidence: dict[str, Any],
    source: str,
    actor: User | None = None,
    reason: str = "",
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
        reason=reason,
    )
    _notify_owner(
        merchant,
        event="merchant_violation_recorded",
        title=_("Violation recorded"),
        body=_("%(kind)s: %(points)d points (%(track)s). You may appeal within %(days)d days.")
        % {
            "kind": VIOLATION_KIND_LABELS.get(kind, kind),
            "points": policy.points,
            "track": policy.track,
            "days": settings.MERCHANT_APPEAL_WINDOW.days,
        },
        subject=violation,
    )
    _penalty_for_violation(merchant=merchant, violation=violation)
    _credit_refresh_on_commit(merchant)
    return violation


@transaction.atomic
def violation_record_by_staff(
    *, merchant: Merchant, kind: str, reason: str, evidence_file: UploadedFile | None, actor: User
) -> Violation:
    """VIO-1 (issue 21): a staff member holding ``merchants.add_violation`` records a violation by hand — one
    of ``STAFF_VIOLATION_KINDS``, with the reason and an evidence file (PDF, JPEG or PNG by content, SEC-4);
    the points come from the policy, the source is ``staff``; penalty, notice and credit follow as for any
    violation (``violation_record``)."""
    if not (actor.is_active and actor.is_staff and actor.has_perm(RECORD_PERMISSION)):
        raise Forbidden(_("You may not record violations."), code="permission_denied")
    if kind not in STAFF_VIOLATION_KINDS:
        raise InvalidInput(
            _("Staff cannot record this kind of violation."), errors={"kind": [_("Choose a listed kind.")]}
        )
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give the reason."), errors={"reason": [_("Required.")]})
    if evidence_file is None:
        raise InvalidInput(_("Attach the evidence."), errors={"evidence": [_("Required.")]})
    stored = evidence_store(
        evidence_file, folder="merchants/violations", max_bytes=settings.STAFF_ATTACHMENT_MAX_BYTES
    )
    return violation_record(
        merchant=merchant,
        kind=kind,
        evidence={"reason": reason, "file": stored},
        source=Violation.Source.STAFF,
        actor=actor,
        reason=reason,
    )
