"""CMP-3, CAT-6 (issue 27): complaints about a listing past the threshold (a setting: complaints per
listing per 30 days) open an inspection of that listing, once, not once per complaint."""

from datetime import timedelta
from typing import cast

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings

from catalog.models import Category, Inspection, InspectionBatch, Listing
from platform_core.accounts.models import User
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for

pytestmark = pytest.mark.django_db


def _complain(listing: Listing) -> None:
    answer = client_for(cast(User, CustomerFactory())).post(
        "/api/v1/complaints/",
        {
            "target_kind": "listing",
            "listing": listing.pk,
            "category": "product_quality",
            "description": "收到的杯子有裂纹",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content


def _triggered(listing: Listing) -> list[Inspection]:
    return list(
        Inspection.objects.filter(
            listing=listing, batch__trigger=InspectionBatch.Trigger.COMPLAINTS
        ).select_related("batch")
    )


def test_cmp_3_complaints_past_the_threshold_open_one_inspection_of_the_listing(
    settings: Settings, time_machine
) -> None:
    settings.CATALOG_INSPECTION_COMPLAINT_TRIGGER = 3
    category = cast(Category, CategoryFactory())
    merchant = merchant_for(category)
    listing = approved_listing(merchant=merchant, category=category)
    other = approved_listing(merchant=merchant, category=category)
    _complain(listing)
    _complain(listing)
    _complain(other)  # complaints about another listing of the shop do not count
    assert _triggered(listing) == []

    _complain(listing)  # the third within 30 days

    (inspection,) = _triggered(listing)
    assert inspection.result == "" and inspection.batch.created_by is None
    assert "3" in inspection.batch.note
    _complain(listing)
    _complain(listing)
    assert len(_triggered(listing)) == 1  # once, not per complaint
    assert _triggered(other) == []

    # thirty days on, three fresh complaints are a new crossing
    time_machine.move_to(timezone.now() + timedelta(days=31))
    _complain(listing)
    _complain(listing)
    assert len(_triggered(listing)) == 1
    _complain(listing)
    assert len(_triggered(listing)) == 2
