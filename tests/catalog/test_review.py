"""CAT-1, CAT-2, CAT-4: listings, the review lifecycle and its 24-hour clock."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from catalog.models import Category, Listing, ListingVersion
from catalog.selectors import listing_get_for_customer, listing_list_for_customer, review_queue
from catalog.services.listings import listing_submit, listing_update
from catalog.services.review import listing_approve, listing_delist, listing_reject
from catalog.services.skus import sku_update
from merchants.models import Merchant
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Conflict, Forbidden, InvalidInput, NotFound
from platform_core.notifications.models import Notification
from tests.factories.accounts import CustomerFactory
from tests.factories.catalog import CategoryFactory, approved_listing, draft_listing

pytestmark = pytest.mark.django_db


def live(listing: Listing) -> ListingVersion:
    """The approved text of ``listing`` (the one customers see)."""
    version = listing.live_version
    assert version is not None
    return version


def actions(listing: Listing) -> list[str]:
    return list(
        AuditEntry.objects.filter(subject_id=str(listing.pk), action__startswith="listing.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_cat_1_listing_has_skus_with_decimal_prices(merchant: Merchant) -> None:
    listing = draft_listing(
        merchant=merchant,
        skus=[{"code": "S", "price": "59.90", "stock": 3}, {"code": "L", "price": "79.00", "stock": 0}],
    )
    assert listing.status == Listing.Status.DRAFT
    assert [s.price for s in listing.skus.order_by("code")] == [Decimal("79.00"), Decimal("59.90")]
    assert (listing.price_min, listing.price_max) == (Decimal("59.90"), Decimal("79.00"))
    with pytest.raises(InvalidInput):
        draft_listing(merchant=merchant, skus=[{"code": "X", "price": "0", "stock": 1}])


def test_cat_1_service_listing_needs_area_and_duration(db: None) -> None:
    from tests.factories.catalog import merchant_for

    care = CategoryFactory(is_service=True)
    merchant = merchant_for(care)
    listing = draft_listing(
        merchant=merchant, category=care, kind=Listing.Kind.SERVICE, title="上门护理 2小时"
    )
    with pytest.raises(InvalidInput) as err:
        listing_submit(listing=listing, actor=merchant.owner)
    assert "service_area" in err.value.errors
    listing_update(
        listing=listing, actor=merchant.owner, service_area="北京市朝阳区", service_duration_minutes=120
    )
    listing = listing_submit(listing=listing, actor=merchant.owner)
    assert listing.status == Listing.Status.PENDING_REVIEW
    with pytest.raises(InvalidInput):  # a goods listing in a services category
        draft_listing(merchant=merchant, category=care)


def test_cat_2_lifecycle_draft_review_approve_is_audited(merchant: Merchant, staff_reviewer: User) -> None:
    listing = draft_listing(merchant=merchant)
    assert not listing_list_for_customer().filter(pk=listing.pk).exists()
    listing = listing_submit(listing=listing, actor=merchant.owner)
    assert listing.status == Listing.Status.PENDING_REVIEW
    assert not listing_list_for_customer().filter(pk=listing.pk).exists()
    listing = listing_approve(listing=listing, actor=staff_reviewer)
    assert listing.status == Listing.Status.APPROVED and listing.on_sale
    assert live(listing_get_for_customer(listing_id=listing.pk)).title == "不锈钢保温杯 500ml"
    assert actions(listing) == ["listing.created", "listing.submitted", "listing.approved"]
    assert Notification.objects.filter(recipient=merchant.owner, event="listing_approved").exists()


def test_cat_2_reject_needs_reason_and_permission(merchant: Merchant, staff_reviewer: User) -> None:
    listing = draft_listing(merchant=merchant)
    listing_submit(listing=listing, actor=merchant.owner)
    with pytest.raises(Forbidden):
        listing_approve(listing=listing, actor=CustomerFactory())
    with pytest.raises(InvalidInput):
        listing_reject(listing=listing, actor=staff_reviewer, reason=" ")
    listing = listing_reject(listing=listing, actor=staff_reviewer, reason="图片与描述不符")
    assert listing.status == Listing.Status.REJECTED
    assert listing.versions.get().status == ListingVersion.Status.REJECTED
    # fix and resubmit: a new version, the rejected text stays on record
    listing_update(listing=listing, actor=merchant.owner, title="不锈钢保温杯 500ml 黑色")
    listing = listing_submit(listing=listing, actor=merchant.owner)
    assert list(listing.versions.values_list("status", flat=True)) == ["rejected", "pending"]


def test_cat_2_edit_keeps_approved_text_visible(merchant: Merchant, staff_reviewer: User) -> None:
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    listing = listing_update(
        listing=listing, actor=merchant.owner, title="全新升级保温杯", description="新描述"
    )
    assert listing.status == Listing.Status.PENDING_REVIEW
    seen = listing_get_for_customer(listing_id=listing.pk)
    assert live(seen).title == "不锈钢保温杯 500ml"  # customers still see the approved text
    assert live(seen).description == "双层真空，保温12小时。"
    assert not listing_list_for_customer(q="全新升级").exists()
    queued = review_queue().get(listing=listing)
    assert queued.changed_fields == ["title", "description"]
    with pytest.raises(Conflict):  # no edits while the reviewer looks at it
        listing_update(listing=listing, actor=merchant.owner, title="又改了")

    listing_approve(listing=listing, actor=staff_reviewer)
    assert live(listing_get_for_customer(listing_id=listing.pk)).title == "全新升级保温杯"
    assert list(listing.versions.values_list("status", flat=True)) == ["superseded", "approved"]


def test_cat_2_rejected_revision_leaves_old_version_on_sale(merchant: Merchant, staff_reviewer: User) -> None:
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    listing_update(listing=listing, actor=merchant.owner, title="夸张的新标题")
    listing = listing_reject(listing=listing, actor=staff_reviewer, reason="标题不实")
    assert listing.status == Listing.Status.APPROVED and listing.on_sale
    assert live(listing_get_for_customer(listing_id=listing.pk)).title == "不锈钢保温杯 500ml"


def test_cat_2_price_change_over_half_is_reviewed(merchant: Merchant, staff_reviewer: User) -> None:
    listing = approved_listing(merchant=merchant, by=staff_reviewer, price="100.00")
    sku = listing.skus.get()
    sku_update(
        sku_id=sku.pk, merchant=merchant, actor=merchant.owner, price=Decimal("140.00")
    )  # +40 %: at once
    sku.refresh_from_db()
    assert sku.price == Decimal("140.00")
    sku_update(
        sku_id=sku.pk, merchant=merchant, actor=merchant.owner, price=Decimal("300.00")
    )  # +114 %: review
    sku.refresh_from_db()
    listing.refresh_from_db()
    assert sku.price == Decimal("140.00") and listing.price_min == Decimal("140.00")
    assert listing.status == Listing.Status.PENDING_REVIEW and listing.on_sale
    assert review_queue().get(listing=listing).changed_fields == ["price"]
    listing_approve(listing=listing, actor=staff_reviewer)
    sku.refresh_from_db()
    listing.refresh_from_db()
    assert sku.price == Decimal("300.00") and listing.price_max == Decimal("300.00")


def test_cat_2_category_change_is_reviewed(
    merchant: Merchant, staff_reviewer: User, category: Category
) -> None:
    other = CategoryFactory()
    merchant.categories.add(other)
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    listing = listing_update(listing=listing, actor=merchant.owner, category=other)
    assert listing.category == category  # customers still find it where it was
    listing = listing_approve(listing=listing, actor=staff_reviewer)
    assert listing.category == other


def test_cat_2_delist_by_merchant_and_relist_through_review(merchant: Merchant, staff_reviewer: User) -> None:
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    listing = listing_delist(listing=listing, actor=merchant.owner, reason="", source="merchant")
    assert listing.status == Listing.Status.DELISTED and not listing.on_sale
    with pytest.raises(NotFound):
        listing_get_for_customer(listing_id=listing.pk)
    listing = listing_submit(listing=listing, actor=merchant.owner)
    assert listing.status == Listing.Status.PENDING_REVIEW
    with pytest.raises(NotFound):  # relisting is reviewed before it is shown
        listing_get_for_customer(listing_id=listing.pk)
    listing_approve(listing=listing, actor=staff_reviewer)
    assert listing_get_for_customer(listing_id=listing.pk)
    assert "listing.relist_submitted" in actions(listing)


def test_cat_2_staff_takedown_needs_reason_and_permission(merchant: Merchant, staff_reviewer: User) -> None:
    listing = approved_listing(merchant=merchant, by=staff_reviewer)
    with pytest.raises(Forbidden):
        listing_delist(listing=listing, actor=CustomerFactory(), reason="x", source="staff")
    with pytest.raises(InvalidInput):
        listing_delist(listing=listing, actor=staff_reviewer, reason="", source="staff")
    listing = listing_delist(listing=listing, actor=staff_reviewer, reason="虚假宣传", source="staff")
    assert (listing.delist_source, listing.delist_reason) == ("staff", "虚假宣传")
    assert Notification.objects.filter(recipient=merchant.owner, event="listing_taken_down").exists()
    with pytest.raises(TransitionNotAllowed):
        listing_delist(listing=listing, actor=staff_reviewer, reason="again", source="staff")


def test_cat_2_submission_requires_merchant_may_list(category: Category) -> None:
    from tests.factories.merchants import MerchantFactory

    no_deposit = MerchantFactory(categories=[category])  # category needs 500.00, none paid
    listing = draft_listing(merchant=no_deposit, category=category)
    with pytest.raises(Conflict) as err:
        listing_submit(listing=listing, actor=no_deposit.owner)
    assert err.value.code == "merchant_may_not_list"
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DRAFT


def test_cat_4_review_deadline_met_on_decision(merchant: Merchant, staff_reviewer: User) -> None:
    listing = draft_listing(merchant=merchant)
    listing_submit(listing=listing, actor=merchant.owner)
    deadline = Deadline.objects.get(rule="catalog.listing_review", subject_id=str(listing.pk))
    assert deadline.due_at - deadline.started_at == timedelta(hours=24)
    listing_approve(listing=listing, actor=staff_reviewer)
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.MET


def test_cat_4_overdue_review_escalates_to_operations(
    merchant: Merchant, staff_reviewer: User, time_machine
) -> None:
    time_machine.move_to(timezone.now())
    listing = draft_listing(merchant=merchant)
    listing_submit(listing=listing, actor=merchant.owner)
    time_machine.shift(timedelta(hours=23))
    deadlines_sweep()
    assert not Notification.objects.filter(event="listing_review_overdue").exists()
    time_machine.shift(timedelta(hours=1, seconds=1))
    deadlines_sweep()
    deadlines_sweep()
    assert Notification.objects.filter(recipient=staff_reviewer, event="listing_review_overdue").count() == 1
    listing.refresh_from_db()
    assert listing.review_escalated_at is not None
    assert listing.status == Listing.Status.PENDING_REVIEW  # escalated, still waiting for a person


def test_cat_4_review_queue_oldest_first(merchant: Merchant, time_machine) -> None:
    time_machine.move_to(timezone.now())
    first = draft_listing(merchant=merchant, title="第一个提交")
    second = draft_listing(merchant=merchant, title="后提交")
    listing_submit(listing=second, actor=merchant.owner)
    time_machine.shift(timedelta(minutes=5))
    listing_submit(listing=first, actor=merchant.owner)
    assert [v.listing_id for v in review_queue()] == [second.pk, first.pk]
