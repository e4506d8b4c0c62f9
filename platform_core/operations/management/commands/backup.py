"""``manage.py backup [--dest DIR] [--keep N]``: database dump + uploaded files + manifest (OPS-4)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_core.operations.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "OPS-4: back up the database (pg_dump -Fc, or a SQLite copy) and MEDIA_ROOT, with a SHA-256 manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dest", type=Path, default=None, help="directory (default: OPS_BACKUP_DIR)")
        parser.add_argument(
            "--keep", type=int, default=None, help="keep the newest N (default: OPS_BACKUP_KEEP)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup = backup_create(dest=options["dest"], keep=options["keep"])
        except BackupError as exc:
            raise CommandError(f"backup FAILED: {exc}") from exc
        self.stdout.write(json.dumps({"ok": True, "path": str(backup.path), **backup.manifest}, indent=2))
