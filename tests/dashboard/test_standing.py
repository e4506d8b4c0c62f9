"""REP-3, VIO-1..VIO-6 on the standing page: credit, KPIs, violations with appeal, penalties."""

from decimal import Decimal

import pytest
from django.test import Client

from merchants.models import Merchant, MerchantCreditSnapshot, Violation
from merchants.services.violations import violation_record
from tests.dashboard.conftest import client_as, member_of
from tests.helpers.queries import assert_max_queries

pytestmark = pytest.mark.django_db


def test_rep_3_standing_shows_the_credit_grade_and_components(owner_client: Client, shop: Merchant) -> None:
    MerchantCreditSnapshot.objects.create(
        merchant=shop, score=Decimal("86.50"), grade=4, components={"ratings": {"value": 90, "weight": 0.4}}
    )
    html = owner_client.get("/merchant/standing/").content.decode()
    assert 'data-testid="credit-grade"' in html and "四星" in html and "ratings" in html


def test_vio_4_appeal_a_violation_from_the_standing_page(owner_client: Client, shop: Merchant) -> None:
    violation = violation_record(
        merchant=shop, kind="late_shipment", evidence={"order": "N1"}, source="system"
    )
    response = owner_client.post(
        f"/merchant/standing/violations/{violation.pk}/appeal/",
        {"statement": "物流公司延误，有揽收记录为证。"},
    )
    assert response.status_code == 302
    violation.refresh_from_db()
    assert violation.appeal.statement.startswith("物流公司延误")
    assert "Appeal" in owner_client.get("/merchant/standing/").content.decode()


def test_vio_4_finance_may_read_standing_but_not_appeal(shop: Merchant) -> None:
    violation = violation_record(merchant=shop, kind="late_shipment", evidence={}, source="system")
    client = client_as(member_of(shop, "finance"))
    assert client.get("/merchant/standing/").status_code == 200
    assert (
        client.post(f"/merchant/standing/violations/{violation.pk}/appeal/", {"statement": "x"}).status_code
        == 403
    )


def test_standing_page_query_budget(owner_client: Client, shop: Merchant) -> None:
    def violations(n: int) -> None:
        Violation.objects.bulk_create(
            Violation(merchant=shop, kind="late_shipment", points=3, track="general", source="system")
            for _ in range(n)
        )

    violations(5)
    # REP-3: the grade policy block adds 3 (its policy row, the categories' deposit, the deposit held)
    with assert_max_queries(12) as small:
        assert owner_client.get("/merchant/standing/").status_code == 200
    violations(45)
    with assert_max_queries(12) as large:
        assert owner_client.get("/merchant/standing/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
