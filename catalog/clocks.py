"""The names of the catalog app's clocks: its deadline rules (OPS-1). The handlers are in
``catalog/deadlines.py``; services start, meet and cancel the clocks by these names (decision 018)."""

IP_COUNTER_RULE = "catalog.ip_counter_notice_window"
REVIEW_RULE = "catalog.listing_review"
STOCK_CONFIRM_RULE = "catalog.assisted_stock_confirm"
RECHECK_RULE = "catalog.recheck_correction"
