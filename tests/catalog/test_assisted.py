"""CAT-9: assisted listing — operations staff list for a partner merchant; four eyes on the review;
the partner sees and corrects it; stock figures unconfirmed for 7 days prompt operations."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Category, Listing, ListingAssist
from catalog.queues import assisted_stock_unconfirmed
from catalog.services.assisted import listing_create_assisted, listing_stock_confirm, listing_update_assisted
from catalog.services.listings import listing_submit
from catalog.services.review import listing_approve
from merchants.models import Merchant
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Forbidden
from platform_core.notifications.models import Notification
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory, StaffFactory
from tests.factories.catalog import approved_listing, reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def assister(db: None) -> User:
    return reviewer()  # operations staff hold catalog.assist_listing (and review_listing)


def assisted(merchant: Merchant, category: Category, staff: User, **kwargs: object) -> Listing:
    return listing_create_assisted(
        merchant=merchant,
        staff=staff,
        note="机构提供的照片和价目表",
        category=category,
        kind=Listing.Kind.PRODUCT,
        title="助老防滑拐杖",
        description="铝合金，可调节高度。",
        images=[{"url": "https://img.example.com/cane.jpg", "alt": "拐杖"}],
        skus=[{"code": "CANE", "price": "89.00", "stock": 20}],
        **kwargs,
    )


def test_cat_9_assisted_listing_recorded_and_shown_to_partner(
    merchant: Merchant, category: Category, assister: User
) -> None:
    listing = assisted(merchant, category, assister)
    assert listing.merchant_id == merchant.pk and listing.status == Listing.Status.DRAFT
    assert (listing.assisted_by, listing.is_assisted, listing.stock_confirmed_at) == (assister, True, None)
    assert list(listing.assists.values_list("staff_id", "action")) == [(assister.pk, "created")]
    assert AuditEntry.objects.filter(action="listing.assisted_created", subject_id=str(listing.pk)).exists()
    assert Notification.objects.filter(recipient=merchant.owner, event="listing_assisted").exists()

    owner = client_for(merchant.owner)
    body = owner.get(f"/api/v1/merchant/listings/{listing.pk}/").json()
    assert body["is_assisted"] is True and body["assisted_by"] == str(assister)
    assert body["assisted_at"] is not None and body["stock_confirmed_at"] is None
    # the partner corrects it through the normal edit flow
    response = owner.patch(f"/api/v1/merchant/listings/{listing.pk}/", {"title": "助老防滑拐杖（可调节）"})
    assert response.status_code == 200, response.content
    assert response.json()["candidate_version"]["title"] == "助老防滑拐杖（可调节）"
    assert response.json()["is_assisted"] is True


def test_cat_9_assist_needs_the_permission(merchant: Merchant, category: Category) -> None:
    for outsider in (CustomerFactory(), StaffFactory(role=Role.STAFF_MARKETING)):
        with pytest.raises(Forbidden):
            assisted(merchant, category, outsider)
    assert not Listing.objects.filter(merchant=merchant).exists()


def test_cat_9_assister_cannot_approve(merchant: Merchant, category: Category, assister: User) -> None:
    listing = assisted(merchant, category, assister)
    listing_submit(listing=listing, actor=assister)
    with pytest.raises(Forbidden, match="four eyes"):
        listing_approve(listing=listing, actor=assister)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW and not listing.on_sale

    second = reviewer()
    listing = listing_approve(listing=listing, actor=second)
    assert listing.status == Listing.Status.APPROVED and listing.on_sale


def test_cat_9_assisted_edit_of_an_approved_listing_also_needs_four_eyes(
    merchant: Merchant, category: Category
) -> None:
    listing = approved_listing(merchant=merchant)  # the merchant's own
    editor = reviewer()
    listing = listing_update_assisted(listing=listing, staff=editor, title="不锈钢保温杯 750ml")
    assert listing.status == Listing.Status.PENDING_REVIEW and listing.assisted_by == editor
    with pytest.raises(Forbidden):
        listing_approve(listing=listing, actor=editor)
    listing = listing_approve(listing=listing, actor=reviewer())
    assert listing.live_version is not None and listing.live_version.title == "不锈钢保温杯 750ml"


def test_cat_9_admin_approve_refuses_the_assister(
    merchant: Merchant, category: Category, assister: User, client: Client
) -> None:
    listing = assisted(merchant, category, assister)
    listing_submit(listing=listing, actor=merchant.owner)
    listing.refresh_from_db()
    assert listing.candidate_version is not None
    client.force_login(assister)
    response = client.post(
        reverse("admin:catalog_listingreview_changelist"),
        {"action": "approve_selected", "_selected_action": [listing.candidate_version.pk], "reason": "ok"},
        follow=True,
    )
    assert "four eyes" in response.content.decode()
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING_REVIEW


def test_cat_9_admin_creates_listing_with_skus_for_a_merchant(
    merchant: Merchant, category: Category, assister: User, client: Client
) -> None:
    client.force_login(assister)
    response = client.post(
        reverse("admin:catalog_listing_add"),
        {
            "merchant": merchant.pk,
            "category": category.pk,
            "kind": "product",
            "title": "老年人助行器",
            "description": "四脚助行器",
            "image_url": "https://img.example.com/walker.jpg",
            "image_alt": "助行器",
            "skus": "W-S; 199.00; 5; 尺寸=小\nW-L; 229.00; 3; 尺寸=大",
            "note": "合作机构电话提供",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    listing = Listing.objects.get(merchant=merchant)
    assert listing.assisted_by == assister
    assert sorted(listing.skus.values_list("code", "stock")) == [("W-L", 3), ("W-S", 5)]
    assert listing.skus.get(code="W-S").attributes == {"尺寸": "小"}
    # and edits it on the partner's behalf
    response = client.post(
        reverse("admin:catalog_listing_assist", args=[listing.pk]),
        {
            "category": category.pk,
            "title": "老年人四脚助行器",
            "description": "四脚助行器",
            "image_url": "https://img.example.com/walker.jpg",
            "image_alt": "助行器",
        },
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.candidate_version is not None and listing.candidate_version.title == "老年人四脚助行器"
    assert list(listing.assists.values_list("action", flat=True)) == ["created", "edited"]
    change = client.get(reverse("admin:catalog_listing_change", args=[listing.pk])).content.decode()
    assert "合作机构电话提供" in change  # the assisting history is on the listing page


def test_cat_9_unconfirmed_stock_prompts_operations_after_7_days(
    merchant: Merchant, category: Category, assister: User, time_machine
) -> None:
    time_machine.move_to(timezone.now())
    listing = assisted(merchant, category, assister)
    time_machine.shift(timedelta(days=7) - timedelta(minutes=1))
    deadlines_sweep()
    listing.refresh_from_db()
    assert listing.stock_prompted_at is None

    time_machine.shift(timedelta(minutes=2))
    deadlines_sweep()  # no human action
    listing.refresh_from_db()
    assert listing.stock_prompted_at is not None
    prompts = Notification.objects.filter(event="assisted_stock_unconfirmed", subject_id=listing.pk)
    assert assister.pk in set(prompts.values_list("recipient_id", flat=True))
    assert assisted_stock_unconfirmed()[0] == 1  # the operations work queue
    deadlines_sweep()
    assert prompts.count() == len(set(prompts.values_list("recipient_id", flat=True)))  # once

    # operations check with the partner and confirm: the prompt is settled, the clock starts again
    listing_stock_confirm(listing=listing, actor=reviewer(), note="电话确认库存 20")
    listing.refresh_from_db()
    assert listing.stock_prompted_at is None and listing.stock_confirmed_at is not None
    assert assisted_stock_unconfirmed()[0] == 0
    assert listing.assists.filter(action=ListingAssist.Action.STOCK_CONFIRMED).count() == 1


def test_cat_9_partner_stock_update_confirms_and_restarts_the_clock(
    merchant: Merchant, category: Category, assister: User, time_machine
) -> None:
    time_machine.move_to(timezone.now())
    listing = assisted(merchant, category, assister)
    owner = client_for(merchant.owner)
    sku = listing.skus.get()
    time_machine.shift(timedelta(days=5))
    before = timezone.now()
    response = owner.post("/api/v1/merchant/listings/stock/", {"items": [{"sku_id": sku.pk, "stock": 18}]})
    assert response.status_code == 200, response.content
    listing.refresh_from_db()
    assert listing.stock_confirmed_at is not None and listing.stock_confirmed_at >= before

    time_machine.shift(timedelta(days=3))  # 8 days after creation, 3 after the confirmation
    deadlines_sweep()
    listing.refresh_from_db()
    assert listing.stock_prompted_at is None

    time_machine.shift(timedelta(days=3))  # the partner confirms unchanged figures
    response = owner.post(f"/api/v1/merchant/listings/{listing.pk}/confirm-stock/")
    assert response.status_code == 200, response.content
    assert response.json()["stock_confirmed_at"] is not None
    time_machine.shift(timedelta(days=6))
    deadlines_sweep()
    listing.refresh_from_db()
    assert listing.stock_prompted_at is None
    time_machine.shift(timedelta(days=1, minutes=1))
    deadlines_sweep()
    listing.refresh_from_db()
    assert listing.stock_prompted_at is not None


def test_cat_9_staff_confirming_stock_needs_the_permission(
    merchant: Merchant, category: Category, assister: User
) -> None:
    listing = assisted(merchant, category, assister)
    with pytest.raises(Forbidden):
        listing_stock_confirm(listing=listing, actor=StaffFactory(role=Role.STAFF_MARKETING))
    listing.refresh_from_db()
    assert listing.stock_confirmed_at is None


def test_cat_9_partner_dashboard_shows_the_listing_was_assisted(
    merchant: Merchant, category: Category, assister: User, client: Client
) -> None:
    listing = assisted(merchant, category, assister)
    client.force_login(merchant.owner)
    html = client.get(reverse("merchant:listing", args=[listing.pk])).content.decode()
    assert 'data-testid="listing-assisted"' in html and str(assister) in html
