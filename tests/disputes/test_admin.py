"""The committee console: the queue by deadline, the case file, the ruling form calling the service."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from disputes.models import Dispute, Ruling
from platform_core.accounts.models import User
from tests.factories.accounts import UserFactory
from tests.factories.disputes import arbitrator, dispute_in_arbitration, staff_dispute

pytestmark = pytest.mark.django_db


def _console(user: User, *codenames: str) -> Client:
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="disputes", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


def test_dsp_3_queue_case_file_and_ruling_form() -> None:
    committee = arbitrator()
    dispute = dispute_in_arbitration(staff_dispute(prices=("100.00",)))
    assert dispute.arbitrator_id == committee.pk
    root = Client()
    root.force_login(UserFactory(is_staff=True, is_superuser=True))
    queue = root.get("/admin/disputes/dispute/")
    assert queue.status_code == 200 and str(dispute.order) in queue.content.decode()
    case = root.get(f"/admin/disputes/dispute/{dispute.pk}/change/")
    assert case.status_code == 200
    assert "(customer | merchant)" in case.content.decode().lower()

    console = _console(committee, "add_ruling", "view_ruling", "view_dispute")
    missing_reasons = console.post(
        "/admin/disputes/ruling/add/",
        {"dispute": dispute.pk, "kind": "partial_refund", "refund_amount": "30.00", "reasons": ""},
    )
    assert missing_reasons.status_code == 200 and not Ruling.objects.exists()
    ruled = console.post(
        "/admin/disputes/ruling/add/",
        {
            "dispute": dispute.pk,
            "kind": "partial_refund",
            "refund_amount": "30.00",
            "reasons": "包装破损属实",
        },
    )
    assert ruled.status_code == 302, ruled.content.decode()[:2000]
    ruling = Ruling.objects.get(dispute=dispute)
    assert (ruling.kind, ruling.refund_amount, ruling.arbitrator_id) == (
        "partial_refund",
        Decimal("30.00"),
        committee.pk,
    )
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.RULED
