"""Demo accounts for ``manage.py seed_demo`` (issue 24): every account the demo prints signs in with the
printed password, where the printout says.

Apps' demo seeders make their accounts with ``demo_user``: it creates the account with ``DEMO_PASSWORD``
(or gives an existing demo account without a usable password that one) and notes it for the printout,
with where it signs in (the API, the merchant dashboard, the admin).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import password_validation

from platform_core.accounts.models import User

# One password for every demo account; it passes the SEC-3 password policy (checked on creation).
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (published on purpose; refused in production)

API = "api"
DASHBOARD = "dashboard"
ADMIN = "admin"


@dataclass(frozen=True)
class PrintedAccount:
    label: str
    email: str
    signs_in_at: str  # API, DASHBOARD or ADMIN


#: the accounts the current seed run noted, in order (``seed_demo`` prints and empties it)
printed_accounts: list[PrintedAccount] = []


def demo_account_note(*, label: str, email: str, signs_in_at: str) -> None:
    """Put an account on the printout (once: the first note of an email wins)."""
    if all(account.email != email for account in printed_accounts):
        printed_accounts.append(PrintedAccount(label=label, email=email, signs_in_at=signs_in_at))


def demo_user(*, email: str, name: str, label: str, signs_in_at: str = API, **fields: Any) -> User:
    """The demo account ``email``, made with ``DEMO_PASSWORD`` if missing; noted for the printout."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, name=name, **fields)
    if not user.has_usable_password():
        password_validation.validate_password(DEMO_PASSWORD, user)
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    demo_account_note(label=label, email=email, signs_in_at=signs_in_at)
    return user
