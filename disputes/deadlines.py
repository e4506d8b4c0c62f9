"""What happens when a dispute's clock runs out (OPS-1); the engine calls these with the dispute locked."""

from disputes import services
from disputes.models import Dispute
from platform_core.deadlines.registry import deadline_rule


@deadline_rule(
    services.RULE_EVIDENCE_WINDOW,
    description="DSP-2, DSP-2a: 3 days for evidence; then mediation on what is on file",
)
def evidence_window_closed(dispute: Dispute) -> None:
    services.dispute_evidence_window_closed(dispute=dispute)


@deadline_rule(
    services.RULE_MEDIATION_WINDOW,
    description="DSP-2, DSP-3: 3 days of mediation; without agreement the committee arbitrates",
)
def mediation_window_closed(dispute: Dispute) -> None:
    services.dispute_mediation_window_closed(dispute=dispute)


@deadline_rule(
    services.RULE_RULING_DUE,
    description="DSP-3, DSP-4: a ruling within 7 days (overdue goes to the head); a silent panel is reconvened",
)
def ruling_overdue(dispute: Dispute) -> None:
    services.dispute_ruling_overdue(dispute=dispute)


@deadline_rule(
    services.RULE_APPEAL_WINDOW,
    description="DSP-4: 3 days to appeal a ruling; then it is final and executes",
)
def appeal_window_closed(dispute: Dispute) -> None:
    services.dispute_appeal_window_closed(dispute=dispute)


@deadline_rule(
    services.RULE_EXECUTE_RULING,
    description="DSP-4: a final ruling executes itself within 24 hours (money, penalty, after-sales)",
)
def execute_ruling(dispute: Dispute) -> None:
    services.dispute_execute(dispute=dispute, actor=None)


@deadline_rule(
    services.RULE_SUSPENSION_END,
    description="DSP-2a: a suspension lasts at most 30 days; then the case resumes by itself",
)
def suspension_ended(dispute: Dispute) -> None:
    services.dispute_suspension_ended(dispute=dispute)


@deadline_rule(
    services.RULE_PANEL_RECONVENED,
    description="DSP-4: a reconvened appeal panel has 3 more days; without a majority the ruling stands",
)
def panel_reconvened_deadline(dispute: Dispute) -> None:
    services.dispute_panel_deadline_passed(dispute=dispute)


@deadline_rule(
    services.RULE_RETURN_SHIP_BY,
    description="DSP-4, AFS-4: 7 days to ship a required return; otherwise the refund part lapses",
)
def return_ship_by(dispute: Dispute) -> None:
    services.dispute_return_ship_by_passed(dispute=dispute)


@deadline_rule(
    services.RULE_RETURN_RECEIPT,
    description="DSP-4, AFS-4: the merchant confirms the return within 7 days, else it is confirmed for them",
)
def return_receipt(dispute: Dispute) -> None:
    services.dispute_return_receipt_due(dispute=dispute)
