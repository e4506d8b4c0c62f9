"""The names of the merchants app's clocks: its deadline rules (OPS-1). The handlers are in
``merchants/deadlines.py``; services start, meet and cancel the clocks by these names (decision 018)."""

RULE_AGREEMENT_EFFECTIVE = "merchants.agreement_effective"
RULE_APPEAL_REVIEW = "merchants.appeal_review"
RULE_APPLICATION_REVIEW = "merchants.application_review"
RULE_CHANGE_VERIFY = "merchants.change_verify"
RULE_DOCUMENT_EXPIRED = "merchants.document_expired"
RULE_DOCUMENT_FIRST_WARNING = "merchants.document_expiry_first_warning"
RULE_DOCUMENT_LAST_WARNING = "merchants.document_expiry_last_warning"
RULE_PENALTY_END = "merchants.penalty_end"
RULE_PENALTY_PUBLISH = "merchants.penalty_publish"
RULE_REVERIFY_DUE = "merchants.reverify_due"
RULE_REVERIFY_OVERDUE = "merchants.reverify_overdue"
