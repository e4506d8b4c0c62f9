"""CAT-6: random quality inspections weighted by risk; a failure delists and records a violation."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Inspection, Listing
from catalog.services.inspections import inspection_batch_create, inspection_record
from merchants.models import Merchant
from platform_core.accounts.models import User
from platform_core.errors import Conflict, Forbidden
from tests.factories.accounts import CustomerFactory
from tests.factories.catalog import approved_listing, draft_listing, merchant_for

pytestmark = pytest.mark.django_db


def test_cat_6_batch_samples_only_on_sale_listings(merchant: Merchant, staff_reviewer: User) -> None:
    on_sale = [approved_listing(merchant=merchant, by=staff_reviewer) for _ in range(3)]
    draft_listing(merchant=merchant)
    batch = inspection_batch_create(size=10, actor=staff_reviewer, rng=random.Random(1))
    assert sorted(batch.inspections.values_list("listing_id", flat=True)) == sorted(x.pk for x in on_sale)
    with pytest.raises(Forbidden):
        inspection_batch_create(size=1, actor=CustomerFactory())


def test_cat_6_new_merchants_are_sampled_more(category, staff_reviewer: User) -> None:
    old = merchant_for(category)
    Merchant.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    new = merchant_for(category)
    for _ in range(5):
        approved_listing(merchant=old, by=staff_reviewer)
        approved_listing(merchant=new, by=staff_reviewer)
    rng = random.Random(42)
    picked: Counter[int] = Counter()
    for _ in range(40):
        batch = inspection_batch_create(size=2, actor=staff_reviewer, rng=rng)
        picked.update(batch.inspections.values_list("listing__merchant_id", flat=True))
    assert picked[new.pk] > picked[old.pk] * 1.3, picked


def test_cat_6_failed_inspection_delists_and_records_violation(
    merchant: Merchant, staff_reviewer: User
) -> None:
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    batch = inspection_batch_create(size=1, actor=staff_reviewer)
    inspection = batch.inspections.get()
    inspection_record(
        inspection=inspection,
        result="fail",
        evidence={"report": "质检报告 #7：材质不符"},
        actor=staff_reviewer,
    )
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DELISTED and listing.delist_source == "inspection"
    violation = merchant.violations.get()
    assert (violation.kind, violation.source) == ("failed_inspection", "inspection")
    with pytest.raises(Conflict):
        inspection_record(inspection=inspection, result="pass", evidence={}, actor=staff_reviewer)


def test_cat_6_passed_inspection_changes_nothing(merchant: Merchant, staff_reviewer: User) -> None:
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    inspection = inspection_batch_create(size=1, actor=staff_reviewer).inspections.get()
    inspection = inspection_record(inspection=inspection, result="pass", evidence={}, actor=staff_reviewer)
    assert inspection.result == Inspection.Result.PASS
    listing.refresh_from_db()
    assert listing.on_sale and not merchant.violations.exists()


def _pick_counts(staff: User, *, rounds: int, size: int) -> Counter[int]:
    rng = random.Random(20261127)
    picked: Counter[int] = Counter()
    for _ in range(rounds):
        batch = inspection_batch_create(size=size, actor=staff, rng=rng)
        picked.update(batch.inspections.values_list("listing_id", flat=True))
    return picked


def test_cat_6_low_credit_grade_and_complaints_sampled_more(category, staff_reviewer: User) -> None:
    """With a fixed seed: listings of a low-grade merchant, and listings complained about recently, are
    drawn clearly more often than ordinary ones (all merchants old, so age does not count)."""
    from aftersales.services.complaints import complaint_file

    steady, shaky = merchant_for(category), merchant_for(category)
    Merchant.objects.filter(pk__in=[steady.pk, shaky.pk]).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    ordinary = [approved_listing(merchant=steady, by=staff_reviewer) for _ in range(4)]
    complained = approved_listing(merchant=steady, by=staff_reviewer)
    low_grade = [approved_listing(merchant=shaky, by=staff_reviewer) for _ in range(2)]
    # graded after listing: grade 1 would need twice the deposit to list (REP-3's grade policy)
    Merchant.objects.filter(pk=steady.pk).update(credit_grade=4)
    Merchant.objects.filter(pk=shaky.pk).update(credit_grade=1)
    customer = CustomerFactory()
    for _ in range(2):
        complaint_file(
            complainant=customer,
            target_kind="listing",
            listing_id=complained.pk,
            category="product_quality",
            description="与描述不符",
            actor=customer,
        )
    batch = inspection_batch_create(size=7, actor=staff_reviewer, rng=random.Random(1))
    weights = dict(batch.inspections.values_list("listing_id", "risk_weight"))
    assert weights[complained.pk] == 3 and weights[low_grade[0].pk] == 3 and weights[ordinary[0].pk] == 1

    picked = _pick_counts(staff_reviewer, rounds=60, size=1)
    ordinary_mean = sum(picked[x.pk] for x in ordinary) / len(ordinary)
    assert picked[complained.pk] > 2 * ordinary_mean, picked
    assert sum(picked[x.pk] for x in low_grade) / len(low_grade) > 2 * ordinary_mean, picked
