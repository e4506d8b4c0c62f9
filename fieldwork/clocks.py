"""The names of the fieldwork app's clocks: its deadline rules (OPS-1). The handlers are in
``fieldwork/deadlines.py``; services start, meet and cancel the clocks by these names (decision 018)."""

RULE_SCHEDULE_WITHIN = "fieldwork.schedule_within"
