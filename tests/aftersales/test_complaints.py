"""CMP-1 … CMP-3: complaints, acknowledged in 24 h, answered in 48 h, else escalated to the head."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.models import Complaint
from aftersales.selectors import (
    aftersales_kpi_figures,
    complaint_count_for_merchant,
    complaint_queue_for_head,
)
from aftersales.services.complaints import complaint_acknowledge, complaint_answer, complaint_close
from merchants.selectors.figures import kpi_sources, merchant_figures
from orders.selectors.money import order_holds_open
from platform_core.accounts.roles import Role
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Forbidden, NotFound
from platform_core.notifications.models import Notification
from staff.models import Department
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory, StaffFactory
from tests.factories.aftersales import completed_order, file_complaint, open_request

pytestmark = pytest.mark.django_db

CS = Complaint.Status


@pytest.fixture
def head() -> object:
    user = StaffFactory(role=Role.STAFF_CUSTOMER_SERVICE)
    Department.objects.filter(code=Department.Code.CUSTOMER_SERVICE).update(head=user)
    return user


@pytest.fixture
def agent() -> object:
    return StaffFactory(role=Role.STAFF_CUSTOMER_SERVICE)


def test_cmp_2_unanswered_48h_reaches_department_head_queue(time_machine, head, agent) -> None:
    order = completed_order()
    complaint = file_complaint(complainant=order.customer, order=order)
    complaint_acknowledge(complaint=complaint, actor=agent)  # acknowledged in time, never answered
    time_machine.move_to(complaint.created_at + timedelta(hours=47, minutes=59))
    deadlines_sweep()
    complaint.refresh_from_db()
    assert complaint.status == CS.ACKNOWLEDGED
    time_machine.move_to(complaint.created_at + timedelta(hours=48, seconds=1))
    deadlines_sweep()
    complaint.refresh_from_db()
    assert complaint.status == CS.ESCALATED and complaint.escalated_to == head
    assert list(complaint_queue_for_head(head=head)) == [complaint]
    assert "The answer is overdue" in complaint.pending_summary
    assert Notification.objects.filter(recipient=head, event="complaint_escalated").exists()
    assert list(complaint.steps.values_list("action", flat=True)) == ["filed", "acknowledged", "escalated"]
    assert order_holds_open(order=order).exists()  # PAY-6: still held while escalated


def test_cmp_2_unacknowledged_24h_escalates(time_machine, head) -> None:
    complaint = file_complaint(complainant=CustomerFactory())
    time_machine.move_to(complaint.created_at + timedelta(hours=23, minutes=59))
    deadlines_sweep()
    complaint.refresh_from_db()
    assert complaint.status == CS.FILED  # not yet, one minute before the 24 hours
    time_machine.move_to(complaint.created_at + timedelta(hours=24, seconds=1))
    deadlines_sweep()
    complaint.refresh_from_db()
    assert complaint.status == CS.ESCALATED
    assert "acknowledgement" in complaint.pending_summary
    time_machine.move_to(complaint.created_at + timedelta(hours=49))
    deadlines_sweep()  # the answer clock finds it already escalated: one escalation step only
    assert complaint.steps.filter(action="escalated").count() == 1


def test_cmp_2_answered_in_time_is_not_escalated_and_close_releases_hold(time_machine, agent, head) -> None:
    order = completed_order()
    complaint = file_complaint(complainant=order.customer, order=order)
    assert order_holds_open(order=order).filter(pk=complaint.hold_id).exists()
    complaint_answer(complaint=complaint, answer="已联系商家补发配件", actor=agent)
    time_machine.move_to(complaint.created_at + timedelta(days=3))
    deadlines_sweep()
    complaint.refresh_from_db()
    assert complaint.status == CS.ANSWERED
    complaint_close(complaint=complaint, actor=order.customer)
    complaint.refresh_from_db()
    assert complaint.status == CS.CLOSED
    assert not order_holds_open(order=order).exists()


def test_cmp_2_only_customer_service_answers() -> None:
    complaint = file_complaint(complainant=CustomerFactory())
    with pytest.raises(Forbidden):
        complaint_answer(complaint=complaint, answer="好", actor=CustomerFactory())


def test_cmp_1_complaint_on_someone_elses_order_is_404() -> None:
    order = completed_order()
    with pytest.raises(NotFound):
        file_complaint(complainant=CustomerFactory(), order=order)


def test_cmp_1_merchant_files_complaint_about_platform_via_api(agent) -> None:
    order = completed_order()
    client = client_for(order.merchant.owner)
    response = client.post(
        "/api/v1/complaints/",
        {"target_kind": "platform", "category": "platform_service", "description": "结算延迟"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["complainant_kind"] == "merchant" and body["clock"]["waiting_for"] == "acknowledge_by"
    desk = client_for(agent)
    assert desk.post(f"/api/v1/customer-service/complaints/{body['id']}/acknowledge/").status_code == 200
    answered = desk.post(f"/api/v1/customer-service/complaints/{body['id']}/answer/", {"answer": "已处理"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert client.get(f"/api/v1/complaints/{body['id']}/").json()["answer"] == "已处理"
    assert client_for(CustomerFactory()).get(f"/api/v1/complaints/{body['id']}/").status_code == 404
    assert client.get("/api/v1/customer-service/complaints/").status_code == 403


def test_cmp_3_complaints_count_for_merchant_and_kpis() -> None:
    order = completed_order()
    since = timezone.now() - timedelta(days=1)
    file_complaint(complainant=order.customer, order=order)
    file_complaint(
        complainant=order.customer, target_kind="merchant", merchant_id=order.merchant.pk, category="delivery"
    )
    assert complaint_count_for_merchant(merchant=order.merchant, since=since) == 2
    assert aftersales_kpi_figures in kpi_sources
    figures = merchant_figures(merchant=order.merchant, since=since, until=timezone.now() + timedelta(days=1))
    assert figures["complaints"] == 2


def test_rep_3_response_figures_feed_kpis(time_machine) -> None:
    from aftersales.services.requests import request_approve

    order = completed_order(prices=("10.00", "10.00"))
    first, second = order.lines.all()
    answered = open_request(order, line=first, kind="refund_only", amount="5.00")
    open_request(order, line=second, kind="refund_only", amount="5.00")
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    request_approve(request=answered, actor=order.merchant.owner)
    time_machine.move_to(timezone.now() + timedelta(hours=30))
    deadlines_sweep()  # the second is approved automatically: not an answer
    figures = aftersales_kpi_figures(order.merchant, timezone.now() - timedelta(days=3), timezone.now())
    assert figures["aftersales_requests"] == 2
    assert figures["aftersales_responded"] == 1
    assert figures["aftersales_responded_in_time"] == 1
    assert 2 * 3600 <= figures["aftersales_response_seconds"] < 2 * 3600 + 60
