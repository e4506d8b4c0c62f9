"""ORD-1, AFS-1, AFS-4 (issue 22): the shop's after-sales policy as a seller-centre form, saved through
``aftersales_policy_set`` (the service ``PUT /api/v1/merchant/aftersales-policy/`` calls)."""

import pytest
from django.test import Client

from aftersales.models import MerchantAfterSalesPolicy
from merchants.models import Merchant
from platform_core.audit.models import AuditEntry
from tests.dashboard.conftest import client_as, member_of

pytestmark = pytest.mark.django_db

URL = "/merchant/aftersales/policy/"


def test_ord_1_the_shop_sets_its_aftersales_policy_in_the_seller_centre(
    owner_client: Client, shop: Merchant
) -> None:
    page = owner_client.get(URL)
    assert page.status_code == 200 and 'name="warranty_days"' in page.content.decode()
    response = owner_client.post(
        URL,
        {
            "pays_no_reason_return_shipping": "on",
            "warranty_days": "365",
            "exchange_repair_terms": "一年内免费换新",
        },
    )
    assert response.status_code == 302
    policy = MerchantAfterSalesPolicy.objects.get(merchant=shop)
    assert (policy.pays_no_reason_return_shipping, policy.warranty_days, policy.exchange_repair_terms) == (
        True,
        365,
        "一年内免费换新",
    )
    entry = AuditEntry.objects.get(action="aftersales.policy_changed", subject_id=str(shop.pk))
    assert entry.after is not None and entry.after["warranty_days"] == 365 and entry.actor == shop.owner
    assert "一年内免费换新" in owner_client.get(URL).content.decode()  # the form shows what is saved


def test_ord_1_an_impossible_warranty_is_refused_and_finance_may_not_edit(
    owner_client: Client, shop: Merchant
) -> None:
    refused = owner_client.post(URL, {"warranty_days": "0", "exchange_repair_terms": ""})
    assert refused.status_code == 400
    finance = client_as(member_of(shop, "finance"))
    assert finance.get(URL).status_code == 403
    assert finance.post(URL, {"warranty_days": "30"}).status_code == 403
    assert not MerchantAfterSalesPolicy.objects.filter(merchant=shop).exists()
    assert not AuditEntry.objects.filter(action="aftersales.policy_changed").exists()
