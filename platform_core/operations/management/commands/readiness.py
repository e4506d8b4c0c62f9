"""``manage.py readiness [--check NAME ...]``: the ``/readyz`` checks from a shell (worker/beat healthchecks)."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_core.operations.checks import (
    READINESS_CHECKS,
    check_this_worker_heartbeat,
    readiness,
    run_check,
)


class Command(BaseCommand):
    help = "OPS-5: run the readiness checks (all, or those named) and exit 1 if any fails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="append", choices=sorted(READINESS_CHECKS), dest="checks")
        parser.add_argument(
            "--this-worker",
            action="store_true",
            help="check the heartbeat of the worker on this machine (worker container healthcheck)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = readiness(options["checks"]) if options["checks"] or not options["this_worker"] else []
        if options["this_worker"]:
            results.append(run_check("this_worker_heartbeat", check_this_worker_heartbeat))
        self.stdout.write(json.dumps({r.name: r.as_dict() for r in results}, indent=2))
        failed = [r.name for r in results if not r.ok]
        if failed:
            raise CommandError(f"not ready: {', '.join(failed)}")
