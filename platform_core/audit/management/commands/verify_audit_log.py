from typing import Any

from django.core.management.base import BaseCommand, CommandError

from platform_core.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "AUD-1: recompute the audit log's hash chain; exit non-zero at the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_chain_verify()
        if not result.ok:
            raise CommandError(f"audit log broken at entry {result.first_broken_id}: {result.reason}")
        self.stdout.write(f"audit log OK: {result.count} entries")
