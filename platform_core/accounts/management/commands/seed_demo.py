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
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import transaction

from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.hooks import Hook

# One password for every demo account; it passes the SEC-3 password policy (checked on creation).
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (published on purpose; refused in production)


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
    phone: str | None = None
    is_staff: bool = False
    is_superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("admin", "admin@demo.local", None, "演示管理员", is_staff=True, is_superuser=True),
    DemoAccount("merchant owner", "merchant@demo.local", Role.MERCHANT_OWNER, "演示商家"),
    DemoAccount("customer", "customer@demo.local", Role.CUSTOMER, "演示顾客", phone="13800138000"),
    DemoAccount("auditor", "auditor@demo.local", Role.AUDITOR, "演示审计员", is_staff=True),
)


def demo_account_seed(account: DemoAccount) -> bool:
    """The account, created if missing and put in its role's group; True if it was created."""
    user, created = User.objects.get_or_create(
        email=account.email,
        defaults={
            "phone": account.phone,
            "name": account.name,
            "is_staff": account.is_staff,
            "is_superuser": account.is_superuser,
        },
    )
    if created:
        password_validation.validate_password(DEMO_PASSWORD, user)
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
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
        with transaction.atomic():
            rows = [(account, demo_account_seed(account)) for account in DEMO_ACCOUNTS]
            for seed in demo_seeders:
                if options["verbosity"] >= 2:
                    self.stdout.write(f"seeding demo data: {_app_label(seed)}")
                seed(stdout=self.stdout)
        if options["verbosity"] >= 1:
            self.print_summary(rows, base_url=options["base_url"].rstrip("/"), out=self.stdout)

    def print_summary(
        self, rows: list[tuple[DemoAccount, bool]], *, base_url: str, out: OutputWrapper
    ) -> None:
        out.write("")
        out.write(self.style.MIGRATE_HEADING(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        out.write(f"  {'who':<16}{'login':<24}{'phone':<14}{'role group':<18}")
        for account, created in rows:
            flags = " (superuser)" if account.is_superuser else " (staff)" if account.is_staff else ""
            out.write(
                f"  {account.label:<16}{account.email:<24}{account.phone or '-':<14}"
                f"{account.role or '-':<18}{'created' if created else 'already there'}{flags}"
            )
        if settings.STAFF_REQUIRE_OTP:
            out.write(
                "  Staff 2FA is ON: staff enrol a TOTP device before the admin or the API lets them in."
            )
        else:
            out.write(
                self.style.WARNING(
                    "  Staff 2FA is OFF only because STAFF_REQUIRE_OTP defaults to off outside production "
                    "(DJANGO_ENV=production turns it on)."
                )
            )
        out.write("")
        out.write(self.style.MIGRATE_HEADING("Where to look"))
        for label, path in (
            ("API docs", "/api/docs/"),
            ("API login", '/api/v1/auth/login/  (POST {"login": email or phone, "password": ...})'),
            ("admin", "/admin/"),
            ("merchant", "/merchant/  (coming)"),
        ):
            out.write(f"  {label:<16}{base_url}{path}")
        out.write("")
