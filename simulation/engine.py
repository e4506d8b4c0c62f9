"""The tick loop (OPS-1): ``Simulation`` puts the state and clock (``simulation.base``) together with the
actors' behaviour (``listings``, ``trade``, ``delivery``, ``delivery_problems``, ``reviews``,
``escalations``) and runs them.

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
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import time_machine
from django.db import connection
from django.test import override_settings

from merchants.tasks import compute_kpis_task, recompute_credit_task
from orders.services.payouts import payouts_run
from orders.tasks import reconcile_statements_task, reconcile_task
from platform_core.audit.services import audit_seal
from platform_core.celery import app as celery_app
from simulation.base import Writer
from simulation.config import SimulationConfig
from simulation.delivery import DeliveryBehaviour
from simulation.delivery_problems import DeliveryProblemBehaviour
from simulation.escalations import EscalationBehaviour
from simulation.fakes.alipay import start_fake_alipay
from simulation.fakes.wechat_pay import start_fake_wechat_pay
from simulation.listings import ListingBehaviour
from simulation.reviews import ReviewBehaviour
from simulation.setup import Population, population_create
from simulation.trade import TradeBehaviour


class Simulation(
    ListingBehaviour,
    ReviewBehaviour,
    TradeBehaviour,
    DeliveryBehaviour,
    DeliveryProblemBehaviour,
    EscalationBehaviour,
):
    """One run: the state and clock (``SimulationBase``), every actor's behaviour, and the tick loop."""

    # --- the run ----------------------------------------------------------------------------------------

    def run(self) -> Population:
        with _simulation_environment(self), time_machine.travel(self.config.start, tick=False) as traveller:
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
                    # the beat's night jobs run at 00:30 (reconciliation) and later: after what fell due at
                    # midnight (a notification that arrives at 00:00 is booked before yesterday is reconciled)
                    self.nightly()
                    self.log(f"day {tick // self.config.ticks_per_day} done")
            # The end: one last sweep a second past the final tick, then every credit recomputed.
            traveller.move_to(self.end)
            self.sweep()
            recompute_credit_task()
            audit_seal()  # AUD-1: what the last recomputation audited is chained before the checks run
            self.tally.counts["scheduled_actions_left"] = len(self.queue)
        return population

    def nightly(self) -> None:
        """The beat's nightly tasks: credit (REP-3), KPIs for yesterday (VIO-6), payouts (PAY-4),
        reconciliation of yesterday from the providers' records and statements (PAY-8)."""
        started = time.perf_counter()
        recompute_credit_task()
        compute_kpis_task()
        self.tally.counts["payouts"] += len(payouts_run())
        # PAY-8: yesterday reconciled — the sandbox's records and the payouts (beat 00:30), and the fake
        # gateways' own statements (beat 10:30; the fakes publish a day's bill as soon as it is over)
        self.tally.counts["reconciliation_differences"] += reconcile_task()
        if self.fakes:
            self.tally.counts["reconciliation_differences"] += reconcile_statements_task()
        self.tally.service_seconds += time.perf_counter() - started


def _gateways(simulation: "Simulation") -> dict[str, Any]:
    """PAY-3 (decision 029): start a fake gateway for each real provider the run pays through; the settings
    that point the providers at them (and enable them next to the sandbox)."""
    configured: dict[str, Any] = {}
    for provider in simulation.config.providers:
        if provider == "alipay":
            alipay, settings_for = start_fake_alipay()
            simulation.fakes[provider] = alipay
        elif provider == "wechat_pay":
            wechat, settings_for = start_fake_wechat_pay()
            wechat.refunds_complete_at_once = True  # its refunds succeed at once (no PROCESSING phase)
            simulation.fakes[provider] = wechat
        else:
            continue
        configured |= settings_for
    if configured:
        configured["ORDERS_PAYMENT_PROVIDERS"] = ["sandbox", *simulation.fakes]
    return configured


@contextmanager
def _simulation_environment(simulation: "Simulation") -> Iterator[None]:
    """Celery runs in-process (there is one simulated clock, and no worker shares it); simulated accounts
    hash their passwords with a fast hasher (hundreds of sign-ups would otherwise dominate the run). The
    audit sealer runs once per sweep, as the beat runs it, not nudged after every commit (decision 050). On
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
        gateways = _gateways(simulation)
        with override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            AUDIT_SEAL_NUDGE=False,
            **gateways,
        ):
            yield
    finally:
        for fake in simulation.fakes.values():
            fake.stop()
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
