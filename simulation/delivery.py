"""Delivery, confirmation and after-sales (ORD-5, ORD-6, AFS-1..AFS-4)."""

from datetime import timedelta

from aftersales.models import AfterSalesRequest
from aftersales.services.requests import request_approve, request_create, request_refuse
from aftersales.services.returns import request_confirm_receipt, request_return_delivered, request_ship_return
from orders.logistics import sandbox_webhook
from orders.models import Order
from orders.services.fulfilment import logistics_callback_receive, order_confirm_receipt
from simulation.base import SimulationBase


class DeliveryBehaviour(SimulationBase):
    # --- delivery, confirmation and after-sales (ORD-5, ORD-6, AFS-1..AFS-4) ---------------------------------

    def do_deliver(self, order_id: int) -> None:
        order = Order.objects.get(pk=order_id)
        if order.status != Order.Status.SHIPPED:
            return
        headers, body = sandbox_webhook(
            event_id=f"sim-delivered-{order_id}",
            tracking_number=order.tracking_number,
            kind="delivered",
            at=self.at(self.tick),
            location="上海",
        )
        if self.call(
            "carrier_callback", logistics_callback_receive, carrier="sandbox", headers=headers, body=body
        ):
            self.tally.counts["orders.delivered"] += 1
        customer = self.customers_by_pk[order.customer_id]
        if customer.kind == "returner":
            self.schedule(self.rng.randint(1, 18), "aftersales_open", order_id, "no_reason")
        elif customer.kind == "shill":
            self.schedule(1, "confirm", order_id)
        elif customer.kind == "disputer":
            self.schedule(self.rng.randint(1, 6), "aftersales_open", order_id, "quality")
        elif customer.kind == "complainer":
            self.schedule(self.rng.randint(1, 4), "complain", order_id)
            self.schedule(self.rng.randint(1, 12), "confirm", order_id)
        elif customer.kind == "normal":
            if self.rng.random() < self.config.quality_refund_chance:
                self.schedule(self.rng.randint(1, 6), "aftersales_open", order_id, "quality")
            else:
                self.schedule(self.rng.randint(1, 12), "confirm", order_id)
        # never_confirms: the ORD-6 clock confirms for them

    def do_confirm(self, order_id: int) -> None:
        order = Order.objects.get(pk=order_id)
        if order.status not in (Order.Status.SHIPPED, Order.Status.DELIVERED):
            return
        if self.call("confirm", order_confirm_receipt, order=order, actor=order.customer):
            self.tally.counts["orders.confirmed_by_customer"] += 1
            customer = self.customers_by_pk[order.customer_id]
            if customer.kind == "shill" or self.rng.random() < self.config.review_chance:
                self.schedule(self.rng.randint(1, 6), "customer_review", order_id)

    def do_aftersales_open(self, order_id: int, reason_kind: str) -> None:
        order = Order.objects.get(pk=order_id)
        line = order.lines.order_by("pk").first()
        if line is None:
            return
        kind = (
            AfterSalesRequest.Kind.RETURN_REFUND
            if reason_kind == "no_reason"
            else AfterSalesRequest.Kind.REFUND_ONLY
        )
        request = self.call(
            "aftersales_create",
            request_create,
            customer=order.customer,
            order_id=order_id,
            line_id=line.pk,
            kind=kind,
            reason_kind=reason_kind,
            reason="不想要了" if reason_kind == "no_reason" else "商品有破损",
            amount=line.line_total,
            actor=order.customer,
        )
        if request is None:
            return
        self.tally.counts[f"aftersales.opened.{kind}"] += 1
        merchant = self.merchants_by_pk[order.merchant_id]
        if merchant.kind == "ignorer":
            self.tally.silent_request_ids.append(request.pk)
        else:
            slow = merchant.kind == "late_shipper"
            self.schedule(self.rng.randint(2, 4) if slow else self.rng.randint(1, 3), "respond", request.pk)
        if kind == AfterSalesRequest.Kind.RETURN_REFUND:
            # the customer checks after the merchant's 24 h have surely run out
            self.schedule(self.ticks(timedelta(hours=24)) + self.rng.randint(1, 4), "return_ship", request.pk)

    def do_respond(self, request_id: int) -> None:
        request = AfterSalesRequest.objects.get(pk=request_id)
        if request.status != AfterSalesRequest.Status.REQUESTED:
            return
        owner = self.merchants_by_pk[request.merchant_id].owner
        disputer = self.customers_by_pk[request.customer_id].kind == "disputer"
        refuse_chance = 0.7 if disputer else 0.2
        if request.reason_kind == AfterSalesRequest.ReasonKind.QUALITY and self.rng.random() < refuse_chance:
            if self.call(
                "aftersales_refuse", request_refuse, request=request, reason="照片显示商品完好", actor=owner
            ):
                self.tally.counts["aftersales.refused"] += 1
                if disputer:
                    self.schedule(self.rng.randint(1, 3), "dispute_open", request_id)
            return
        if self.call("aftersales_approve", request_approve, request=request, actor=owner):
            self.tally.counts["aftersales.approved_by_merchant"] += 1

    def do_return_ship(self, request_id: int) -> None:
        request = AfterSalesRequest.objects.get(pk=request_id)
        if request.status != AfterSalesRequest.Status.AWAITING_RETURN:
            return
        if self.call(
            "return_ship",
            request_ship_return,
            request=request,
            carrier="sandbox",
            tracking_number=f"SIMR{request_id:09d}",
            actor=request.customer,
        ):
            self.tally.counts["aftersales.returns_shipped"] += 1
            self.schedule(self.rng.randint(3, 10), "return_deliver", request_id)

    def do_return_deliver(self, request_id: int) -> None:
        request = AfterSalesRequest.objects.get(pk=request_id)
        if self.call("return_delivered", request_return_delivered, request=request, actor=None) is None:
            return
        merchant = self.merchants_by_pk[request.merchant_id]
        if merchant.kind != "ignorer":  # ignorers leave the AFS-4 receipt clock to confirm for them
            self.schedule(self.rng.randint(1, 8), "return_confirm", request_id)

    def do_return_confirm(self, request_id: int) -> None:
        request = AfterSalesRequest.objects.get(pk=request_id)
        if request.status != AfterSalesRequest.Status.RETURN_SHIPPED:
            return
        owner = self.merchants_by_pk[request.merchant_id].owner
        if self.call("return_confirm", request_confirm_receipt, request=request, actor=owner):
            self.tally.counts["aftersales.returns_received_by_merchant"] += 1
