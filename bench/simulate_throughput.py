"""Benchmark: simulated orders per wall-clock second of ``manage.py simulate``, with the time spent in
the deadline sweeper vs in the services (each call timed with ``time.perf_counter``), and the projection
of a shorter or smaller run to issue 26's size (30 days × 50 merchants × 2,000 customers, goal < 10 min).

Not a test. The simulator expects a FRESH migrated database (it signs up its own merchants and
customers, and the ledger and audit log are append-only): use a scratch database, dropped afterwards.
The default size is the one issues 13 and 26 name (30 days × 50 merchants × 2,000 customers), which takes a
long time on a shared 2-core machine; pass smaller sizes to compare changes quickly.

    createdb sim_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sim_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sim_bench \\
        .venv/bin/python bench/simulate_throughput.py [--days 30] [--merchants 50] [--customers 2000] [--seed 7]
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_core.settings")

import django

django.setup()

from simulation.config import SimulationConfig  # noqa: E402
from simulation.engine import simulation_run  # noqa: E402

#: the size of issue 26's goal: the month-long simulation in under 10 minutes
TARGET_DAYS, TARGET_MERCHANTS, TARGET_CUSTOMERS = 30, 50, 2000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--merchants", type=int, default=50)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    config = SimulationConfig(
        days=args.days, merchants=args.merchants, customers=args.customers, seed=args.seed
    )
    report = simulation_run(config)
    t, f = report["timings"], report["figures"]
    simulated = t["wall_seconds"] - t["setup_seconds"]
    other = simulated - t["service_seconds"] - t["sweep_seconds"]
    print(
        f"size: {args.days} days × {args.merchants} merchants × {args.customers} customers, seed {args.seed}"
    )
    print(f"orders: {f['orders']} created, {f['orders_paid']} paid; GMV {f['gmv']}")
    print(
        f"wall: {t['wall_seconds']:.1f} s (setup {t['setup_seconds']:.1f} s, then {simulated:.1f} s simulating)"
    )
    print(f"  services: {t['service_seconds']:.1f} s ({t['service_seconds'] / simulated:.0%})")
    print(f"  sweeper:  {t['sweep_seconds']:.1f} s ({t['sweep_seconds'] / simulated:.0%})")
    print(f"  other (actors' reads, checks, report): {other:.1f} s")
    print(f"throughput: {t['orders_per_wall_second']} simulated orders per wall-clock second")
    # The projection to the size (30 days × 50 merchants × 2,000 customers): the setup grows with the
    # population, the simulated part with the orders placed — customers × days at the same buying chance.
    per_order = simulated / f["orders"] if f["orders"] else 0.0
    target_orders = f["orders"] * (TARGET_DAYS * TARGET_CUSTOMERS) / (args.days * args.customers)
    target_setup = (
        t["setup_seconds"] * (TARGET_MERCHANTS + TARGET_CUSTOMERS) / (args.merchants + args.customers)
    )
    projected = target_setup + target_orders * per_order
    print(
        f"projection to {TARGET_DAYS} days × {TARGET_MERCHANTS} merchants × {TARGET_CUSTOMERS} customers: "
        f"~{target_orders:.0f} orders, {projected / 60:.1f} min (setup {target_setup:.0f} s + "
        f"{per_order * 1000:.0f} ms per order; goal < 10 min)"
    )
    failed = [c["name"] for c in report["checks"] if c["status"] == "failed"]
    print("checks: " + ("all passed or skipped" if not failed else "FAILED " + ", ".join(failed)))


if __name__ == "__main__":
    main()
