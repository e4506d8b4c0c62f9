"""The names of the staff app's clocks: its deadline rules (OPS-1). The handlers are in
``staff/deadlines.py``; services start, meet and cancel the clocks by these names (decision 018)."""

GRANT_EXPIRY_RULE = "staff.permission_grant_expiry"
REVIEW_RULE = "staff.permission_review_due"
