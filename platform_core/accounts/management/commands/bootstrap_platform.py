"""``manage.py bootstrap_platform``: the first administrator of a new installation (issue 21, SEC-3).

    docker compose run --rm web python manage.py bootstrap_platform --email admin@example.cn --name 管理员

asks for the password (or reads it from standard input with ``--password-stdin``), creates the
administrator with a confirmed authenticator, and prints, once, its enrolment — the ``otpauth://`` URI and
the same as a QR code in the terminal, to scan with any authenticator app — and ten single-use backup
codes. Everyone else enrols their own authenticator on their first sign-in to the admin
(``/admin/second-factor/``).

Idempotent: run again with the same answers (e-mail, mobile number, name and password) it changes and
prints nothing secret; with different answers, or when the platform already has an administrator, it
refuses and changes nothing (exit status 1).
"""

import getpass
import io
import sys
from typing import Any

import qrcode
from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_core.accounts.services import platform_bootstrap
from platform_core.errors import DomainError


def terminal_qr(data: str) -> str:
    """``data`` as a QR code drawn with block characters (readable by a phone from a terminal)."""
    code = qrcode.QRCode(border=2)
    code.add_data(data)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()


class Command(BaseCommand):
    help = "Create the first administrator and print their authenticator enrolment and backup codes (once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="the administrator's e-mail address (sign-in)")
        parser.add_argument("--phone", default="", help="the administrator's mobile number (optional)")
        parser.add_argument("--name", default="", help="the administrator's name")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input instead of asking (never pass it as an argument)",
        )

    def _password(self, options: dict[str, Any]) -> str:
        if options["password_stdin"]:
            return sys.stdin.readline().rstrip("\n")
        if not sys.stdin.isatty():
            raise CommandError("No terminal to ask for the password: use --password-stdin.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options)
        try:
            done = platform_bootstrap(
                email=options["email"], phone=options["phone"], name=options["name"], password=password
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        if not done.created:
            self.stdout.write(
                f"Already set up: {done.administrator.email} administers the platform. Nothing changed."
            )
            return
        assert done.device is not None
        uri = done.device.config_url
        self.stdout.write(f"Administrator created: {done.administrator.email}")
        self.stdout.write("")
        self.stdout.write("Scan this with an authenticator app (or enter the otpauth URI below):")
        self.stdout.write(terminal_qr(uri))
        self.stdout.write(f"otpauth URI: {uri}")
        self.stdout.write("")
        self.stdout.write("Backup codes (each works once; keep them offline):")
        for code in done.backup_codes:
            self.stdout.write(f"  {code}")
        self.stdout.write("")
        self.stdout.write("Sign in at /admin/ with the e-mail, the password and the app's current code.")
        self.stdout.write("These secrets are shown once: running the command again prints none of them.")
