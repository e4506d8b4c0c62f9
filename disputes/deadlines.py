"""What happens when a dispute's clock runs out (OPS-1); the engine calls these with the dispute locked."""

from disputes.clocks import (
    RULE_APPEAL_WINDOW,
    RULE_EVIDENCE_WINDOW,
    RULE_EXECUTE_RULING,
    RULE_MEDIATION_WINDOW,
    RULE_PANEL_RECONVENED,
    RULE_RETURN_RECEIPT,
    RULE_RETURN_SHIP_BY,
    RULE_RULING_DUE,
    RULE_SUSPENSION_END,
)
from disputes.models import Dispute
from disputes.services.appeal import dispute_appeal_window_closed, dispute_panel_deadline_passed
from disputes.services.arbitration import dispute_ruling_overdue
from disputes.services.evidence import dispute_evidence_window_closed
from disputes.services.execution import dispute_execute
from disputes.services.mediation import dispute_mediation_window_closed
from disputes.services.returns import dispute_return_receipt_due, dispute_return_ship_by_passed
from disputes.services.suspension import dispute_suspension_ended
from platform_core.deadlines.registry import deadline_rule


@deadline_rule(
    RULE_EVIDENCE_WINDOW,
    description="DSP-2, DSP-2a: 3 days for evidence; then mediation on what is on file",
)
def evidence_window_closed(dispute: Dispute) -> None:
    dispute_evidence_window_closed(dispute=dispute)


@deadline_rule(
    RULE_MEDIATION_WINDOW,
    description="DSP-2, DSP-3: 3 days of mediation; without agreement the committee arbitrates",
)
def mediation_window_closed(dispute: Dispute) -> None:
    dispute_mediation_window_closed(dispute=dispute)


@deadline_rule(
    RULE_RULING_DUE,
    description="DSP-3, DSP-4: a ruling within 7 days (overdue goes to the head); a silent panel is reconvened",
)
def ruling_overdue(dispute: Dispute) -> None:
    dispute_ruling_overdue(dispute=dispute)


@deadline_rule(
    RULE_APPEAL_WINDOW,
    description="DSP-4: 3 days to appeal a ruling; then it is final and executes",
)
def appeal_window_closed(dispute: Dispute) -> None:
    dispute_appeal_window_closed(dispute=dispute)


@deadline_rule(
    RULE_EXECUTE_RULING,
    description="DSP-4: a final ruling executes itself within 24 hours (money, penalty, after-sales)",
)
def execute_ruling(dispute: Dispute) -> None:
    dispute_execute(dispute=dispute, actor=None)


@deadline_rule(
    RULE_SUSPENSION_END,
    description="DSP-2a: a suspension lasts at most 30 days; then the case resumes by itself",
)
def suspension_ended(dispute: Dispute) -> None:
    dispute_suspension_ended(dispute=dispute)


@deadline_rule(
    RULE_PANEL_RECONVENED,
    description="DSP-4: a reconvened appeal panel has 3 more days; without a majority the ruling stands",
)
def panel_reconvened_deadline(dispute: Dispute) -> None:
    dispute_panel_deadline_passed(dispute=dispute)


@deadline_rule(
    RULE_RETURN_SHIP_BY,
    description="DSP-4, AFS-4: 7 days to ship a required return; otherwise the refund part lapses",
)
def return_ship_by(dispute: Dispute) -> None:
    dispute_return_ship_by_passed(dispute=dispute)


@deadline_rule(
    RULE_RETURN_RECEIPT,
    description="DSP-4, AFS-4: the merchant confirms the return within 7 days, else it is confirmed for them",
)
def return_receipt(dispute: Dispute) -> None:
    dispute_return_receipt_due(dispute=dispute)
