"""Delivery problems (ORD-10): some parcels get a carrier exception, some stop moving; the merchant
reships or agrees a refund in time — or not, and the customer takes the full refund."""

from django.conf import settings

from orders.logistics import sandbox_webhook
from orders.logistics.kuaidi100 import BEIJING, kuaidi100_push
from orders.models import DeliveryCase, Order
from orders.services.delivery_resolution import (
    delivery_case_agree_refund,
    delivery_case_refund,
    delivery_case_reship,
)
from orders.services.fulfilment import logistics_callback_receive
from simulation.base import SimulationBase


class DeliveryProblemBehaviour(SimulationBase):
    # --- the carrier loses a parcel (ORD-10) --------------------------------------------------------------

    def delivery_problem_maybe(self, order_id: int) -> bool:
        """After shipping: with ``delivery_problem_chance`` the parcel goes wrong (half of those with a
        carrier exception, half silently — the 72-hour clock finds them); the merchant's reaction is
        scheduled once the case can have opened."""
        if self.rng.random() >= self.config.delivery_problem_chance:
            return False
        self.tally.delivery_problem_order_ids.append(order_id)
        if self.rng.random() < 0.5:
            self.tally.counts["delivery.exceptions_planned"] += 1
            self.schedule(self.rng.randint(1, 6), "delivery_exception", order_id)
            react = self.rng.randint(2, 7)
        else:
            self.tally.counts["delivery.stalls_planned"] += 1
            react = self.ticks(settings.ORDERS_DELIVERY_STALL_AFTER) + self.rng.randint(1, 3)
        self.schedule(react, "delivery_case_react", order_id)
        return True

    def do_delivery_exception(self, order_id: int) -> None:
        """The carrier reports the problem: through 快递100's signed push (疑难 / 退回, mapped to an exception
        by the adapter) when this deployment enables 快递100, for every other parcel; else the sandbox's."""
        order = Order.objects.get(pk=order_id)
        at = self.at(self.tick)
        if (
            "kuaidi100" in settings.ORDERS_LOGISTICS_CARRIERS
            and settings.ORDERS_KUAIDI100_SALT
            and order_id % 2
        ):
            code, status, context = self.rng.choice(
                [
                    ("204", "疑难", "派件异常：收件人地址不详"),
                    ("209", "疑难", "快件破损"),
                    ("6", "退回", "快件退回寄件人"),
                ]
            )
            body = kuaidi100_push(
                courier=order.carrier,
                number=order.tracking_number,
                items=[
                    {
                        "context": context,
                        "ftime": at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                        "status": status,
                        "statusCode": code,
                        "areaName": "浙江省,杭州市",
                    }
                ],
                salt=settings.ORDERS_KUAIDI100_SALT,
            )
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if self.call(
                "carrier_callback",
                logistics_callback_receive,
                carrier="kuaidi100",
                headers=headers,
                body=body,
            ):
                self.tally.counts["delivery.exceptions_reported"] += 1
                self.tally.counts["delivery.exceptions_reported_kuaidi100"] += 1
            return
        headers, body = sandbox_webhook(
            event_id=f"sim-exception-{order_id}",
            tracking_number=order.tracking_number,
            kind="exception",
            at=at,
            location="转运中心",
            description="包裹破损，暂停派送",
        )
        if self.call(
            "carrier_callback", logistics_callback_receive, carrier="sandbox", headers=headers, body=body
        ):
            self.tally.counts["delivery.exceptions_reported"] += 1

    def do_delivery_case_react(self, order_id: int) -> None:
        """The merchant's answer: diligent shops reship or refund; ignorers and late shippers let it lapse,
        and the customer comes back for the full refund after the 48 hours."""
        case = DeliveryCase.objects.filter(order_id=order_id, status=DeliveryCase.Status.OPEN).first()
        if case is None:
            return
        merchant = self.merchants_by_pk[case.order.merchant_id]
        if merchant.kind in ("ignorer", "late_shipper"):
            self.tally.counts["delivery.cases_ignored"] += 1
            wait = self.ticks(settings.ORDERS_DELIVERY_CASE_WITHIN) + self.rng.randint(1, 3)
            self.schedule(wait, "delivery_case_refund", case.pk)
            return
        if self.rng.random() < 0.6:
            if self.call(
                "delivery_reship",
                delivery_case_reship,
                case=case,
                carrier="sandbox",
                tracking_number=f"SIMX{order_id:010d}",
                actor=merchant.owner,
            ):
                self.tally.counts["delivery.reshipped"] += 1
                self.schedule(self.rng.randint(3, 12), "deliver", order_id)
        elif self.call("delivery_agree_refund", delivery_case_agree_refund, case=case, actor=merchant.owner):
            self.tally.counts["delivery.refunds_agreed"] += 1

    def do_delivery_case_refund(self, case_id: int) -> None:
        case = DeliveryCase.objects.select_related("order").get(pk=case_id)
        if self.call("delivery_refund", delivery_case_refund, case=case, actor=case.order.customer):
            self.tally.counts["delivery.refunded_after_lapse"] += 1
