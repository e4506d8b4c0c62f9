"""Issue 20 items 3 and 5 and two low items, attacked through the admin with a verified second factor.

- STF-2, STF-4: nobody grants themselves power in the admin: groups are read-only, the user form cannot set
  staff or superuser status, and every change of anyone's rights is audited whatever the path.
- SEC-2: the admin masks personal data as the API and the exports do; unmasked views are audited.
- SEC-5: the admin sends a Content-Security-Policy and still renders under it.
- PAY-5: the operations role cannot cancel-and-refund a paid order; finance (``orders.refund_order``) can.
"""

import re
from datetime import timedelta
from typing import Any, cast

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.test import Client

from aftersales.admin._common import badge
from orders.models import Order, PaymentCallbackLog
from orders.services.refunds import order_cancel
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.models import AuditEntry
from platform_core.errors import Forbidden
from staff.selectors import administrator_list
from tests.factories.accounts import CustomerFactory, StaffFactory, UserFactory
from tests.factories.orders import paid_order
from tests.helpers.admin_otp import otp_admin_client as admin_signed_in

pytestmark = pytest.mark.django_db

PHONE, EMAIL = "13912345678", "zhang.san@example.com"


def _staff(**fields: Any) -> User:
    return cast(User, StaffFactory(**fields))


def _customer(**fields: Any) -> User:
    return cast(User, CustomerFactory(**fields))


def _perm(key: str) -> Permission:
    app_label, codename = key.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _give(user: User, *keys: str) -> User:
    user.user_permissions.add(*(_perm(key) for key in keys))
    return User.objects.get(pk=user.pk)


def _admin_client(settings, user: User) -> Client:
    """Signed in to the admin as SEC-3 requires: password and a TOTP token."""
    settings.STAFF_REQUIRE_OTP = True
    return admin_signed_in(user)


def _rights_entries(subject: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="rights.changed", subject_id=str(subject.pk)).order_by("id"))


# --- STF-2, STF-4 -----------------------------------------------------------------------------------


def test_stf_4_change_group_holder_cannot_make_own_group_administrator(settings) -> None:
    team = Group.objects.create(name="ops-team")
    attacker = _staff()
    attacker.groups.add(team)
    attacker = _give(attacker, "auth.view_group", "auth.change_group", "auth.add_group")
    client = _admin_client(settings, attacker)
    admins_before = set(administrator_list())
    administrator = _perm("staff.platform_administrator")

    assert client.get(f"/admin/auth/group/{team.pk}/change/").status_code == 200  # seen, read-only
    response = client.post(
        f"/admin/auth/group/{team.pk}/change/", {"name": "ops-team", "permissions": [administrator.pk]}
    )
    assert response.status_code == 403
    response = client.post("/admin/auth/group/add/", {"name": "root", "permissions": [administrator.pk]})
    assert response.status_code == 403

    assert not team.permissions.exists()
    assert not Group.objects.filter(name="root").exists()
    assert set(administrator_list()) == admins_before
    assert attacker not in administrator_list()


def test_stf_2_user_admin_cannot_set_staff_or_superuser_or_rights(settings) -> None:
    editor = _give(_staff(), "accounts.view_user", "accounts.change_user", "staff.view_personal_data")
    client = _admin_client(settings, editor)
    target = _customer(email="c@example.com", phone="13700001111")
    response = client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        {
            "email": "c@example.com",
            "phone": "13700001111",
            "name": "C",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name=Role.STAFF_FINANCE).pk],
            "user_permissions": [_perm("staff.platform_administrator").pk],
        },
    )
    assert response.status_code in (200, 302)
    target.refresh_from_db()
    assert not target.is_staff and not target.is_superuser
    assert not target.user_permissions.exists()
    assert list(target.groups.values_list("name", flat=True)) == [Role.CUSTOMER]


def test_stf_2_every_rights_change_is_audited_whatever_the_path() -> None:
    user = _staff()
    group = Group.objects.create(name="night-shift")
    administrator = _perm("staff.platform_administrator")
    before_user, before_group = len(_rights_entries(user)), len(_rights_entries(group))

    user.groups.add(group)  # a direct ORM change: no service, no admin
    group.permissions.add(administrator)
    user.user_permissions.add(_perm("orders.refund_order"))
    user.user_permissions.remove(_perm("orders.refund_order"))
    administrator.group_set.clear()  # reverse side
    group.user_set.remove(user)  # reverse side
    user.is_superuser = True
    user.save()

    on_user = [e.after for e in _rights_entries(user)[before_user:]]
    on_group = [e.after for e in _rights_entries(group)[before_group:]]
    assert on_user == [
        {"relation": "groups", "added": ["night-shift"]},
        {"relation": "user_permissions", "added": ["orders.refund_order"]},
        {"relation": "user_permissions", "removed": ["orders.refund_order"]},
        {"relation": "groups", "removed": ["night-shift"]},
        {"relation": "flags", "is_superuser": True},
    ]
    assert on_group == [
        {"relation": "permissions", "added": ["staff.platform_administrator"], "members": [user.pk]},
        {"relation": "permissions", "removed": ["staff.platform_administrator"], "members": [user.pk]},
    ]


def test_stf_2_a_grant_leaves_a_rights_changed_entry_with_the_admin_as_actor(settings) -> None:
    """Through the admin too: a holder of accounts.change_user toggles nothing, but a grant service run
    from any interface is caught by the same catch-all."""
    from staff.services.grants import permission_grant

    reviewer = _staff()
    user = _staff()
    permission_grant(user=user, permission=_perm("orders.moderate_review"), reason="queue", actor=reviewer)
    entry = _rights_entries(user)[-1]
    assert entry.after == {"relation": "user_permissions", "added": ["orders.moderate_review"]}


# --- SEC-2 ------------------------------------------------------------------------------------------


@pytest.fixture
def customer_with_order() -> Order:
    customer = _customer(email=EMAIL, phone=PHONE, name="张三丰")
    return paid_order(customer=customer, payer_account="sandbox-payer-8812345678")


def test_sec_2_auditor_sees_personal_data_masked_in_the_admin(settings, customer_with_order: Order) -> None:
    auditor = UserFactory(role=Role.AUDITOR, is_staff=True)
    client = _admin_client(settings, auditor)
    order, customer = customer_with_order, customer_with_order.customer
    log = PaymentCallbackLog.objects.filter(payment__order=order).first()
    assert log is not None and "sandbox-payer-8812345678" in log.body
    pages = {
        "user list": "/admin/accounts/user/",
        "user page": f"/admin/accounts/user/{customer.pk}/change/",
        "order list": "/admin/orders/order/",
        "order page": f"/admin/orders/order/{order.pk}/change/",
        "callback list": "/admin/orders/paymentcallbacklog/",
        "callback page": f"/admin/orders/paymentcallbacklog/{log.pk}/change/",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        for secret in (PHONE, EMAIL, "13800000000", "建国路1号", "sandbox-payer-8812345678", "张三丰"):
            assert secret not in html, f"{secret} unmasked on the {name}"
    html = client.get(pages["user page"]).content.decode()
    assert "139****5678" in html and "z****@example.com" in html
    html = client.get(pages["order page"]).content.decode()
    assert "138****0000" in html
    assert "5678" in client.get(pages["callback page"]).content.decode()
    assert not AuditEntry.objects.filter(action="personal_data.viewed").exists()


def test_sec_2_unmasked_admin_views_are_audited(settings, customer_with_order: Order) -> None:
    viewer = _give(
        _staff(),
        "accounts.view_user",
        "orders.view_order",
        "orders.view_paymentcallbacklog",
        "staff.view_personal_data",
    )
    client = _admin_client(settings, viewer)
    order, customer = customer_with_order, customer_with_order.customer
    log = PaymentCallbackLog.objects.filter(payment__order=order).get()

    assert PHONE in client.get(f"/admin/accounts/user/{customer.pk}/change/").content.decode()
    assert "13800000000" in client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    body = client.get(f"/admin/orders/paymentcallbacklog/{log.pk}/change/").content.decode()
    assert "sandbox-payer-8812345678" in body
    client.get(f"/admin/accounts/user/?q={PHONE}")

    viewed = AuditEntry.objects.filter(action="personal_data.viewed", actor=viewer).order_by("id")
    subjects = [(e.subject_type_label, e.subject_id) for e in viewed]
    assert subjects[:3] == [
        ("accounts.user", str(customer.pk)),
        ("orders.order", str(order.pk)),
        ("orders.paymentcallbacklog", str(log.pk)),
    ]
    assert viewed[0].after == {"fields": ["email", "name", "phone"]}
    assert len(subjects) == 4  # and the list page, once


def test_sec_2_admin_search_by_phone_or_email_needs_the_personal_data_permission(
    settings, customer_with_order: Order
) -> None:
    """Searching the user or order list by a phone number or e-mail address would tell a viewer who may not
    see personal data whose it is (and that it is registered): those search fields are offered only to a
    viewer with ``staff.view_personal_data``."""
    order, customer = customer_with_order, customer_with_order.customer
    auditor = UserFactory(role=Role.AUDITOR, is_staff=True)
    client = _admin_client(settings, auditor)

    def found(url: str, query: str) -> set[str]:
        response = client.get(url, {"q": query})
        assert response.status_code == 200
        return set(re.findall(r'href="(/admin/[a-z]+/[a-z]+/\d+/change/)', response.content.decode()))

    # the same rows whether the searched contact exists or not: the search tells the auditor nothing
    for url in ("/admin/accounts/user/", "/admin/orders/order/"):
        for query, unknown in ((PHONE, "13700000000"), (EMAIL, "nobody@example.com"), ("张三丰", "李四光")):
            assert found(url, query) == found(url, unknown), (url, query)
    assert order.number in client.get("/admin/orders/order/", {"q": order.number}).content.decode()

    permitted = _give(_staff(), "accounts.view_user", "orders.view_order", "staff.view_personal_data")
    client = _admin_client(settings, permitted)
    users = client.get("/admin/accounts/user/", {"q": PHONE}).content.decode()
    assert f"/admin/accounts/user/{customer.pk}/change/" in users
    assert order.number in client.get("/admin/orders/order/", {"q": EMAIL}).content.decode()


def _customer_pages(customer: User) -> dict[str, str]:
    return {
        "history": f"/admin/accounts/user/{customer.pk}/history/",
        "password page": f"/admin/accounts/user/{customer.pk}/password/",
        "account deletion page": f"/admin/accounts/user/{customer.pk}/delete-account/",
    }


def test_sec_2_admin_log_history_and_account_deletion_pages_name_a_customer_masked(
    settings, customer_with_order: Order
) -> None:
    """The admin's log ("Recent actions", each object's history), the history, password and account deletion
    ("注销账户", USR-4) pages and the admin's messages never name a customer to a staff member without
    ``staff.view_personal_data``."""
    customer = customer_with_order.customer
    editor = _give(_staff(), "accounts.view_user", "accounts.change_user", "accounts.delete_user")
    client = _admin_client(settings, editor)
    secrets = (PHONE, EMAIL, "张三丰", "13800000000")

    saved = client.post(f"/admin/accounts/user/{customer.pk}/change/", {"is_active": "on"}, follow=True)
    assert saved.status_code == 200
    assert f"/admin/accounts/user/{customer.pk}/change/" not in saved.redirect_chain[-1][0]  # saved
    entry = LogEntry.objects.get(user=editor, object_id=str(customer.pk))
    assert entry.object_repr == f"User #{customer.pk}"  # stored so: every later reader sees it
    pages = {"message": saved, "recent actions": client.get("/admin/")}
    pages |= {name: client.get(url) for name, url in _customer_pages(customer).items()}
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        for secret in secrets:
            assert secret not in html, f"{secret} unmasked on the {name}"
    assert f"User #{customer.pk}" in pages["recent actions"].content.decode()
    assert "张**" in pages["history"].content.decode()

    auditor = UserFactory(role=Role.AUDITOR, is_staff=True)
    html = _admin_client(settings, auditor).get(_customer_pages(customer)["history"]).content.decode()
    assert not any(secret in html for secret in secrets)
    assert not AuditEntry.objects.filter(action="personal_data.viewed").exists()


def test_sec_2_admin_deleting_a_customer_logs_and_says_it_masked(settings) -> None:
    customer = _customer(email="li.si@example.com", phone="13712345678", name="李四光")
    editor = _give(_staff(), "accounts.view_user", "accounts.delete_user")
    client = _admin_client(settings, editor)
    url = f"/admin/accounts/user/{customer.pk}/delete-account/"
    response = client.post(url, {"reason": "客户来电要求注销"}, follow=True)
    assert response.status_code == 200
    assert User.objects.get(pk=customer.pk).anonymised_at is not None  # USR-4: anonymised, never deleted
    html = response.content.decode()
    assert not any(secret in html for secret in ("李四光", "li.si@example.com", "13712345678"))
    assert "李**" in html  # "The account of 李** was deleted: …"
    assert LogEntry.objects.get(user=editor, object_id=str(customer.pk)).object_repr == f"User #{customer.pk}"


def test_sec_2_permitted_viewer_sees_history_and_account_deletion_pages_unmasked_and_audited(
    settings, customer_with_order: Order
) -> None:
    customer = customer_with_order.customer
    viewer = _give(
        _staff(),
        "accounts.view_user",
        "accounts.change_user",
        "accounts.delete_user",
        "staff.view_personal_data",
    )
    client = _admin_client(settings, viewer)
    for name, url in _customer_pages(customer).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert "张三丰" in response.content.decode(), name
    viewed = AuditEntry.objects.filter(action="personal_data.viewed", actor=viewer).order_by("id")
    assert [(e.subject_id, e.reason) for e in viewed] == [
        (str(customer.pk), "admin history"),
        (str(customer.pk), "admin password page"),
        (str(customer.pk), "admin account deletion page"),
    ]


# --- SEC-5: the admin's Content-Security-Policy ------------------------------------------------------


def test_sec_5_admin_sends_a_csp_and_renders_under_it(settings) -> None:
    """SEC-5: no inline code or style element the policy would block; the styles come from our static files."""
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = _admin_client(settings, superuser)
    order = paid_order()
    for url in (
        "/admin/",
        "/admin/orders/order/",
        f"/admin/orders/order/{order.pk}/change/",
        "/admin/accounts/user/",
        "/admin/auth/group/",
        "/admin/aftersales/aftersalesrequest/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        html = response.content.decode()
        # nothing the policy would block: no inline script, no inline event handler, no inline style element
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html), url
        assert not re.search(r"\son[a-z]+=\"", html), url
        assert "style-src 'self'" in policy and "<style" not in html, url
        stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        assert stylesheets and all(href.startswith(settings.STATIC_URL) for href in stylesheets), url
        # the console's own styles come from files the policy allows, on every page
        assert f"{settings.STATIC_URL}console/console.css" in stylesheets, url
        if url == "/admin/":
            assert f"{settings.STATIC_URL}console/index.css" in stylesheets
    # the after-sales SLA badge is coloured by the console's classes, not by a style attribute the policy blocks
    for due_at in (None, clock.now() + timedelta(hours=1), clock.now() - timedelta(hours=1)):
        html = str(badge(due_at))
        assert "style=" not in html and 'class="sla-' in html, html


# --- PAY-5: refunds are finance's ----------------------------------------------------------------------


def test_pay_5_operations_cannot_cancel_and_refund_a_paid_order(settings) -> None:
    operations = _give(_staff(role=Role.STAFF_OPERATIONS), "orders.view_order", "orders.change_order")
    client = _admin_client(settings, operations)
    order = paid_order()
    client.post(
        "/admin/orders/order/",
        {"action": "cancel_with_refund", "_selected_action": [order.pk], "reason": "customer asked"},
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    with pytest.raises(Forbidden):
        order_cancel(order=order, reason="customer asked", actor=operations, as_merchant=True, by_staff=True)

    finance = _give(_staff(role=Role.STAFF_FINANCE), "orders.view_order")
    assert finance.has_perm("orders.refund_order")  # from the finance role (migration 0005)
    client = _admin_client(settings, finance)
    client.post(
        "/admin/orders/order/",
        {"action": "cancel_with_refund", "_selected_action": [order.pk], "reason": "customer asked"},
    )
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


def test_sec_2_auditor_sees_no_customer_in_aftersales_jury_and_dispute_admin(settings) -> None:
    """SEC-2: the after-sales, jury and dispute admins name the customer (list columns, read-only change pages,
    inlines' actors and senders) masked to an auditor without ``staff.view_personal_data``; searching them by
    the customer's e-mail or phone is not offered either."""
    from aftersales.models import Conversation, Suggestion
    from aftersales.services.conversations import conversation_start
    from aftersales.services.suggestions import suggestion_record
    from disputes.models import Party
    from jury.models import Juror
    from jury.services import jury_consent_give
    from tests.factories.aftersales import completed_order, file_complaint
    from tests.factories.disputes import dispute_from_refusal

    name, phone = "张三丰", "13612345678"
    customer = _customer(name=name, phone=phone, email="sanfeng.zhang@example.com")
    order = completed_order(customer=customer, prices=("200.00",))
    dispute = dispute_from_refusal(order)
    request = dispute.aftersales_request
    assert request is not None
    complaint = file_complaint(complainant=customer, order=order)
    suggestion = suggestion_record(user=customer, text="希望增加夜间客服", actor=customer)
    conversation = conversation_start(
        customer=customer, kind=Conversation.Kind.PLATFORM, text=f"在吗？请打 {phone}", actor=customer
    )
    case = jury_consent_give(dispute=dispute, party=Party.CUSTOMER, actor=customer)
    seat = Juror.objects.create(case=case, user=customer)
    assert Suggestion.objects.filter(pk=suggestion.pk).exists()

    auditor = UserFactory(role=Role.AUDITOR, is_staff=True)
    client = _admin_client(settings, auditor)
    pages = {
        "suggestion": ("aftersales/suggestion", suggestion.pk),
        "after-sales request": ("aftersales/aftersalesrequest", request.pk),
        "escalated request": ("aftersales/escalatedrequest", request.pk),
        "complaint": ("aftersales/complaint", complaint.pk),
        "complaint queue": ("aftersales/complaintqueueitem", complaint.pk),
        "conversation": ("aftersales/conversation", conversation.pk),
        "service conversation": ("aftersales/serviceconversation", conversation.pk),
        "jury case": ("jury/jurycase", case.pk),
        "juror": ("jury/juror", seat.pk),
        "dispute": ("disputes/dispute", dispute.pk),
    }
    seen = 0
    for page, (path, pk) in pages.items():
        for url in (f"/admin/{path}/", f"/admin/{path}/{pk}/change/"):
            response = client.get(url)
            assert response.status_code in (200, 302), (page, url, response.status_code)
            if response.status_code != 200:
                continue
            seen += 1
            html = response.content.decode()
            for secret in (name, phone, str(customer.email)):
                assert secret not in html, f"{secret} unmasked on the {page} page {url}"
    assert seen >= 18
    # the auditor cannot find which after-sales / complaint / conversation / juror rows are this customer's
    searched = {
        "aftersales/aftersalesrequest": request.pk,
        "aftersales/complaint": complaint.pk,
        "aftersales/conversation": conversation.pk,
        "jury/juror": seat.pk,
    }
    for path, pk in searched.items():
        assert f"/admin/{path}/{pk}/change/" in client.get(f"/admin/{path}/").content.decode()
        for query in (customer.email, phone):
            listed = client.get(f"/admin/{path}/", {"q": query}).content.decode()
            assert f"/admin/{path}/{pk}/change/" not in listed, (path, query)
