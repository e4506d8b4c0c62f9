"""Customers browse, buy and pay, a payment notification arrives once, twice, late or forged (ORD-1,
ORD-3, PAY-3), and merchants ship (ORD-4)."""

import time
from decimal import Decimal

from django.conf import settings

from orders.models import Order, Payment
from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_complete
from orders.services.cart import cart_item_add
from orders.services.checkout import order_checkout
from orders.services.fulfilment import order_ship
from orders.services.payments import order_pay_start, payment_callback_receive
from orders.services.refunds import order_cancel
from platform_core.errors import DomainError
from platform_core.ledger.models import LedgerTransaction
from simulation.base import ForgedCallback, SimulationBase
from simulation.config import PAYMENT_SCENARIOS
from simulation.setup import CustomerActor


class TradeBehaviour(SimulationBase):
    # --- customers: browse, buy, pay (ORD-1, ORD-3, PAY-3) ----------------------------------------------------

    def browse_and_buy(self) -> None:
        assert self.population is not None
        if not self.on_sale:
            return
        for customer in self.population.customers:
            if self.rng.random() >= self.config.buy_chance_per_tick:
                continue
            picks = sorted({self.rng.choice(self.on_sale) for _ in range(self.rng.choice((1, 1, 2)))})
            for sku_id in picks:
                self.call(
                    "cart_item_add",
                    cart_item_add,
                    customer=customer.user,
                    sku_id=sku_id,
                    quantity=self.rng.randint(1, 2),
                    actor=customer.user,
                )
            orders = self.call(
                "checkout",
                order_checkout,
                customer=customer.user,
                shipping_name=customer.user.name,
                shipping_phone="13800138000",
                shipping_address="上海市黄浦区南京东路1号",
                actor=customer.user,
            )
            for order in sorted(orders or [], key=lambda o: o.pk):
                self.tally.counts["orders.created"] += 1
                self.pay(order, customer)

    def pay(self, order: Order, customer: CustomerActor) -> None:
        scenario = self.rng.choices(
            [name for name, _w in PAYMENT_SCENARIOS], weights=[w for _n, w in PAYMENT_SCENARIOS]
        )[0]
        self.tally.counts[f"payments.{scenario}"] += 1
        if scenario == "abandoned":
            self.tally.abandoned_order_ids.append(order.pk)
            return
        provider = self.provider_for(scenario)
        if self.fakes:
            self.tally.counts[f"payments.via.{provider}"] += 1
        payment = self.call("pay_start", order_pay_start, order=order, provider=provider, actor=customer.user)
        if payment is None:
            return
        if provider != "sandbox":
            self.pay_at_gateway(order, payment, scenario)
            return
        if scenario.startswith("forged"):
            self.forge(order, payment, how=scenario)
        headers, body = sandbox_complete(payment)
        if scenario == "delayed":
            # the provider's notification arrives a tick later, after the 30-minute timeout (ORD-3, PAY-5)
            self.tally.delayed_payment_order_ids.append(order.pk)
            self.schedule(1, "late_callback", headers, body)
            return
        self.callback(headers, body)
        if scenario == "duplicated":
            self.callback(headers, body)
        order.refresh_from_db()
        if order.status == Order.Status.PAID:
            self.merchant_on_paid(order)

    def callback(self, headers: dict[str, str], body: bytes, provider: str = "sandbox") -> None:
        self.call("payment_callback", payment_callback_receive, provider=provider, headers=headers, body=body)

    # --- PAY-3: the fake Alipay / WeChat Pay gateways (decision 029) ----------------------------------------

    def provider_for(self, scenario: str) -> str:
        """The provider this payment goes through: the sandbox for a forgery (its key is the one given to
        the forger); otherwise one of the configured providers (no draw when there is one, so a
        sandbox-only run is the same run as before)."""
        providers = self.config.providers
        if scenario.startswith("forged"):
            return "sandbox"
        return providers[0] if len(providers) == 1 else self.rng.choice(providers)

    def gateway_notification(self, provider: str, out_trade_no: str) -> tuple[dict[str, str], bytes]:
        """The customer pays at the fake gateway; its signed notification, as the gateway sends it now."""
        fake = self.fakes[provider]
        if provider == "alipay":
            return {"Content-Type": "application/x-www-form-urlencoded"}, fake.pay(out_trade_no)
        headers, body = fake.pay(out_trade_no)
        return headers, body

    def pay_at_gateway(self, order: Order, payment: Payment, scenario: str) -> None:
        if scenario == "delayed":
            self.tally.delayed_payment_order_ids.append(order.pk)
            self.schedule(1, "late_gateway_callback", payment.provider, payment.out_trade_no)
            return
        headers, body = self.gateway_notification(payment.provider, payment.out_trade_no)
        self.callback(headers, body, payment.provider)
        if scenario == "duplicated":
            self.callback(headers, body, payment.provider)
        order.refresh_from_db()
        if order.status == Order.Status.PAID:
            self.merchant_on_paid(order)

    def do_late_gateway_callback(self, provider: str, out_trade_no: str) -> None:
        """The gateway's notification, a tick late (the customer paid after the 30-minute timeout)."""
        self.callback(*self.gateway_notification(provider, out_trade_no), provider)
        self.tally.counts["payments.delayed_delivered"] += 1

    def do_late_callback(self, headers: dict[str, str], body: bytes) -> None:
        self.callback(headers, body)
        self.tally.counts["payments.delayed_delivered"] += 1

    def forge(self, order: Order, payment: Payment, *, how: str) -> None:
        """A forged notification: a bad signature, or a correctly signed one claiming a wrong amount.
        Neither may move money: the ledger and the order must be exactly as before (PAY-3)."""
        if how == "forged_signature":
            headers, body = sandbox_complete(payment)
            headers = {**headers, SIGNATURE_HEADER: "0" * 64}
        else:
            headers, body = sandbox_complete(payment, amount=payment.amount + Decimal("0.01"))
        transactions_before = LedgerTransaction.objects.count()
        status_before = Order.objects.values_list("status", flat=True).get(pk=order.pk)
        accepted = True
        started = time.perf_counter()
        try:
            payment_callback_receive(provider="sandbox", headers=headers, body=body)
        except DomainError:
            accepted = False
        self.tally.service_seconds += time.perf_counter() - started
        moved = (
            LedgerTransaction.objects.count() != transactions_before
            or Order.objects.values_list("status", flat=True).get(pk=order.pk) != status_before
            or Payment.objects.filter(pk=payment.pk, status=Payment.Status.SUCCEEDED).exists()
        )
        self.tally.forged.append(
            ForgedCallback(
                order_id=order.pk,
                out_trade_no=payment.out_trade_no,
                how=how,
                accepted=accepted,
                moved_money=moved,
            )
        )

    # --- merchants: shipping (ORD-4) -------------------------------------------------------------------------

    def merchant_on_paid(self, order: Order) -> None:
        actor = self.merchants_by_pk[order.merchant_id]
        ship_within = self.ticks(settings.ORDERS_SHIP_WITHIN)
        if actor.kind == "late_shipper":
            if self.rng.random() < 0.5:
                self.schedule(ship_within + self.rng.randint(1, 10), "ship", order.pk)
                self.tally.counts["orders.shipped_late_planned"] += 1
            else:
                self.tally.counts["orders.never_shipped_planned"] += 1
                customer = self.customers_by_pk[order.customer_id]
                if customer.kind != "never_confirms" and self.rng.random() < 0.7:
                    self.schedule(ship_within + self.rng.randint(1, 6), "cancel_late", order.pk)
        elif actor.kind == "banned_claims":
            self.schedule(self.rng.randint(1, 8), "ship", order.pk)
        else:  # diligent, ignorer: within a day
            self.schedule(self.rng.randint(1, self.config.ticks_per_day), "ship", order.pk)

    def do_ship(self, order_id: int) -> None:
        order = Order.objects.get(pk=order_id)
        if order.status != Order.Status.PAID:
            return
        actor = self.merchants_by_pk[order.merchant_id]
        shipped = self.call(
            "ship",
            order_ship,
            order=order,
            carrier="sandbox",
            tracking_number=f"SIM{order_id:010d}",
            actor=actor.owner,
        )
        if shipped is None:
            return
        self.tally.counts["orders.shipped"] += 1
        if not self.delivery_problem_maybe(order_id):  # ORD-10
            self.schedule(self.rng.randint(3, 12), "deliver", order_id)

    def do_cancel_late(self, order_id: int) -> None:
        order = Order.objects.get(pk=order_id)
        if order.status != Order.Status.PAID:
            return
        customer = self.customers_by_pk[order.customer_id]
        if self.call("cancel", order_cancel, order=order, reason="商家逾期未发货", actor=customer.user):
            self.tally.counts["orders.cancelled_after_late_shipment"] += 1
