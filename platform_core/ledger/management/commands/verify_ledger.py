"""``manage.py verify_ledger``: the whole-ledger check (PAY-1), for operators, CI and backup drills."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from platform_core.ledger.selectors import ledger_verify


class Command(BaseCommand):
    help = "Check that every ledger transaction balances, entries sum to zero and cached balances are right."

    def handle(self, *args: Any, **options: Any) -> None:
        result = ledger_verify()
        if not result.ok:
            for problem in result.problems[1:]:
                self.stderr.write(problem)
            raise CommandError(f"ledger NOT OK ({len(result.problems)} problems): {result.problems[0]}")
        self.stdout.write(f"ledger OK: {result.transactions} transactions, {result.accounts} accounts")
