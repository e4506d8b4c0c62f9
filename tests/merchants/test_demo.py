"""seed_demo's merchants part: a shop in every state, idempotent."""

import io

import pytest
from django.core.management.base import OutputWrapper

from merchants import demo
from merchants.models import Merchant, MerchantApplication
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_merchants_in_every_state_and_is_idempotent() -> None:
    UserFactory.create(is_staff=True, is_superuser=True)
    demo.seed(stdout=OutputWrapper(io.StringIO()))
    demo.seed(stdout=OutputWrapper(io.StringIO()))
    assert set(Merchant.objects.values_list("status", flat=True)) == set(Merchant.Status.values)
    assert Merchant.objects.count() == len(demo.DEMO_SHOPS)
    assert {"submitted", "needs_more_info", "draft", "approved"} <= set(
        MerchantApplication.objects.values_list("status", flat=True)
    )
    assert Merchant.objects.get(owner__email="merchant@demo.local").status == Merchant.Status.ACTIVE
