"""USR-4, ORD-8: self-service account deletion, refused only for open business, then anonymised."""

from collections.abc import Iterator

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from knox.models import AuthToken
from rest_framework.test import APIClient

from platform_core.accounts import deletion as account_deletion
from platform_core.accounts.deletion import user_account_delete
from platform_core.accounts.models import PrivacySettings, User
from platform_core.accounts.services import privacy_settings_update, user_token_issue
from platform_core.audit.models import AuditEntry
from platform_core.errors import Conflict, Forbidden, InvalidInput
from tests.conftest import client_for
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/delete/"


class FakeOrders:
    """Stands in for the orders app: an open-order check and an anonymiser of shipping snapshots."""

    def __init__(self) -> None:
        self.open_for: set[int] = set()
        self.kept_orders: dict[int, dict[str, str]] = {}

    def open_orders_reason(self, user: User) -> list[str]:
        return ["You have 1 open order (#1001): wait until it completes."] if user.pk in self.open_for else []

    def anonymise(self, *, user: User, actor: User | None) -> int:
        order = self.kept_orders.get(user.pk, {})
        order.update(shipping_name="", shipping_phone="")  # the trade record (amount) stays
        return 1


@pytest.fixture
def orders() -> Iterator[FakeOrders]:
    fake = FakeOrders()
    with (
        account_deletion.account_deletion_checks.replaced(fake.open_orders_reason),
        account_deletion.account_anonymisers.registered(fake.anonymise),
    ):
        yield fake


def login_session(user: User) -> str:
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store.create()
    return store.session_key or ""


def test_usr_4_account_deletion_refused_with_open_order_then_allowed(orders):
    customer = CustomerFactory.create(name="李四", phone="13912345678", email="lisi@example.com")
    orders.open_for.add(customer.pk)
    orders.kept_orders[customer.pk] = {
        "shipping_name": "李四",
        "shipping_phone": "13912345678",
        "total": "99.00",
    }
    client = client_for(customer)

    refused = client.post(URL, {"password": DEFAULT_PASSWORD}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "account_deletion_blocked"
    assert refused.json()["errors"]["reasons"] == ["You have 1 open order (#1001): wait until it completes."]
    customer.refresh_from_db()
    assert customer.is_active and customer.anonymised_at is None and customer.phone == "13912345678"

    orders.open_for.clear()  # the order completed
    session_key = login_session(customer)
    _token, clear = user_token_issue(user=customer)
    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {clear}")
    assert with_token.get("/api/v1/me/").status_code == 200
    allowed = client.post(URL, {"password": DEFAULT_PASSWORD}, format="json")
    assert allowed.status_code == 204, allowed.json()

    gone = User.objects.get(pk=customer.pk)  # the row stays for the trade records (ORD-8)
    assert (gone.name, gone.phone, gone.email) == ("", None, None)
    assert gone.anonymised_at is not None and not gone.is_active and not gone.has_usable_password()
    assert not gone.groups.exists()
    assert not AuthToken.objects.filter(user=gone).exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    assert orders.kept_orders[customer.pk] == {"shipping_name": "", "shipping_phone": "", "total": "99.00"}
    assert AuditEntry.objects.filter(action="account.deleted").count() == 1
    assert with_token.get("/api/v1/me/").status_code == 401  # the token died with the account


def test_usr_4_wrong_password_refused(orders):
    customer = CustomerFactory.create()
    with pytest.raises(InvalidInput, match="password"):
        user_account_delete(user=customer, password="not-my-password", actor=customer)
    assert User.objects.get(pk=customer.pk).is_active


def test_usr_4_only_the_holder_deletes_and_only_once(orders):
    customer, other = CustomerFactory.create(), CustomerFactory.create()
    with pytest.raises(Forbidden):
        user_account_delete(user=customer, password=DEFAULT_PASSWORD, actor=other)
    user_account_delete(user=customer, password=DEFAULT_PASSWORD, actor=customer)
    with pytest.raises(Conflict):
        user_account_delete(user=customer, password=DEFAULT_PASSWORD, actor=customer)


def test_usr_4_privacy_settings_removed_with_the_account(orders):
    customer = CustomerFactory.create()
    privacy_settings_update(user=customer, changes={"personalised_recommendations": False}, actor=customer)
    user_account_delete(user=customer, password=DEFAULT_PASSWORD, actor=customer)
    assert not PrivacySettings.objects.filter(user=customer).exists()


def test_usr_4_the_hooks_are_what_other_apps_register_into():
    # The kernel imports no chapter app: merchants, orders, aftersales and staff register from their hooks.py.
    from aftersales.selectors import customer_open_aftersales_reason
    from merchants.services.lifecycle import owner_shops_deletion_reasons
    from orders.selectors.money import owner_pending_payouts_reason
    from orders.selectors.orders import customer_open_orders_reason
    from orders.services.retention import orders_anonymise_customer
    from staff.services.account_deletion import staff_anonymise_user

    assert list(account_deletion.account_deletion_checks) == [
        owner_shops_deletion_reasons,
        customer_open_orders_reason,
        owner_pending_payouts_reason,
        customer_open_aftersales_reason,
    ]
    assert list(account_deletion.account_anonymisers) == [orders_anonymise_customer, staff_anonymise_user]
