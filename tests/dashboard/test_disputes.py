"""Disputes in the dashboard: the shop's cases with their stage deadlines, both sides' evidence, the
shop's statement and files, the answer to a mediation proposal, and the ruling (DSP-2 … DSP-5)."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from disputes.models import Dispute, DisputeEvidence
from disputes.services.arbitration import dispute_rule
from disputes.services.evidence import dispute_evidence_submit, dispute_evidence_window_closed
from disputes.services.mediation import dispute_propose
from merchants.models import Merchant, MerchantMember
from platform_core.accounts.models import User
from tests.dashboard.conftest import client_as, member_of
from tests.factories.aftersales import PNG
from tests.factories.disputes import arbitrator, dispute_in_arbitration, mediator

pytestmark = pytest.mark.django_db

S = Dispute.Status
Role = MerchantMember.Role
MakeDispute = Callable[[], Dispute]


def test_dsp_2_list_shows_the_evidence_deadline_and_home_asks_for_evidence(
    owner_client: Client, make_dispute: MakeDispute
) -> None:
    dispute = make_dispute()
    response = owner_client.get("/merchant/disputes/")
    assert response.status_code == 200
    ((row, cd),) = response.context["rows"]
    assert row.pk == dispute.pk and row.status == S.EVIDENCE
    assert cd["hours"] == 71  # DSP-2: 3 days for evidence
    home = owner_client.get("/merchant/").content.decode()
    assert f"Submit evidence in dispute #{dispute.pk}" in home


def test_dsp_2_merchant_submits_statement_and_files_and_sees_both_sides(
    owner_client: Client, make_dispute: MakeDispute
) -> None:
    dispute = make_dispute()
    dispute_evidence_submit(dispute=dispute, statement="杯子有裂纹", actor=dispute.order.customer)
    response = owner_client.post(
        f"/merchant/disputes/{dispute.pk}/evidence/",
        {"statement": "发货前已检查，附出库照片", "evidence_files": [SimpleUploadedFile("out.png", PNG)]},
    )
    assert response.status_code == 302
    mine = DisputeEvidence.objects.get(dispute=dispute, party="merchant")
    assert mine.statement == "发货前已检查，附出库照片" and mine.files.count() == 1
    page = owner_client.get(f"/merchant/disputes/{dispute.pk}/").content.decode()
    assert "杯子有裂纹" in page and "发货前已检查" in page  # each side sees the other's
    assert f"/api/v1/disputes/files/{mine.files.get().pk}/" in page
    home = owner_client.get("/merchant/").content.decode()
    assert f"Submit evidence in dispute #{dispute.pk}" not in home  # answered


def test_dsp_2_statement_is_required_and_bad_files_are_refused(
    owner_client: Client, make_dispute: MakeDispute
) -> None:
    dispute = make_dispute()
    response = owner_client.post(f"/merchant/disputes/{dispute.pk}/evidence/", {"statement": ""})
    assert response.status_code == 400 and response.context["evidence_form"].errors["statement"]
    response = owner_client.post(
        f"/merchant/disputes/{dispute.pk}/evidence/",
        {"statement": "见附件", "evidence_files": [SimpleUploadedFile("x.exe", b"MZ\x90\x00not-an-image")]},
    )
    assert response.status_code == 400
    assert not DisputeEvidence.objects.filter(dispute=dispute, party="merchant").exists()


def _in_mediation(dispute: Dispute) -> Dispute:
    dispute_evidence_window_closed(dispute=Dispute.objects.get(pk=dispute.pk))
    return Dispute.objects.get(pk=dispute.pk)


def test_dsp_2_merchant_accepts_a_mediation_proposal(owner_client: Client, make_dispute: MakeDispute) -> None:
    dispute = _in_mediation(make_dispute())
    proposal = dispute_propose(
        dispute=dispute, refund_amount=Decimal("30.00"), note="各退一步", actor=mediator()
    )
    page = owner_client.get(f"/merchant/disputes/{dispute.pk}/").content.decode()
    assert "各退一步" in page and "Accept the proposal" in page
    response = owner_client.post(f"/merchant/disputes/{dispute.pk}/proposals/{proposal.pk}/accept/")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.merchant_accepted is True and proposal.is_open  # the customer has not answered yet
    page = owner_client.get(f"/merchant/disputes/{dispute.pk}/").content.decode()
    assert "Accept the proposal" not in page  # answered once


def test_dsp_2_merchant_rejects_a_mediation_proposal(owner_client: Client, make_dispute: MakeDispute) -> None:
    dispute = _in_mediation(make_dispute())
    proposal = dispute_propose(dispute=dispute, refund_amount=Decimal("40.00"), actor=mediator())
    owner_client.post(f"/merchant/disputes/{dispute.pk}/proposals/{proposal.pk}/reject/")
    proposal.refresh_from_db()
    assert proposal.merchant_accepted is False and not proposal.is_open


def test_dsp_2_a_proposal_of_another_case_is_404(owner_client: Client, make_dispute: MakeDispute) -> None:
    first, second = _in_mediation(make_dispute()), _in_mediation(make_dispute())
    proposal = dispute_propose(dispute=second, refund_amount=Decimal("1.00"), actor=mediator())
    response = owner_client.post(f"/merchant/disputes/{first.pk}/proposals/{proposal.pk}/accept/")
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.merchant_accepted is None


def test_dsp_3_the_ruling_is_shown_with_its_reasons(owner_client: Client, make_dispute: MakeDispute) -> None:
    arbitrator()
    dispute = dispute_in_arbitration(make_dispute())
    assert dispute.status == S.ARBITRATION and dispute.arbitrator is not None
    dispute_rule(
        dispute=dispute,
        kind="partial_refund",
        refund_amount=Decimal("20.00"),
        reasons="双方证据显示商品有轻微瑕疵",
        actor=User.objects.get(pk=dispute.arbitrator.pk),
    )
    page = owner_client.get(f"/merchant/disputes/{dispute.pk}/")
    assert "双方证据显示商品有轻微瑕疵" in page.content.decode()
    assert page.context["dispute"].status == S.RULED
    assert page.context["countdown"] is not None  # the appeal window runs


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.CUSTOMER_SERVICE, True), (Role.OPERATIONS, True), (Role.FINANCE, False)]
)
def test_dsp_2_roles_that_take_part_in_disputes(
    shop: Merchant, make_dispute: MakeDispute, role: str, allowed: bool
) -> None:
    dispute = make_dispute()
    client = client_as(member_of(shop, role))
    expected = 200 if allowed else 403
    assert client.get("/merchant/disputes/").status_code == expected
    assert client.get(f"/merchant/disputes/{dispute.pk}/").status_code == expected
