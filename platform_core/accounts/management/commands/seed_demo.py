"""Demo data for ``make run``: one account of each kind, then every app's own demo data.

Idempotent: accounts are looked up by email, so running it again changes nothing (an existing account
is left as it is, even if someone changed its password). It refuses to run in production: the demo
password is published in the README.

Apps add their demo data (a shop for merchant@demo.local, listings, an order, ...) by registering a
seeder on ``demo_seeders`` in their ``hooks.py``; the seeders run in INSTALLED_APPS order once the
accounts exist::

    # merchants/demo.py
    def seed(*, stdout: OutputWrapper) -> None:
        owner = User.objects.get(email="merchant@demo.local")
        ...  # get_or_create through the app's services; must be idempotent too

    # merchants/hooks.py
    demo_seeders.register(demo.seed)

Everything runs in one transaction: a failing seeder leaves the database as it was.
"""

import os
from dataclasses import dataclass
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import transaction

from platform_core.accounts.demo import (
    ADMIN,
    API,
    DASHBOARD,
    DEMO_PASSWORD,
    PrintedAccount,
    demo_user,
    printed_accounts,
)
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.hooks import Hook

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "Command", "demo_seeders"]

#: where each kind of account signs in, and how
SIGN_IN = {
    API: '/api/v1/auth/login/  (POST {"login": email or phone, "password": ...})',
    DASHBOARD: "/merchant/login/",
    ADMIN: "/admin/login/",
}


class Seeder(Protocol):
    def __call__(self, *, stdout: OutputWrapper) -> None: ...


demo_seeders = Hook[Seeder](
    "accounts.demo_seeders",
    doc=(
        "`manage.py seed_demo`: an app's demo data, once the demo accounts exist, in the command's "
        "transaction. Must be idempotent (get_or_create through the app's services); never in production."
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    label: str
    email: str
    role: str | None
    name: str
    signs_in_at: str
    phone: str | None = None
    is_staff: bool = False
    is_superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("admin", "admin@demo.local", None, "演示管理员", ADMIN, is_staff=True, is_superuser=True),
    DemoAccount("merchant owner", "merchant@demo.local", Role.MERCHANT_OWNER, "演示商家", DASHBOARD),
    DemoAccount("customer", "customer@demo.local", Role.CUSTOMER, "演示顾客", API, phone="13800138000"),
    DemoAccount("auditor", "auditor@demo.local", Role.AUDITOR, "演示审计员", ADMIN, is_staff=True),
)


def demo_account_seed(account: DemoAccount) -> bool:
    """The account, created if missing and put in its role's group; True if it was created."""
    created = not User.objects.filter(email=account.email).exists()
    user = demo_user(
        email=account.email,
        name=account.name,
        label=account.label,
        signs_in_at=account.signs_in_at,
        phone=account.phone,
        is_staff=account.is_staff,
        is_superuser=account.is_superuser,
    )
    if account.role:
        user.groups.add(Group.objects.get(name=account.role))  # no-op when already a member
    return created


def _app_label(seed: Seeder) -> str:
    config = apps.get_containing_app_config(getattr(seed, "__module__", ""))
    return config.label if config is not None else "?"


class Command(BaseCommand):
    help = "Create the demo accounts and each app's demo data. Safe to run again; refuses in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default=f"http://localhost:{os.environ.get('PORT', '8000')}",
            help="Where the printed URLs point (default: http://localhost:$PORT, PORT defaulting to 8000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo creates accounts with a published password; not in production.")
        printed_accounts.clear()
        with transaction.atomic():
            rows = [(account, demo_account_seed(account)) for account in DEMO_ACCOUNTS]
            for seed in demo_seeders:
                if options["verbosity"] >= 2:
                    self.stdout.write(f"seeding demo data: {_app_label(seed)}")
                seed(stdout=self.stdout)
        if options["verbosity"] >= 1:
            self.print_summary(rows, base_url=options["base_url"].rstrip("/"), out=self.stdout)
            self.print_more_accounts(list(printed_accounts), out=self.stdout)

    def print_summary(
        self, rows: list[tuple[DemoAccount, bool]], *, base_url: str, out: OutputWrapper
    ) -> None:
        out.write("")
        out.write(self.style.MIGRATE_HEADING(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        out.write(f"  {'who':<16}{'login':<24}{'phone':<14}{'role group':<18}{'signs in at':<22}")
        for account, created in rows:
            flags = " (superuser)" if account.is_superuser else " (staff)" if account.is_staff else ""
            out.write(
                f"  {account.label:<16}{account.email:<24}{account.phone or '-':<14}"
                f"{account.role or '-':<18}{SIGN_IN[account.signs_in_at].split()[0]:<22}"
                f"{'created' if created else 'already there'}{flags}"
            )
        if settings.STAFF_REQUIRE_OTP:
            out.write(
                "  Staff 2FA is ON: staff enrol a TOTP device before the admin or the API lets them in."
            )
        else:
            out.write(
                self.style.WARNING(
                    "  Staff 2FA is OFF only because STAFF_REQUIRE_OTP defaults to off outside production "
                    "(DJANGO_ENV=production turns it on): the admin asks for the password alone."
                )
            )
        if settings.PLATFORM_TEST_CLOCK_ENABLED:
            out.write(
                "  Test clock ON: the admin's Test clock page or POST /api/v1/sandbox/clock/advance/ "
                '{"hours": 72} moves time ahead (decision 026).'
            )
        out.write("")
        out.write(self.style.MIGRATE_HEADING("Where to look"))
        for label, path in (
            ("API docs", "/api/docs/"),
            ("API login", SIGN_IN[API]),
            ("admin", "/admin/"),
            ("merchant", "/merchant/  (the merchant dashboard; sign in as a shop owner)"),
        ):
            out.write(f"  {label:<16}{base_url}{path}")
        out.write("")

    def print_more_accounts(self, accounts: list[PrintedAccount], *, out: OutputWrapper) -> None:
        """The other demo accounts the apps' seeders made (same password), and where each signs in."""
        shown = {account.email for account in DEMO_ACCOUNTS}
        more = [account for account in accounts if account.email not in shown]
        if not more:
            return
        out.write(self.style.MIGRATE_HEADING(f"More demo accounts (password for all: {DEMO_PASSWORD})"))
        for account in more:
            out.write(f"  {account.label:<24} {account.email:<36} {SIGN_IN[account.signs_in_at].split()[0]}")
        out.write("")
