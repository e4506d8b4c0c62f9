"""DSP-2: the evidence stage (3 days), then on to mediation."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.uploads import evidence_check_all
from disputes.models import Dispute, DisputeEvidence, DisputeEvidenceFile, Party
from disputes.services._common import (
    MEDIATION_WINDOW,
    S,
    _event,
    _require_party,
    _start_stage_clock,
    _tell,
    _tell_parties,
    _when,
    dispute_lock,
)
from platform_core.accounts.models import User
from platform_core.errors import Conflict, InvalidInput


@transaction.atomic
def dispute_evidence_submit(
    *, dispute: Dispute, statement: str, files: list[Any] | None = None, actor: User
) -> DisputeEvidence:
    """DSP-2, SEC-4: a party's statement and files (PDF/JPEG/PNG by content, size-capped), while the case
    is in evidence or mediation. The other side sees it."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    party = _require_party(dispute, actor)
    if dispute.status not in (S.EVIDENCE, S.MEDIATION):
        raise Conflict(_("Evidence is no longer accepted in this case."), code="evidence_closed")
    if not statement.strip():
        raise InvalidInput(_("A statement is required."), errors={"statement": [_("Required.")]})
    files = list(files or [])
    types = evidence_check_all(files)
    evidence = DisputeEvidence.objects.create(
        dispute=dispute, party=party, submitted_by=actor, statement=statement
    )
    for file, content_type in zip(files, types, strict=True):
        DisputeEvidenceFile.objects.create(
            evidence=evidence, file=file, content_type=content_type, size=file.size or 0
        )
    _event(dispute, action="evidence_submitted", actor=actor, note=party)
    other = dispute.order.merchant.owner if party == Party.CUSTOMER else dispute.order.customer
    _tell(
        other,
        dispute,
        event="dispute_evidence_submitted",
        title=_("New evidence in your dispute"),
        body=_("The other party submitted evidence in dispute #%(id)s; you may answer it.")
        % {"id": dispute.pk},
    )
    return evidence


def dispute_evidence_window_closed(*, dispute: Dispute) -> None:
    """DSP-2a: the evidence window ran out; the case proceeds on what is on file (the deadline handler)."""
    if dispute.status != S.EVIDENCE:
        return
    _to_mediation(dispute, actor=None)


def _to_mediation(dispute: Dispute, *, actor: User | None) -> None:
    before = dispute.status
    dispute.mediate()
    dispute.save()
    due = _start_stage_clock(dispute, after=MEDIATION_WINDOW)
    _event(dispute, action="mediation_started", actor=actor, from_status=before)
    _tell_parties(
        dispute,
        event="dispute_mediation",
        title=_("Your dispute is in mediation"),
        body=_(
            "Dispute #%(id)s: a mediator will propose a settlement; accept or reject it by %(due)s, "
            "otherwise the arbitration committee decides."
        )
        % {"id": dispute.pk, "due": _when(due)},
    )
