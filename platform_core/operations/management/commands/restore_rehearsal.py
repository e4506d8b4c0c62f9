"""``manage.py restore_rehearsal [--backup DIR | --root DIR]``: restore into a scratch DB and verify (OPS-4)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_core.operations.backups import restore_rehearse


class Command(BaseCommand):
    help = (
        "OPS-4: restore a backup (default: the newest) into a scratch database, run verify_ledger and "
        "verify_audit_log against it, drop it, print a JSON report; exit 1 on any failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backup", type=Path, default=None, help="one backup directory")
        parser.add_argument(
            "--root", type=Path, default=None, help="where backups are (default: OPS_BACKUP_DIR)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = restore_rehearse(backup=options["backup"], root=options["root"])
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
        if not report.ok:
            failed = next((s for s in report.steps if not s.ok), None)
            raise CommandError(f"restore rehearsal FAILED at {failed.name if failed else '?'}")
