"""ORD-9 in the staff admin: coordinators, assignments filtered by area/status/coordinator, and
reassignment only with a reason, by operations staff who manage assignments."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from fieldwork.models import ServiceAssignment
from platform_core.accounts.models import User
from tests.factories.fieldwork import AREA, coordinator, manager, paid_service_order
from tests.factories.staff import staff_member

pytestmark = pytest.mark.django_db


def _login(client: Client, user: User) -> Client:
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="fieldwork",
            codename__in=["view_serviceassignment", "view_fieldcoordinator"],
        )
    )
    client.force_login(User.objects.get(pk=user.pk))
    return client


def test_ord_9_admin_lists_assignments_and_reassigns_with_a_reason(client: Client) -> None:
    first, second = coordinator(display_name="李师傅"), coordinator(display_name="赵师傅")
    assignment = ServiceAssignment.objects.get(order=paid_service_order())
    ops = _login(client, manager())
    for query in (
        "",
        "?queue=waiting",
        f"?service_area={AREA}",
        "?status__exact=assigned",
        f"?coordinator__id__exact={first.pk}",
    ):
        page = ops.get(f"/admin/fieldwork/serviceassignment/{query}")
        assert page.status_code == 200
        assert assignment.order.number in page.content.decode()
    assert ops.get("/admin/fieldwork/fieldcoordinator/").status_code == 200
    change = ops.get(f"/admin/fieldwork/serviceassignment/{assignment.pk}/change/").content.decode()
    assert "reassign/" in change

    url = f"/admin/fieldwork/serviceassignment/{assignment.pk}/reassign/"
    ops.post(url, {"coordinator": second.pk, "reason": ""})
    assignment.refresh_from_db()
    assert assignment.coordinator == first  # no reason, nothing changed
    response = ops.post(url, {"coordinator": second.pk, "reason": "片区调整"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.coordinator == second
    assert assignment.events.filter(action="reassigned", note="片区调整").exists()


def test_ord_9_admin_reassign_refused_without_the_permission(client: Client) -> None:
    coordinator()
    second = coordinator()
    assignment = ServiceAssignment.objects.get(order=paid_service_order())
    viewer = _login(client, staff_member())
    url = f"/admin/fieldwork/serviceassignment/{assignment.pk}/reassign/"
    assert viewer.post(url, {"coordinator": second.pk, "reason": "x"}).status_code == 403
    assignment.refresh_from_db()
    assert assignment.coordinator != second
