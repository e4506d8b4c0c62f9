"""The customer-service console: queues with SLA badges, canned responses, the order timeline."""

from datetime import timedelta
from typing import cast

import pytest
from django.test import Client
from django.utils import timezone

from aftersales.models import CannedResponse, Complaint
from platform_core.accounts.roles import Role
from platform_core.deadlines.services import deadlines_sweep
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.aftersales import CannedResponseFactory, completed_order, file_complaint, open_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def console() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_afs_3_escalated_queue_and_order_timeline(console: Client, time_machine) -> None:
    order = completed_order()
    request = open_request(order, kind="repair")
    time_machine.move_to(timezone.now() + timedelta(hours=25))
    deadlines_sweep()
    console = Client()  # a day later: a new session (the old one ended idle, SESSION_IDLE_TIMEOUT, issue 20)
    console.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = console.get("/admin/aftersales/escalatedrequest/")
    assert page.status_code == 200
    assert f">{request.pk}<" in page.content.decode()
    detail = console.get(f"/admin/aftersales/aftersalesrequest/{request.pk}/change/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "paid" in html and "escalated" in html  # order events and after-sales steps on one page


def test_cmp_2_complaint_queue_badges_and_canned_answer(console: Client) -> None:
    canned = cast(CannedResponse, CannedResponseFactory(body="您好，已为您联系商家处理。"))
    complaint = file_complaint(complainant=completed_order().customer)
    page = console.get("/admin/aftersales/complaintqueueitem/")
    assert page.status_code == 200 and "left" in page.content.decode()
    agent = StaffFactory(role=Role.STAFF_CUSTOMER_SERVICE)
    agent_console = Client()
    agent_console.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = agent_console.post(
        "/admin/aftersales/complaint/",
        {"action": "answer_selected", "_selected_action": [complaint.pk], "canned": canned.pk, "text": ""},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED and complaint.answer == canned.body
    assert agent.is_staff
    assert console.get("/admin/aftersales/escalatedcomplaint/").status_code == 200
    assert console.get("/admin/aftersales/cannedresponse/").status_code == 200
