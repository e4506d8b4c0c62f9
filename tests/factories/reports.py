"""Report test helpers: auditors with the report permissions, personal-data viewers, seeded money, and
CSV exports read back as the auditor receives them."""

import csv
import io
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Permission

from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.ledger.models import AccountKind, TransactionKind
from platform_core.ledger.services import ledger_post
from platform_core.reports.services import report_permissions_sync
from tests.conftest import client_for
from tests.factories.accounts import UserFactory
from tests.factories.ledger import escrow_account, fund_escrow, payable_account, platform_account, unique_key


def auditor_factory(**kwargs: object) -> User:
    """A read-only auditor (group ``auditor``, is_staff) holding every report permission."""
    report_permissions_sync()  # the auditor group gets reports.export_* (post_migrate does it in real life)
    return UserFactory(role=Role.AUDITOR, is_staff=True, password=None, **kwargs)


def grant_personal_data(user: User) -> User:
    """Give ``staff.view_personal_data`` (SEC-2) and return the user fresh (permission caches reset)."""
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="staff", codename="view_personal_data")
    )
    return User.objects.get(pk=user.pk)


def seed_ledger(orders: int = 3) -> None:
    """Payments into escrow, releases to merchant payables and a commission: three transaction kinds."""
    for n in range(orders):
        escrow = escrow_account()
        fund_escrow(escrow, Decimal("100.00") + n)
        payable = payable_account()
        commission = platform_account(AccountKind.PLATFORM_COMMISSION)
        ledger_post(
            idempotency_key=unique_key("release"),
            kind=TransactionKind.RELEASE,
            postings=[
                (escrow, Decimal("-95.00")),
                (payable, Decimal("90.00")),
                (commission, Decimal("5.00")),
            ],
        )


def streamed(response: Any) -> bytes:
    """All the bytes of a streaming (or file) response, as the client receives them."""
    return b"".join(response.streaming_content)


def export_csv(user: User, code: str, query: str = "") -> tuple[list[dict[str, str]], bytes, int]:
    """Export ``code`` as CSV through the API: the rows by (English) header, the bytes and the export id."""
    response = client_for(user).get(f"/api/v1/reports/{code}/export/?format=csv{query}")
    assert response.status_code == 200, getattr(response, "data", response)
    body = streamed(response)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    return rows, body, int(response["X-Export-Id"])
