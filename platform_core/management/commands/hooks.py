"""``manage.py hooks``: every hook (``platform_core.hooks``), its signature, what it is for, and who is
registered on it, in firing order (``--hook <name>`` for one)."""

import textwrap
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_core.hooks import hook_get, hooks_all


class Command(BaseCommand):
    help = "List every hook, its signature, its documentation and its registrations in firing order."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hook", help="Only this hook (its name, e.g. orders.order_paid).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            hooks = [hook_get(options["hook"])] if options["hook"] else hooks_all()
        except ValueError as error:
            raise CommandError(str(error)) from None
        for hook in hooks:
            self.stdout.write(self.style.MIGRATE_HEADING(hook.name) + f"  (declared in {hook.declared_in})")
            self.stdout.write(f"    signature: {hook.signature}")
            for line in textwrap.wrap(hook.doc, width=100):
                self.stdout.write(f"    {line}")
            registrations = hook.registrations
            if not registrations:
                self.stdout.write("    registered: nobody")
            for position, registration in enumerate(registrations, start=1):
                self.stdout.write(
                    f"    {position}. {registration.qualified_name}  (in {registration.registered_in})"
                )
            self.stdout.write("")
