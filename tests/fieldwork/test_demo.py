"""seed_demo's field-work part: a care partner, a coordinator, service orders in every state; idempotent."""

import io

import pytest
from django.core.management.base import OutputWrapper

from fieldwork import demo
from fieldwork.models import FieldCoordinator, ServiceAssignment
from merchants import demo as merchants_demo
from merchants.models import Merchant
from platform_core.accounts.roles import Role
from tests.factories.accounts import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_partner_coordinator_and_service_orders_and_is_idempotent() -> None:
    UserFactory.create(is_staff=True, is_superuser=True)
    CustomerFactory.create(email="customer@demo.local", role=Role.CUSTOMER)
    out = OutputWrapper(io.StringIO())
    merchants_demo.seed(stdout=out)  # seed_demo runs the apps in INSTALLED_APPS order
    demo.seed(stdout=out)
    demo.seed(stdout=out)
    partner = Merchant.objects.get(name=demo.PARTNER)
    assert partner.status == Merchant.Status.ACTIVE
    assert partner.listings.filter(kind="service", service_area=demo.AREA).count() == len(demo.SERVICES)
    coordinator = FieldCoordinator.objects.get(user__email="coordinator@demo.local")
    assignments = ServiceAssignment.objects.filter(order__merchant=partner)
    assert {a.coordinator_id for a in assignments} == {coordinator.pk}
    assert sorted(assignments.values_list("status", flat=True)) == sorted(demo.ORDER_STATES)
