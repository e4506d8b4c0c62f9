"""VIO-2..VIO-6, REP-3 in the staff admin: violations, penalties in force, the appeals queue, snapshots."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from merchants.models import Merchant, Penalty, ViolationAppeal
from merchants.services.appeals import violation_appeal_submit
from merchants.services.credit import merchant_credit_recompute
from merchants.services.violations import violation_record
from platform_core.accounts.models import User
from tests.factories.merchants import ComplianceReviewerFactory, MerchantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def compliance_client(client: Client) -> Client:
    user = ComplianceReviewerFactory.create()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="merchants",
            codename__in=[
                "view_violation",
                "view_penalty",
                "view_violationappeal",
                "change_violationappeal",
                "view_merchantcreditsnapshot",
                "view_merchantkpi",
            ],
        )
    )
    client.force_login(User.objects.get(pk=user.pk))
    return client


def penalised(name: str) -> Merchant:
    merchant = MerchantFactory.create(name=name)
    for n in range(4):
        violation_record(merchant=merchant, kind="late_shipment", evidence={"n": n}, source="system")
    return merchant


def test_vio_4_admin_appeals_queue_oldest_first_and_overturn_with_reason(compliance_client: Client) -> None:
    first, second = penalised("先申诉"), penalised("后申诉")
    appeals = [
        violation_appeal_submit(
            violation=m.violations.first(), statement="not late", evidence={}, actor=m.owner
        )
        for m in (first, second)
    ]
    response = compliance_client.get(reverse("admin:merchants_violationappeal_changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("先申诉") < content.index("后申诉")

    url = reverse("admin:merchants_violationappeal_transition", args=[appeals[0].pk, "overturn"])
    assert compliance_client.post(url, {"reason": "carrier scan on time"}).status_code == 302
    appeals[0].refresh_from_db()
    first.refresh_from_db()
    assert appeals[0].status == ViolationAppeal.Status.OVERTURNED
    assert appeals[0].reason == "carrier scan on time"
    assert first.status == Merchant.Status.ACTIVE


def test_vio_3_admin_penalties_in_force_filter_and_lift(compliance_client: Client) -> None:
    merchant = penalised("受罚店")
    merchant_credit_recompute(merchant=merchant)
    changelist = reverse("admin:merchants_penalty_changelist")
    assert "受罚店" in compliance_client.get(changelist + "?in_force=yes").content.decode()
    penalty = merchant.penalties.get(measure="listing_restriction")
    url = reverse("admin:merchants_penalty_lift", args=[penalty.pk])
    assert compliance_client.get(url).status_code == 200
    assert compliance_client.post(url, {"reason": "wrong carrier data"}).status_code == 302
    penalty.refresh_from_db()
    assert penalty.lifted_reason == Penalty.LiftReason.STAFF
    assert "受罚店" not in compliance_client.get(changelist + "?in_force=yes").content.decode()
    for name in ("violation", "merchantcreditsnapshot", "merchantkpi"):
        assert compliance_client.get(reverse(f"admin:merchants_{name}_changelist")).status_code == 200
