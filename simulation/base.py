"""The simulation's state and clock, what every behaviour module builds on (OPS-1): the scheduled-action
queue, timed service calls that count expected refusals, and the tally of what happened."""

import heapq
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django_fsm import TransitionNotAllowed

from orders.services.refund_dispatch import refunds_sweep
from platform_core.audit.services import audit_seal
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import DomainError
from simulation.config import SimulationConfig
from simulation.setup import CustomerActor, MerchantActor, Population

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
    #: orders whose parcel went wrong: a carrier exception or no movement (ground truth for ORD-10)
    delivery_problem_order_ids: list[int] = field(default_factory=list)
    sweep_seconds: float = 0.0
    service_seconds: float = 0.0
    setup_seconds: float = 0.0


class SimulationBase:
    """The state of one run and its clock; the behaviours (``simulation.listings``, ``simulation.trade``,
    ``simulation.delivery``, ``simulation.delivery_problems``, ``simulation.reviews``,
    ``simulation.escalations``) act on it."""

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
        #: PAY-3: the fake gateways of the run's real providers (``config.providers``), by provider name
        self.fakes: dict[str, Any] = {}
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
        refunds_sweep()  # PAY-5: refunds a gateway has not confirmed (the beat's every-minute sweep)
        # AUD-1: the beat's sealer chains what was audited since the last sweep (the per-commit nudge is off
        # in the simulation: one sealer run per sweep instead of a cache round trip and a run per commit)
        audit_seal()
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

    def delivery_problem_maybe(self, order_id: int) -> bool:
        """ORD-10: whether the shipped parcel goes wrong (``simulation.delivery_problems`` decides)."""
        return False

    def log(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message + "\n")
