"""The names of the disputes app's clocks: its deadline rules (OPS-1). The handlers are in
``disputes/deadlines.py``; services start, meet and cancel the clocks by these names (decision 018)."""

RULE_APPEAL_WINDOW = "disputes.appeal_window"
RULE_EVIDENCE_WINDOW = "disputes.evidence_window"
RULE_EXECUTE_RULING = "disputes.execute_ruling"
RULE_MEDIATION_WINDOW = "disputes.mediation_window"
RULE_PANEL_RECONVENED = "disputes.panel_reconvened"
RULE_RETURN_RECEIPT = "disputes.return_receipt"
RULE_RETURN_SHIP_BY = "disputes.return_ship_by"
RULE_RULING_DUE = "disputes.ruling_due"
RULE_SUSPENSION_END = "disputes.suspension_end"
