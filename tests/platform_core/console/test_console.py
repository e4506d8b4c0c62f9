"""AUD-2, issue 12: the operations console (admin index) shows the work queues within a fixed budget."""

import re
from datetime import timedelta
from typing import cast

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from merchants.models import MerchantApplication
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.console.auditor import auditor_view_permissions_sync
from platform_core.console.queues import work_queue_states, work_queues_all, work_queues_for
from staff.models import PermissionApplication
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.disputes import mediator
from tests.platform_core.console.seed import seed_queues

pytestmark = pytest.mark.django_db

SEEDED = (
    "merchants.applications",
    "catalog.listing_reviews",
    "catalog.inspections",
    "catalog.ip_notices",
    "aftersales.complaints",
    "staff.permission_applications",
    "merchants.violation_appeals",
    "orders.reconciliation_differences",
    "disputes.cases",
)

ROW = re.compile(r'<tr class="work-queue( is-overdue)?" data-queue="([\w.]+)" data-count="(\d+)">')


def _console(client: Client) -> tuple[str, dict[str, tuple[int, bool]]]:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    return html, {code: (int(count), bool(overdue)) for overdue, code, count in ROW.findall(html)}


def _superuser_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_aud_2_console_queue_counts_match_seeded_scenario() -> None:
    seed_queues(3)
    html, rows = _console(_superuser_client())

    for code in SEEDED:
        assert rows[code][0] == 3, code
    # no items seeded there: shown, with zero
    assert rows["aftersales.escalated_requests"] == (0, False)
    assert rows["aftersales.escalated_complaints"] == (0, False)
    assert rows["orders.follow_ups"] == (0, False)
    # the oldest listing review's clock ran out an hour ago: red; the others still run
    assert rows["catalog.listing_reviews"][1] is True
    assert "overdue by 1 h" in html or "overdue by 0 h 59 min" in html
    assert rows["merchants.applications"][1] is False
    # each queue links to its filtered changelist
    assert 'href="/admin/merchants/merchantapplication/?status__in=submitted,under_review"' in html
    assert 'href="/admin/catalog/listingreview/"' in html
    assert 'href="/admin/disputes/dispute/?status__in=mediation,arbitration,appealed"' in html

    states = {s.code: s for s in work_queue_states(UserFactory(is_staff=True, is_superuser=True))}
    applications = states["merchants.applications"]
    assert applications.time_left is not None
    assert timedelta(hours=23) < applications.time_left <= timedelta(days=1)
    assert states["catalog.inspections"].time_left is None
    disputes = states["disputes.cases"]  # the mediation window of the first case runs out first
    assert disputes.time_left is not None and timedelta(hours=23) < disputes.time_left <= timedelta(days=1)


def test_aud_2_dispute_staff_see_the_disputes_queue() -> None:
    codes = {q.code for q in work_queues_for(mediator())}
    assert "disputes.cases" in codes
    assert "disputes.cases" not in {q.code for q in work_queues_for(StaffFactory(role=Role.STAFF_HR))}


def test_aud_2_console_counts_follow_state_changes() -> None:
    """A decided application leaves the queue (the count is live, not cached)."""
    seed_queues(2)
    client = _superuser_client()
    _html, before = _console(client)
    MerchantApplication.objects.filter(status=MerchantApplication.Status.SUBMITTED).update(
        status=MerchantApplication.Status.APPROVED, decided_at=timezone.now()
    )
    _html, after = _console(client)
    assert before["merchants.applications"][0] == 2
    assert after["merchants.applications"][0] == 0


def test_aud_2_staff_see_only_the_queues_they_may_work() -> None:
    operations = cast(
        User, StaffFactory(role=Role.STAFF_OPERATIONS)
    )  # reviews listings, inspects, takes down
    codes = {q.code for q in work_queues_for(operations)}
    assert {
        "catalog.listing_reviews",
        "catalog.rechecks",
        "catalog.inspections",
        "catalog.ip_notices",
    } <= codes
    assert "staff.permission_applications" not in codes
    assert "orders.reconciliation_differences" not in codes

    hr = cast(User, StaffFactory(role=Role.STAFF_HR))
    hr.user_permissions.add(
        Permission.objects.get(content_type__app_label="staff", codename="review_permission_application")
    )
    hr = User.objects.get(pk=hr.pk)
    assert [q.code for q in work_queues_for(hr)] == ["staff.permission_applications"]

    customer = UserFactory(role=Role.CUSTOMER)
    assert work_queues_for(customer) == []


@pytest.mark.parametrize("n", [2, 20])
def test_aud_2_console_query_budget_is_fixed(n: int) -> None:
    seed_queues(n)
    client = _superuser_client()
    client.get(reverse("admin:index"))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as captured:
        _html, rows = _console(client)
    assert rows["merchants.applications"][0] == n
    # pinned, the same for 2 and 20 items per queue (a new queue adds one or two: update it then)
    assert len(captured) == QUERY_BUDGET, "\n".join(q["sql"] for q in captured.captured_queries)


#: session + user + 16 queues (a count each; 7 with a clock add one Min(due_at)) + the "recent actions" log
QUERY_BUDGET = 2 + 16 + 7 + 1


def test_aud_2_every_queue_is_registered_once_with_a_link() -> None:
    queues = work_queues_all()
    assert len({q.code for q in queues}) == len(queues)
    for queue in queues:
        assert queue.href().startswith("/admin/"), queue.code


def test_aud_2_auditor_sees_read_only(auditor: User) -> None:
    seed_queues(2)
    client = Client()
    client.force_login(auditor)

    # AUD-2: the post_migrate sync gave the auditor role every view_* permission of the project's apps
    group = Group.objects.get(name=Role.AUDITOR)
    views = set(
        group.permissions.filter(codename__startswith="view_").values_list(
            "content_type__app_label", flat=True
        )
    )
    assert {"merchants", "catalog", "orders", "aftersales", "staff", "ledger", "deadlines", "audit"} <= views
    assert not group.permissions.filter(codename="view_personal_data").exists()  # SEC-2: granted one by one
    assert not group.permissions.filter(codename__startswith="change_").exists()
    assert not group.permissions.filter(codename__startswith="delete_").exists()
    assert auditor_view_permissions_sync() >= len(views)  # idempotent

    # the console shows the auditor the queues (read-only), and the changelists open
    _html, rows = _console(client)
    assert rows["merchants.applications"][0] == 2
    assert rows["staff.permission_applications"][0] == 2
    for name in (
        "admin:merchants_merchantapplication_changelist",
        "admin:staff_permissionapplication_changelist",
        "admin:orders_reconciliationdifference_changelist",
        "admin:ledger_ledgertransaction_changelist",
        "admin:audit_auditentry_changelist",
        "admin:deadlines_deadline_changelist",
        "admin:disputes_dispute_changelist",
    ):
        assert client.get(reverse(name)).status_code == 200, name

    # a change form opens read-only, but saving it is refused
    application = MerchantApplication.objects.filter(status=MerchantApplication.Status.SUBMITTED).first()
    assert application is not None
    url = reverse("admin:merchants_merchantapplication_change", args=[application.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(url, {"shop_name": "改名"}).status_code == 403
    perm_application = PermissionApplication.objects.first()
    assert perm_application is not None
    url = reverse("admin:staff_permissionapplication_change", args=[perm_application.pk])
    assert client.post(url, {"decision_reason": "x"}).status_code == 403
    assert client.post(reverse("admin:merchants_merchant_add"), {"name": "x"}).status_code == 403

    # bulk actions and FSM transitions: any POST is refused at the site (some model admins offer
    # actions to every viewer: see the issue 12 report), and nothing changes
    changelist = reverse("admin:staff_permissionapplication_changelist")
    for action in ("delete_selected", "approve", "reject"):
        response = client.post(
            changelist,
            {"action": action, "_selected_action": [perm_application.pk], "post": "yes", "reason": "ok"},
        )
        assert response.status_code == 403, action
    response = client.post(
        reverse("admin:merchants_merchantapplication_change", args=[application.pk]),
        {"_fsmtransition-status-approve": "approve", "reason": "ok"},
    )
    assert response.status_code == 403
    perm_application.refresh_from_db()
    assert perm_application.status == PermissionApplication.Status.SUBMITTED
    application.refresh_from_db()
    assert application.status == MerchantApplication.Status.SUBMITTED
    assert application.shop_name != "改名"
    # signing out still works
    assert client.post(reverse("admin:logout")).status_code == 200
