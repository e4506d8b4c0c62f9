"""The names of the orders app's clocks: its deadline rules (OPS-1). The handlers are in
``orders/deadlines.py``; services start, meet and cancel the clocks by these names (decision 018)."""

RULE_AFTERSALES_WINDOW = "orders.aftersales_window"
RULE_AUTO_CONFIRM = "orders.auto_confirm"
RULE_DELIVERY_CASE = "orders.delivery_case"
RULE_DELIVERY_STALL = "orders.delivery_stall"
RULE_PAYMENT_TIMEOUT = "orders.payment_timeout"
RULE_SHIP_BY = "orders.ship_by"
