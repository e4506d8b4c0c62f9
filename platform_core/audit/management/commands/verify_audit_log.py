from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_core.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = (
        "AUD-1: recompute the audit log's keyed hash chain and compare it with the newest anchors written "
        "outside the database; exit non-zero at the first broken entry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchors-until",
            type=datetime.fromisoformat,
            default=None,
            help="compare only with anchors written at or before this ISO time (a restored backup)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_chain_verify(anchors_until=options["anchors_until"])
        if not result.ok:
            raise CommandError(f"audit log broken at entry {result.first_broken_id}: {result.reason}")
        self.stdout.write(f"audit log OK: {result.count} entries, {result.anchors_checked} anchors matched")
