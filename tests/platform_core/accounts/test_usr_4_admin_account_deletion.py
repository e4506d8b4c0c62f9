"""USR-4, issue 21 (decision 047): staff delete an account at its holder's request only through "注销账户" in
the user admin — the deletion service's anonymisers and audit row — never as a hard delete of the row.
Over HTTP, signed in with the second factor."""

from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.sessions.models import Session
from django.test import Client

from orders.models import Order
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory, StaffFactory
from tests.factories.orders import completed_order, paid_order
from tests.helpers.admin_otp import otp_admin_client, with_permissions

pytestmark = pytest.mark.django_db

REASON = "客户来电要求注销账户，工单 #8812"


def _page(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/delete-account/"


def _signed_in(user: User) -> None:
    browser = Client()
    assert browser.login(username=user.email, password=DEFAULT_PASSWORD)


def _untouched(user: User) -> bool:
    user.refresh_from_db()
    return user.anonymised_at is None and user.is_active and bool(user.name)


def test_usr_4_admin_deletes_an_account_through_anonymisation_with_audit_row(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True
    holder = CustomerFactory.create(name="王小明", phone="13611112222", email="wang.xm@example.com")
    order = completed_order(customer=holder)
    _signed_in(holder)
    busy = paid_order().customer  # an open order holds the deletion back
    colleague = StaffFactory.create()
    operator = with_permissions(
        StaffFactory.create(), "accounts.view_user", "accounts.change_user", "accounts.delete_user"
    )
    client = otp_admin_client(operator)

    # no hard delete: neither the delete page nor the list's bulk action
    assert client.get(f"/admin/accounts/user/{holder.pk}/delete/").status_code == 403
    assert client.post(f"/admin/accounts/user/{holder.pk}/delete/", {"post": "yes"}).status_code == 403
    assert 'value="delete_selected"' not in client.get("/admin/accounts/user/").content.decode()
    bulk = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [holder.pk], "post": "yes"}
    client.post("/admin/accounts/user/", bulk)
    assert User.objects.filter(pk=holder.pk).exists() and _untouched(holder)

    # the account's page leads to "注销账户"; no reason, no deletion
    assert _page(holder) in client.get(f"/admin/accounts/user/{holder.pk}/change/").content.decode()
    assert client.post(_page(holder), {"reason": " "}).status_code == 200
    assert _untouched(holder)

    # refused with the reasons while an order is open; a staff account is offboarded first (STF-5)
    page = client.get(_page(busy)).content.decode()
    assert Order.objects.get(customer=busy).number in page
    assert "open orders" in client.post(_page(busy), {"reason": REASON}).content.decode()
    assert _untouched(busy)
    assert "offboarded" in client.post(_page(colleague), {"reason": REASON}).content.decode()
    assert _untouched(colleague)

    done = client.post(_page(holder), {"reason": REASON})
    assert done.status_code == 302
    holder.refresh_from_db()
    assert (holder.name, holder.email, holder.phone) == ("", None, None)
    assert holder.anonymised_at is not None and not holder.is_active and not holder.has_usable_password()
    assert not any(str(s.get_decoded().get("_auth_user_id")) == str(holder.pk) for s in Session.objects.all())
    order.refresh_from_db()
    assert (order.shipping_name, order.shipping_phone, order.shipping_address) == ("", "", "")
    assert order.total > 0  # the trade record stays (ORD-8)

    entry = AuditEntry.objects.get(action="account.deleted", subject_id=str(holder.pk))
    assert entry.actor == operator and entry.reason == REASON
    assert entry.after is not None and entry.after["sessions_ended"] == 1
    assert AuditEntry.objects.filter(
        action="order.customer_anonymised", subject_id=str(holder.pk), actor=operator
    ).exists()
    assert client.post(_page(holder), {"reason": REASON}).status_code == 200  # once only
    assert AuditEntry.objects.filter(action="account.deleted").count() == 1

    # only holders of accounts.delete_user
    viewer = with_permissions(StaffFactory.create(), "accounts.view_user", "accounts.change_user")
    other = otp_admin_client(viewer)
    assert other.get(_page(busy)).status_code == 403
    assert other.post(_page(busy), {"reason": REASON}).status_code == 403
    assert _page(busy) not in other.get(f"/admin/accounts/user/{busy.pk}/change/").content.decode()
