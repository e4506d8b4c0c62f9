"""The tick loop and the actors' behaviour (OPS-1).

Time is frozen with time-machine and moved tick by tick (``ticks_per_day`` a day). Each tick: the clock
moves, the deadline sweeper runs (what the beat does every minute), the nightly tasks run at local
midnight, customers browse and buy, every action scheduled for this tick runs in scheduling order, and
the sweeper runs again. Actions happen on tick boundaries, so the sweep at the start of a tick always
sees a missed deadline before any actor could still act on it; lateness is at most one tick.

Every choice comes from one ``random.Random(seed)`` and every list is walked in a fixed order, so the
same seed on a fresh database gives the same figures (order numbers embed a uuid4 and differ; nothing
in the simulation depends on them).
"""

import heapq
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django_fsm import TransitionNotAllowed

from aftersales.models import AfterSalesRequest, Complaint
from aftersales.services import (
    complaint_acknowledge,
    complaint_answer,
    complaint_close,
    complaint_file,
    request_approve,
    request_confirm_receipt,
    request_create,
    request_escalate,
    request_refuse,
    request_return_delivered,
    request_ship_return,
)
from catalog.models import IpNotice, Listing
from catalog.selectors import listing_visible_q
from catalog.services.ip_notices import ip_notice_counter, ip_notice_file, ip_notice_validate
from catalog.services.listings import listing_create, listing_submit
from catalog.services.review import listing_approve, listing_reject
from disputes.models import Dispute, MediationProposal
from disputes.services import dispute_evidence_submit, dispute_propose, dispute_rule, proposal_answer
from merchants.tasks import compute_kpis_task, recompute_credit_task
from orders.logistics import sandbox_webhook
from orders.models import Order, Payment, Review, ReviewFlag
from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_complete
from orders.services import (
    cart_item_add,
    logistics_callback_receive,
    order_cancel,
    order_checkout,
    order_confirm_receipt,
    order_pay_start,
    order_ship,
    payment_callback_receive,
    payouts_run,
    review_create,
    review_hide,
)
from platform_core.celery import app as celery_app
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import DomainError
from platform_core.ledger.models import LedgerTransaction
from simulation.config import PAYMENT_SCENARIOS, SimulationConfig
from simulation.setup import CustomerActor, MerchantActor, Population, population_create

PRICES = ("19.90", "39.00", "59.00", "99.00", "129.00", "199.00", "299.00")
GOODS = ("保温杯", "帆布包", "陶瓷碗", "蓝牙耳机", "棉袜", "台灯", "雨伞", "毛巾", "笔记本", "收纳盒")
HARD_CLAIMS = ("管制刀具", "窃听器", "代开发票")
SOFT_CLAIMS = ("全网最低", "国家级", "最佳", "100%有效")
EXPECTED = (DomainError, TransitionNotAllowed, ValidationError)


class Writer(Protocol):
    def write(self, msg: str) -> Any: ...


@dataclass
class ForgedCallback:
    order_id: int
    out_trade_no: str
    how: str
    accepted: bool  # the service took it (must never happen)
    moved_money: bool


@dataclass
class Tally:
    """What the actors did and what the services refused (figures for the report and the checks)."""

    counts: Counter[str] = field(default_factory=Counter)
    forged: list[ForgedCallback] = field(default_factory=list)
    abandoned_order_ids: list[int] = field(default_factory=list)
    #: after-sales requests whose merchant chose never to answer (ground truth for the AFS-3 check)
    silent_request_ids: list[int] = field(default_factory=list)
    #: orders whose payment notification arrived only after the 30 minutes had run out (PAY-5)
    delayed_payment_order_ids: list[int] = field(default_factory=list)
    #: IP notices filed by the rights holder, with whether the claim was false (CAT-7)
    ip_notices: dict[int, bool] = field(default_factory=dict)
    #: reviews written by accounts a merchant controls (ground truth for the REP-2 check)
    shill_review_ids: list[int] = field(default_factory=list)
    sweep_seconds: float = 0.0
    service_seconds: float = 0.0
    setup_seconds: float = 0.0


class Simulation:
    def __init__(self, config: SimulationConfig, *, out: Writer | None = None) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.out = out
        self.tally = Tally()
        self.queue: list[tuple[int, int, str, tuple[Any, ...]]] = []
        self.seq = itertools.count()
        self.tick = 0
        self.on_sale: list[int] = []  # SKU ids on sale, in approval order
        self.merchant_of_sku: dict[int, MerchantActor] = {}
        self.merchants_by_pk: dict[int, MerchantActor] = {}
        self.customers_by_pk: dict[int, CustomerActor] = {}
        self.population: Population | None = None
        self.traveller: Any = None
        #: the last instant simulated: a second past the final tick
        self.end = self.at(config.days * config.ticks_per_day) + timedelta(seconds=1)

    # --- the clock ------------------------------------------------------------------------------------

    @property
    def tick_length(self) -> timedelta:
        return timedelta(hours=24 // self.config.ticks_per_day)

    def at(self, tick: int) -> datetime:
        return self.config.start + tick * self.tick_length

    def ticks(self, duration: timedelta) -> int:
        """The number of whole ticks covering ``duration`` (rounded up)."""
        return -(-duration // self.tick_length)

    def schedule(self, delay_ticks: int, action: str, *args: Any) -> None:
        heapq.heappush(self.queue, (self.tick + max(delay_ticks, 1), next(self.seq), action, args))

    def sweep(self) -> None:
        started = time.perf_counter()
        deadlines_sweep()
        self.tally.sweep_seconds += time.perf_counter() - started

    def call(self, what: str, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        """Run one service call, timed; an expected refusal (domain error) is counted, not raised."""
        started = time.perf_counter()
        try:
            return fn(**kwargs)
        except EXPECTED:
            self.tally.counts[f"refused.{what}"] += 1
            return None
        finally:
            self.tally.service_seconds += time.perf_counter() - started

    def log(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message + "\n")

    # --- the run ----------------------------------------------------------------------------------------

    def run(self) -> Population:
        with _simulation_environment(), time_machine.travel(self.config.start, tick=False) as traveller:
            self.traveller = traveller
            started = time.perf_counter()
            population = population_create(config=self.config, rng=self.rng)
            self.tally.setup_seconds = time.perf_counter() - started
            self.population = population
            self.merchants_by_pk = {m.merchant.pk: m for m in population.merchants}
            self.customers_by_pk = {c.user.pk: c for c in population.customers}
            self.customers_by_pk |= {s.user.pk: s for m in population.merchants for s in m.shills}
            for actor in population.merchants:
                for _n in range(self.config.listings_per_merchant):
                    self.listing_post(actor, claim="")
            last_tick = self.config.days * self.config.ticks_per_day
            for tick in range(1, last_tick + 1):
                self.tick = tick
                traveller.move_to(self.at(tick))
                self.sweep()
                if tick % self.config.ticks_per_day == 0:
                    self.nightly()
                    self.moderate_reviews()
                self.browse_and_buy()
                self.merchants_post_listings()
                self.rights_holder_files()
                self.shills_buy()
                while self.queue and self.queue[0][0] <= tick:
                    _due, _seq, action, args = heapq.heappop(self.queue)
                    getattr(self, f"do_{action}")(*args)
                self.sweep()
                if tick % self.config.ticks_per_day == 0:
                    self.log(f"day {tick // self.config.ticks_per_day} done")
            # The end: one last sweep a second past the final tick, then every credit recomputed.
            traveller.move_to(self.end)
            self.sweep()
            recompute_credit_task()
            self.tally.counts["scheduled_actions_left"] = len(self.queue)
        return population

    def nightly(self) -> None:
        """The beat's nightly tasks: credit (REP-3), KPIs for yesterday (VIO-6), payouts (PAY-4)."""
        started = time.perf_counter()
        recompute_credit_task()
        compute_kpis_task()
        self.tally.counts["payouts"] += len(payouts_run())
        self.tally.service_seconds += time.perf_counter() - started

    # --- listings and staff review (CAT-2, CAT-3, CAT-4) -----------------------------------------------------

    def listing_post(self, actor: MerchantActor, *, claim: str) -> None:
        assert self.population is not None
        goods = self.rng.choice(GOODS)
        price = self.rng.choice(PRICES)
        title = f"{claim}{goods}" if claim else f"{goods} {actor.index}-{self.tick}"
        listing = self.call(
            "listing_create",
            listing_create,
            merchant=actor.merchant,
            category=self.population.category,
            title=title,
            description=f"模拟商品：{goods}。{claim}",
            images=[{"url": "https://img.example.com/sim.jpg", "alt": goods}],
            skus=[{"code": "A", "price": price, "stock": 100000, "attributes": {}}],
            actor=actor.owner,
        )
        if listing is None:
            return
        if self.call("listing_submit", listing_submit, listing_id=listing.pk, actor=actor.owner) is None:
            self.tally.counts["listings.hard_claim_blocked" if claim else "listings.blocked"] += 1
            return
        self.tally.counts["listings.submitted"] += 1
        slow = self.tick > 0 and self.rng.random() < self.config.slow_review_chance
        delay = self.rng.randint(7, 9) if slow else self.rng.randint(1, 3)
        self.schedule(delay, "review", listing.pk, bool(claim))

    def merchants_post_listings(self) -> None:
        if self.tick % self.config.ticks_per_day != 2:  # merchants work on listings once a day, mid-morning
            return
        assert self.population is not None
        for actor in self.population.merchants:
            if actor.kind == "banned_claims" and self.rng.random() < 0.5:
                claim = self.rng.choice(HARD_CLAIMS if self.rng.random() < 0.5 else SOFT_CLAIMS)
                self.listing_post(actor, claim=claim)
            elif self.rng.random() < 0.2:
                self.listing_post(actor, claim="")

    def do_review(self, listing_id: int, has_claim: bool) -> None:
        assert self.population is not None
        reviewer = self.population.reviewer
        if has_claim:
            if self.call(
                "listing_reject", listing_reject, listing_id=listing_id, actor=reviewer, reason="含绝对化用语"
            ):
                self.tally.counts["listings.rejected"] += 1
            return
        listing = self.call("listing_approve", listing_approve, listing_id=listing_id, actor=reviewer)
        if listing is None:
            return
        self.tally.counts["listings.approved"] += 1
        actor = self.merchants_by_pk[listing.merchant_id]
        for sku_id in Listing.objects.get(pk=listing_id).skus.order_by("pk").values_list("pk", flat=True):
            self.on_sale.append(sku_id)
            self.merchant_of_sku[sku_id] = actor

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
        payment = self.call(
            "pay_start", order_pay_start, order_id=order.pk, provider="sandbox", actor=customer.user
        )
        if payment is None:
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

    def callback(self, headers: dict[str, str], body: bytes) -> None:
        self.call(
            "payment_callback", payment_callback_receive, provider="sandbox", headers=headers, body=body
        )

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
            order_id=order_id,
            carrier="sandbox",
            tracking_number=f"SIM{order_id:010d}",
            actor=actor.owner,
        )
        if shipped is None:
            return
        self.tally.counts["orders.shipped"] += 1
        self.schedule(self.rng.randint(3, 12), "deliver", order_id)

    def do_cancel_late(self, order_id: int) -> None:
        order = Order.objects.get(pk=order_id)
        if order.status != Order.Status.PAID:
            return
        customer = self.customers_by_pk[order.customer_id]
        if self.call("cancel", order_cancel, order_id=order_id, reason="商家逾期未发货", actor=customer.user):
            self.tally.counts["orders.cancelled_after_late_shipment"] += 1

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
        if self.call("confirm", order_confirm_receipt, order_id=order_id, actor=order.customer):
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

    # --- reviews (REP-1, REP-2) -----------------------------------------------------------------------------

    #: the stars a genuine customer gives, by how the merchant behaves (a shill always gives five)
    STARS = {"diligent": (4, 5, 5), "late_shipper": (1, 2, 3), "ignorer": (2, 3, 3), "shill": (5,)}
    #: signals that tie a reviewer to the shop itself: a moderator hides such reviews as proven fake
    CONTACT_SIGNALS = (
        ReviewFlag.Signal.SHARED_PHONE,
        ReviewFlag.Signal.SHARED_ADDRESS,
        ReviewFlag.Signal.SHARED_DEVICE,
    )

    def do_customer_review(self, order_id: int) -> None:
        order = Order.objects.get(pk=order_id)
        customer = self.customers_by_pk[order.customer_id]
        merchant = self.merchants_by_pk[order.merchant_id]
        stars = self.rng.choice(
            self.STARS.get("shill" if customer.kind == "shill" else merchant.kind, (3, 4, 5))
        )
        for line_id in order.lines.order_by("pk").values_list("pk", flat=True):
            review = self.call(
                "review",
                review_create,
                customer=customer.user,
                order_id=order_id,
                line_id=line_id,
                rating=stars,
                description_rating=stars,
                service_rating=stars,
                logistics_rating=stars,
                text="好评！" if stars >= 4 else "一般",
                actor=customer.user,
            )
            if review is None:
                continue
            self.tally.counts["reviews.written"] += 1
            if customer.kind == "shill":
                self.tally.shill_review_ids.append(review.pk)

    def shills_buy(self) -> None:
        """A merchant buying fake reviews: one of its own accounts orders from it, shipped to the shop's own
        address, confirms at once and posts five stars (REP-2 must flag every such review)."""
        if self.tick % self.config.ticks_per_day != 4:
            return
        assert self.population is not None
        for actor in self.population.merchants:
            if not actor.shills or self.rng.random() >= self.config.shill_order_chance_per_day:
                continue
            own = [sku for sku in self.on_sale if self.merchant_of_sku[sku] is actor]
            if not own:
                continue
            shill = self.rng.choice(actor.shills)
            self.call(
                "cart_item_add",
                cart_item_add,
                customer=shill.user,
                sku_id=self.rng.choice(own),
                quantity=1,
                actor=shill.user,
            )
            merchant = actor.merchant
            orders = self.call(
                "checkout",
                order_checkout,
                customer=shill.user,
                shipping_name=shill.user.name,
                shipping_phone=merchant.contact_phone,
                shipping_address=merchant.registered_address,
                actor=shill.user,
            )
            for order in sorted(orders or [], key=lambda o: o.pk):
                self.tally.counts["orders.shill"] += 1
                self.pay(order, shill)

    def moderate_reviews(self) -> None:
        """Once a day a moderator works the flag queue: a review tied to the shop by phone, address or device
        is hidden as proven fake (the merchant gets a fake_reviews violation); other flags wait."""
        assert self.population is not None
        flagged = (
            Review.objects.filter(
                flags__status=ReviewFlag.Status.OPEN, flags__signal__in=self.CONTACT_SIGNALS
            )
            .exclude(status=Review.Status.HIDDEN)
            .values_list("pk", flat=True)
            .distinct()
            .order_by("pk")
        )
        for review_id in flagged:
            if self.call(
                "review_hide",
                review_hide,
                review_id=review_id,
                reason=Review.HideReason.PROVEN_FAKE,
                note="与店铺同一地址或电话",
                actor=self.population.admin,
            ):
                self.tally.counts["reviews.hidden_as_fake"] += 1

    # --- complaints (CMP-1, CMP-2) --------------------------------------------------------------------------

    def do_complain(self, order_id: int) -> None:
        order = Order.objects.get(pk=order_id)
        complaint = self.call(
            "complaint_file",
            complaint_file,
            complainant=order.customer,
            target_kind=Complaint.TargetKind.ORDER,
            category=Complaint.Category.SERVICE_ATTITUDE,
            description="客服态度差，回复慢",
            order_id=order_id,
            actor=order.customer,
        )
        if complaint is None:
            return
        self.tally.counts["complaints.filed"] += 1
        slow = self.rng.random() < self.config.slow_complaint_chance
        # customer service works through its queue; a slow day lets the 24 h acknowledgement run out
        self.schedule(
            self.rng.randint(7, 9) if slow else self.rng.randint(1, 3), "complaint_handle", complaint.pk
        )

    def do_complaint_handle(self, complaint_id: int) -> None:
        assert self.population is not None
        agent = self.population.customer_service
        complaint = Complaint.objects.get(pk=complaint_id)
        if complaint.status == Complaint.Status.FILED:
            self.call("complaint_ack", complaint_acknowledge, complaint=complaint, actor=agent)
        complaint.refresh_from_db()
        if self.call(
            "complaint_answer",
            complaint_answer,
            complaint=complaint,
            answer="已联系商家核实并督促改进，感谢反馈。",
            actor=agent,
        ):
            self.tally.counts["complaints.answered"] += 1
            self.schedule(self.rng.randint(1, 3), "complaint_close", complaint_id)

    def do_complaint_close(self, complaint_id: int) -> None:
        complaint = Complaint.objects.get(pk=complaint_id)
        if self.call("complaint_close", complaint_close, complaint=complaint, actor=complaint.complainant):
            self.tally.counts["complaints.closed"] += 1

    # --- disputes (DSP-1 .. DSP-5) --------------------------------------------------------------------------

    def do_dispute_open(self, request_id: int) -> None:
        request = AfterSalesRequest.objects.get(pk=request_id)
        if not self.call(
            "aftersales_escalate",
            request_escalate,
            request=request,
            reason="商品确有质量问题",
            actor=request.customer,
        ):
            return
        dispute = Dispute.objects.filter(aftersales_request_id=request_id).first()
        if dispute is None:
            return
        self.tally.counts["disputes.opened"] += 1
        self.schedule(self.rng.randint(1, 3), "dispute_evidence", dispute.pk, "customer")
        if (
            self.rng.random() < 0.5
        ):  # the other half of merchants stay silent: the case must not stall (DSP-2a)
            self.schedule(self.rng.randint(1, 6), "dispute_evidence", dispute.pk, "merchant")
        self.schedule(self.ticks(timedelta(days=3)) + 1, "dispute_propose", dispute.pk)

    def do_dispute_evidence(self, dispute_id: int, side: str) -> None:
        dispute = Dispute.objects.select_related("order").get(pk=dispute_id)
        actor = (
            dispute.order.customer
            if side == "customer"
            else self.merchants_by_pk[dispute.order.merchant_id].owner
        )
        statement = "收到时外包装完好但商品破损" if side == "customer" else "发货前已检查，商品完好"
        if self.call(
            "dispute_evidence", dispute_evidence_submit, dispute=dispute, statement=statement, actor=actor
        ):
            self.tally.counts[f"disputes.evidence_{side}"] += 1

    def do_dispute_propose(self, dispute_id: int) -> None:
        assert self.population is not None
        dispute = Dispute.objects.select_related("order").get(pk=dispute_id)
        if dispute.status != Dispute.Status.MEDIATION:
            return
        amount = (dispute.claim_amount / 2).quantize(Decimal("0.01"))
        proposal = self.call(
            "dispute_propose",
            dispute_propose,
            dispute=dispute,
            refund_amount=amount,
            note="建议退一半",
            actor=self.population.admin,
        )
        if proposal is None:
            return
        self.tally.counts["disputes.proposals"] += 1
        self.schedule(self.rng.randint(1, 4), "proposal_answer", proposal.pk, "customer")
        self.schedule(self.rng.randint(1, 4), "proposal_answer", proposal.pk, "merchant")
        # without a settlement the case reaches the committee when the 3-day mediation window closes
        self.schedule(self.ticks(timedelta(days=3)) + self.rng.randint(1, 6), "dispute_rule", dispute.pk)

    def do_proposal_answer(self, proposal_id: int, side: str) -> None:
        proposal = MediationProposal.objects.select_related("dispute__order").get(pk=proposal_id)
        order = proposal.dispute.order
        actor = order.customer if side == "customer" else self.merchants_by_pk[order.merchant_id].owner
        accept = self.rng.random() < (0.7 if side == "customer" else 0.5)
        if self.call("proposal_answer", proposal_answer, proposal=proposal, accept=accept, actor=actor):
            self.tally.counts[f"disputes.proposal_{'accepted' if accept else 'rejected'}"] += 1

    def do_dispute_rule(self, dispute_id: int) -> None:
        assert self.population is not None
        dispute = Dispute.objects.get(pk=dispute_id)
        if dispute.status != Dispute.Status.ARBITRATION or dispute.arbitrator_id is None:
            return
        arbitrator = self.population.arbitrator
        if dispute.arbitrator_id != arbitrator.pk:
            return
        kind = self.rng.choice(("full_refund", "partial_refund", "no_refund"))
        amount = {
            "full_refund": dispute.claim_amount,
            "partial_refund": (dispute.claim_amount * Decimal("0.3")),
        }
        if self.call(
            "dispute_rule",
            dispute_rule,
            dispute=dispute,
            kind=kind,
            refund_amount=amount.get(kind, Decimal("0")).quantize(Decimal("0.01")),
            reasons="依据双方证据裁决",
            actor=arbitrator,
        ):
            self.tally.counts[f"disputes.ruled_{kind}"] += 1

    # --- IP notice-and-takedown (CAT-7) ---------------------------------------------------------------------

    def rights_holder_files(self) -> None:
        """Once a day a rights holder may file a notice against a listing on sale: some claims are true
        (the merchant stays silent and the takedown stands), some false (the merchant counter-notices and
        the listing returns after 15 days with no human action)."""
        if (
            self.tick % self.config.ticks_per_day != 3
            or self.rng.random() >= self.config.ip_notice_chance_per_day
        ):
            return
        assert self.population is not None
        visible = list(
            Listing.objects.filter(listing_visible_q()).order_by("pk").values_list("pk", flat=True)
        )
        if not visible:
            return
        false_claim = self.rng.random() < self.config.false_notice_share
        notice = self.call(
            "ip_notice_file",
            ip_notice_file,
            listing_id=self.rng.choice(visible),
            rights_holder=self.population.rights_holder,
            right_kind="trademark",
            right_reference=f"TM{self.tick:08d}",
            description="未经授权使用注册商标",
            proof=["trademark-certificate.pdf"],
        )
        if notice is None:
            return
        self.tally.ip_notices[notice.pk] = false_claim
        self.tally.counts["ip_notices.filed"] += 1
        self.schedule(self.rng.randint(1, 3), "ip_notice_validate", notice.pk, false_claim)

    def do_ip_notice_validate(self, notice_id: int, false_claim: bool) -> None:
        assert self.population is not None
        if not self.call(
            "ip_notice_validate", ip_notice_validate, notice_id=notice_id, actor=self.population.admin
        ):
            return
        self.tally.counts["ip_notices.taken_down"] += 1
        if false_claim:
            self.schedule(self.rng.randint(1, 6), "ip_notice_counter", notice_id)

    def do_ip_notice_counter(self, notice_id: int) -> None:
        notice = IpNotice.objects.select_related("listing__merchant").get(pk=notice_id)
        merchant = self.merchants_by_pk[notice.listing.merchant_id]
        if self.call(
            "ip_notice_counter",
            ip_notice_counter,
            notice_id=notice_id,
            merchant=merchant.merchant,
            statement="本店商品为自有品牌，不构成侵权",
            proof=["own-brand-registration.pdf"],
            actor=merchant.owner,
        ):
            self.tally.counts["ip_notices.counter_noticed"] += 1


@contextmanager
def _simulation_environment() -> Iterator[None]:
    """Celery runs in-process (there is one simulated clock, and no worker shares it); simulated accounts
    hash their passwords with a fast hasher (hundreds of sign-ups would otherwise dominate the run). On
    PostgreSQL this session's commits do not wait for the WAL flush (``synchronous_commit off``): a crash
    could lose the last simulated moments, never consistency — and each of the thousands of one-service
    transactions would otherwise wait for the disk."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = True, True
    postgres = connection.vendor == "postgresql" and not connection.in_atomic_block
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
    try:
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO DEFAULT")


def simulation_run(config: SimulationConfig, *, out: Writer | None = None) -> dict[str, Any]:
    """Run the simulation and return its report (figures, deadline table, named checks, timings)."""
    from simulation.checks import checks_run
    from simulation.report import report_build

    wall_started = time.perf_counter()
    simulation = Simulation(config, out=out)
    population = simulation.run()
    checks = checks_run(simulation=simulation, population=population)
    return report_build(
        simulation=simulation,
        population=population,
        checks=checks,
        wall_seconds=time.perf_counter() - wall_started,
    )
