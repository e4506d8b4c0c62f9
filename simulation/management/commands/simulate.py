"""OPS-1: ``manage.py simulate`` — simulated days of trading through the real services, then named checks.

Run it on a fresh database (CI: ``.ci/run``). Exits non-zero, naming the failed checks, if any fails.
The simulated clock is time-machine's (a dev dependency): this is a development and CI command.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from simulation.config import SimulationConfig
from simulation.engine import simulation_run
from simulation.html import report_html
from simulation.report import report_table


class Command(BaseCommand):
    help = "Simulate days of marketplace trading with well- and badly-behaved actors; check every rule held."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=10)
        parser.add_argument("--merchants", type=int, default=10)
        parser.add_argument("--customers", type=int, default=200)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--ticks-per-day", type=int, default=6)
        parser.add_argument(
            "--providers",
            default="sandbox",
            help="comma-separated payment providers to pay through: sandbox, alipay, wechat_pay (the real "
            "ones against local fake gateways, simulation/fakes)",
        )
        parser.add_argument("--report", type=Path, help="write the report as JSON to this file")
        parser.add_argument(
            "--html", type=Path, help="write the report as an HTML page with charts to this file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = SimulationConfig(
                days=options["days"],
                merchants=options["merchants"],
                customers=options["customers"],
                seed=options["seed"],
                ticks_per_day=options["ticks_per_day"],
                providers=tuple(p.strip() for p in options["providers"].split(",") if p.strip()),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        report = simulation_run(config, out=self.stdout if options["verbosity"] > 1 else None)
        if options["report"]:
            options["report"].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        if options["html"]:
            options["html"].write_text(report_html(report), encoding="utf-8")
        self.stdout.write(report_table(report))
        failed = [check["name"] for check in report["checks"] if check["status"] == "failed"]
        if failed:
            raise CommandError(f"simulation checks failed: {', '.join(failed)}")
