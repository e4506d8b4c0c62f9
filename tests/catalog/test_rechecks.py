"""CAT-10: listings on sale are re-checked — a scheduled, risk-weighted sample goes back into review; an
error found is corrected by the merchant within 3 days or the listing is taken off sale."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Listing, ListingRecheck
from catalog.queues import listing_rechecks_open
from catalog.selectors import listing_list_for_customer
from catalog.services.listings import listing_update
from catalog.services.rechecks import recheck_record_error, recheck_record_ok, recheck_sample
from catalog.tasks import recheck_sample_task
from merchants.models import Merchant
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.notifications.models import Notification
from tests.factories.accounts import CustomerFactory
from tests.factories.catalog import approved_listing, draft_listing, merchant_for

pytestmark = pytest.mark.django_db


def _error_found(listing: Listing, staff: User, note: str = "规格写错：应为 350ml") -> ListingRecheck:
    recheck = recheck_sample(size=1, actor=staff)[0]
    assert recheck.listing_id == listing.pk
    return recheck_record_error(recheck=recheck, actor=staff, note=note)


def test_cat_10_weekly_beat_samples_listings_on_sale_once(merchant: Merchant, staff_reviewer: User) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["catalog.recheck-sample"]
    assert entry["task"] == "catalog.recheck_sample"
    on_sale = [approved_listing(merchant=merchant, by=staff_reviewer) for _ in range(3)]
    draft_listing(merchant=merchant)
    assert recheck_sample_task.delay(size=2).get() == 2
    assert recheck_sample_task.delay(size=5).get() == 1  # a listing with an open re-check is not drawn again
    sampled = ListingRecheck.objects.values_list("listing_id", flat=True)
    assert sorted(sampled) == sorted(x.pk for x in on_sale)
    assert listing_rechecks_open() == (3, None)
    assert AuditEntry.objects.filter(action="listing_recheck.opened").count() == 3
    with pytest.raises(Forbidden):
        recheck_sample(size=1, actor=CustomerFactory())


def test_cat_10_higher_risk_listings_are_sampled_more(category, staff_reviewer: User) -> None:
    """Weighted like CAT-6 (same ``inspection_risk_factors``): with a fixed seed, a low-grade merchant's
    listing is re-checked clearly more often than an ordinary one."""
    steady, shaky = merchant_for(category), merchant_for(category)
    Merchant.objects.filter(pk__in=[steady.pk, shaky.pk]).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    ordinary = [approved_listing(merchant=steady, by=staff_reviewer) for _ in range(3)]
    risky = approved_listing(merchant=shaky, by=staff_reviewer)
    # graded after listing: grade 1 would need twice the deposit to list (REP-3)
    Merchant.objects.filter(pk=steady.pk).update(credit_grade=4)
    Merchant.objects.filter(pk=shaky.pk).update(credit_grade=1)
    rng = random.Random(20261207)
    picked: Counter[int] = Counter()
    for _ in range(40):
        recheck = recheck_sample(size=1, actor=staff_reviewer, rng=rng)[0]
        picked[recheck.listing_id] += 1
        recheck_record_ok(recheck=recheck, actor=staff_reviewer)
    assert ListingRecheck.objects.get(pk=recheck.pk).status == ListingRecheck.Status.OK
    assert ListingRecheck.objects.filter(listing=risky).first().risk_weight == 3  # type: ignore[union-attr]
    ordinary_mean = sum(picked[x.pk] for x in ordinary) / len(ordinary)
    assert picked[risky.pk] > 2 * ordinary_mean, picked


def test_cat_10_admin_reviewer_records_an_error_and_the_merchant_is_told(
    merchant: Merchant, staff_reviewer: User, client: Client
) -> None:
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    recheck = recheck_sample(size=1)[0]
    client.force_login(staff_reviewer)
    changelist = reverse("admin:catalog_listingrecheck_changelist")
    html = client.get(changelist).content.decode()
    assert f"Listing #{listing.pk}" in html
    refused = client.post(
        changelist, {"action": "record_error", "_selected_action": [recheck.pk], "reason": ""}, follow=True
    )
    assert "Say what is wrong" in refused.content.decode()
    client.post(
        changelist,
        {"action": "record_error", "_selected_action": [recheck.pk], "reason": "规格写错：应为 350ml"},
        follow=True,
    )
    recheck.refresh_from_db()
    assert recheck.status == ListingRecheck.Status.ERROR_FOUND and recheck.reviewer == staff_reviewer
    assert recheck.correction_due is not None
    assert abs(recheck.correction_due - timezone.now() - timedelta(days=3)) < timedelta(minutes=1)
    note = Notification.objects.get(recipient=merchant.owner, event="listing_recheck_error")
    assert "规格写错" in note.body
    assert AuditEntry.objects.filter(
        action="listing_recheck.error_found", subject_id=str(listing.pk), actor=staff_reviewer
    ).exists()
    listing.refresh_from_db()
    assert listing.on_sale  # stays on sale while the merchant corrects it
    with pytest.raises(Conflict):
        recheck_record_ok(recheck=recheck, actor=staff_reviewer)


def test_cat_10_recording_needs_the_review_permission(merchant: Merchant, staff_reviewer: User) -> None:
    approved_listing(merchant=merchant, by=staff_reviewer)
    recheck = recheck_sample(size=1)[0]
    with pytest.raises(Forbidden):
        recheck_record_error(recheck=recheck, actor=CustomerFactory(), note="x")
    with pytest.raises(InvalidInput):
        recheck_record_error(recheck=recheck, actor=staff_reviewer, note="  ")


def test_cat_10_merchant_sees_the_request_and_countdown(
    merchant: Merchant, staff_reviewer: User, client: Client
) -> None:
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    recheck = _error_found(listing, staff_reviewer)
    client.force_login(merchant.owner)
    for url in (reverse("merchant:listings"), reverse("merchant:listing", args=[listing.pk])):
        html = client.get(url).content.decode()
        assert f'data-testid="recheck-{recheck.pk}"' in html, url
        assert "规格写错：应为 350ml" in html and "data-countdown" in html
        assert "71 h" in html  # 3 days = 72 h, a moment has passed


def test_cat_10_uncorrected_listing_goes_off_sale_after_3_days(
    merchant: Merchant, staff_reviewer: User, time_machine
) -> None:
    time_machine.move_to(timezone.now())
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    recheck = _error_found(listing, staff_reviewer)

    time_machine.shift(timedelta(days=3) - timedelta(minutes=1))
    deadlines_sweep()
    assert listing_list_for_customer().filter(pk=listing.pk).exists()  # not yet, one minute before

    time_machine.shift(timedelta(minutes=2))
    deadlines_sweep()
    listing.refresh_from_db()
    recheck.refresh_from_db()
    assert not listing.on_sale and listing.status == Listing.Status.DELISTED
    assert listing.delist_source == Listing.DelistSource.RECHECK and "规格写错" in listing.delist_reason
    assert recheck.status == ListingRecheck.Status.DELISTED
    assert Notification.objects.filter(recipient=merchant.owner, event="listing_taken_down").exists()
    assert AuditEntry.objects.filter(action="listing_recheck.delisted", subject_id=str(listing.pk)).exists()


def test_cat_10_correction_submitted_in_time_meets_the_clock(
    merchant: Merchant, staff_reviewer: User, client: Client, time_machine
) -> None:
    time_machine.move_to(timezone.now())
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    recheck = _error_found(listing, staff_reviewer)
    time_machine.shift(timedelta(days=2))
    client.force_login(merchant.owner)
    response = client.post(  # the ordinary edit: an approved listing's edit goes to review at once
        reverse("merchant:listing", args=[listing.pk]),
        {
            "category": listing.category_id,
            "kind": listing.kind,
            "title": "不锈钢保温杯 350ml",
            "description": "双层真空，保温12小时。",
        },
    )
    assert response.status_code == 302, response.content.decode()
    recheck.refresh_from_db()
    listing.refresh_from_db()
    assert recheck.status == ListingRecheck.Status.CORRECTED
    assert recheck.corrected_version == listing.candidate_version
    assert listing.status == Listing.Status.PENDING_REVIEW

    time_machine.shift(timedelta(days=2))
    deadlines_sweep()
    listing.refresh_from_db()
    assert listing.on_sale  # the clock was met: nothing is taken off sale
    assert AuditEntry.objects.filter(action="listing_recheck.corrected", subject_id=str(listing.pk)).exists()
    html = client.get(reverse("merchant:listings")).content.decode()
    assert 'data-testid="listing-rechecks"' not in html


def test_cat_10_edit_of_an_unrelated_listing_does_not_meet_the_clock(
    merchant: Merchant, staff_reviewer: User
) -> None:
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    recheck = _error_found(listing, staff_reviewer)
    other = approved_listing(merchant=merchant, by=staff_reviewer)
    listing_update(listing=other, actor=merchant.owner, title="另一个商品")
    recheck.refresh_from_db()
    assert recheck.status == ListingRecheck.Status.ERROR_FOUND
