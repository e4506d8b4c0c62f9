"""The names of the jury app's clocks: its deadline rules (OPS-1). The handlers are in
``jury/deadlines.py``; services start, meet and cancel the clocks by these names (decision 018)."""

RULE_VERDICT_DUE = "jury.verdict_due"
