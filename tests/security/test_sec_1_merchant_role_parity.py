"""SEC-1: every interface enforces the same rights. A shop member's role admits them to an action in the
merchant API exactly when it admits them to the same action in the seller centre: a customer-service
agent who may not ship an order on the dashboard may not ship it through the API either.

Each pair is called by a member in each role, on an object id that does not exist: a role the action
admits gets past the permission (404, 400 or a redirect), a role it does not admit gets 403, and the API
and the dashboard must agree for every role.
"""

from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from merchants.models import Merchant, MerchantMember
from platform_core.accounts.models import User
from tests.conftest import client_for
from tests.factories.accounts import UserFactory
from tests.factories.merchants import MerchantFactory

pytestmark = pytest.mark.django_db

MISSING = 999_999
#: (API route name, seller-centre route name, the route's kwargs, method)
PAIRS: list[tuple[str, str, dict[str, Any], str]] = [
    ("merchant-order-ship", "merchant:order-ship", {"order_id": MISSING}, "post"),
    ("merchant-orders-ship-bulk", "merchant:orders-ship-bulk", {}, "post"),
    ("merchant-order-cancel", "merchant:order-cancel", {"order_id": MISSING}, "post"),
    ("merchant-delivery-case-reship", "merchant:delivery-case-reship", {"case_id": MISSING}, "post"),
    (
        "merchant-delivery-case-agree-refund",
        "merchant:delivery-case-agree-refund",
        {"case_id": MISSING},
        "post",
    ),
    ("merchant-review-reply", "merchant:review-reply", {"review_id": MISSING}, "post"),
    ("merchant-aftersales-approve", "merchant:aftersales-approve", {"request_id": MISSING}, "post"),
    ("merchant-aftersales-refuse", "merchant:aftersales-refuse", {"request_id": MISSING}, "post"),
    ("merchant-aftersales-refund", "merchant:aftersales-refund", {"request_id": MISSING}, "post"),
    ("merchant-aftersales-reship", "merchant:aftersales-reship", {"request_id": MISSING}, "post"),
    ("merchant-violation-appeal", "merchant:violation-appeal", {"violation_id": MISSING}, "post"),
    ("merchant-dispute-appeal", "merchant:dispute-appeal", {"dispute_id": MISSING}, "post"),
    ("merchant-deposits-pay", "merchant:deposit-pay", {}, "post"),
    ("merchant-statement-csv", "merchant:statement-csv", {"statement_id": MISSING}, "get"),
    ("merchant-payout-account", "merchant:payout-account", {}, "get"),
    # MSG-1 (decision 044): adding a quick reply (an empty one: 400 past the permission)
    ("merchant-quick-replies", "merchant:quick-replies", {}, "post"),
]


@pytest.fixture
def members() -> dict[str, User]:
    merchant = cast(Merchant, MerchantFactory())
    found: dict[str, User] = {MerchantMember.Role.OWNER.value: merchant.owner}
    for role in MerchantMember.Role.values:
        if role != MerchantMember.Role.OWNER:
            user = cast(User, UserFactory())
            MerchantMember.objects.create(merchant=merchant, user=user, role=role)
            found[role] = user
    return found


@pytest.mark.parametrize(("api_name", "dashboard_name", "kwargs", "method"), PAIRS, ids=[p[0] for p in PAIRS])
def test_sec_1_a_role_may_do_in_the_api_exactly_what_it_may_do_in_the_seller_centre(
    members: dict[str, User], api_name: str, dashboard_name: str, kwargs: dict[str, Any], method: str
) -> None:
    refused: dict[str, tuple[bool, bool]] = {}
    for role, user in members.items():
        api_status = getattr(client_for(user), method)(reverse(api_name, kwargs=kwargs)).status_code
        browser = Client()
        browser.force_login(user)
        dashboard_status = getattr(browser, method)(reverse(dashboard_name, kwargs=kwargs)).status_code
        assert api_status < 500 and dashboard_status < 500, (role, api_status, dashboard_status)
        refused[role] = (api_status == 403, dashboard_status == 403)
    assert refused[MerchantMember.Role.OWNER] == (False, False)
    disagreements = {role: pair for role, pair in refused.items() if pair[0] != pair[1]}
    assert not disagreements, f"(API refuses, dashboard refuses) differ for {disagreements}"


def test_sec_1_the_parity_pairs_refuse_someone() -> None:
    """The pairs are not all open to every role (else the parity above would prove nothing about roles)."""
    from merchants.dashboard.base import ORDER_SHIPPERS

    assert set(ORDER_SHIPPERS) < set(MerchantMember.Role.values)
