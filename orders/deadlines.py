"""What happens when an order's clock runs out (OPS-1); the engine calls these with the order locked."""

from orders.clocks import (
    RULE_AFTERSALES_WINDOW,
    RULE_AUTO_CONFIRM,
    RULE_DELIVERY_CASE,
    RULE_DELIVERY_STALL,
    RULE_PAYMENT_TIMEOUT,
    RULE_SHIP_BY,
)
from orders.models import Order
from orders.services.checkout import order_expire_unpaid
from orders.services.delivery import (
    delivery_case_expire_with_window,
    delivery_case_lapse,
    order_delivery_stalled,
)
from orders.services.fulfilment import order_confirm_receipt, order_ship_deadline_missed
from orders.services.settlement import order_aftersales_window_close
from platform_core.deadlines.registry import deadline_rule


@deadline_rule(RULE_PAYMENT_TIMEOUT, description="ORD-3: unpaid orders are cancelled after 30 minutes")
def payment_timeout(order: Order) -> None:
    order_expire_unpaid(order=order)


@deadline_rule(RULE_SHIP_BY, description="ORD-4: a paid order ships within 72 hours of payment")
def ship_by_missed(order: Order) -> None:
    order_ship_deadline_missed(order=order)


@deadline_rule(
    RULE_AUTO_CONFIRM, description="ORD-6: receipt is confirmed automatically 10 days after shipping"
)
def auto_confirm(order: Order) -> None:
    order_confirm_receipt(order=order, actor=None, automatic=True)


@deadline_rule(
    RULE_AFTERSALES_WINDOW,
    description="PAY-4: the after-sales window closes; escrow is settled unless held",
)
def aftersales_window_closed(order: Order) -> None:
    delivery_case_expire_with_window(order=order)  # ORD-10: a refund never taken ends with the window
    order_aftersales_window_close(order=order)


@deadline_rule(
    RULE_DELIVERY_STALL,
    description="ORD-10: no tracking movement for 72 hours after shipping opens a delivery case",
)
def delivery_stalled(order: Order) -> None:
    order_delivery_stalled(order=order)


@deadline_rule(
    RULE_DELIVERY_CASE,
    description="ORD-10: a delivery case not resolved by the merchant within 48 hours lapses",
)
def delivery_case_lapsed(order: Order) -> None:
    delivery_case_lapse(order=order)
