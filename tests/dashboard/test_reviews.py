"""Reviews in the dashboard (REP-1, REP-2): the shop's reviews with their ratings, the shop's one reply,
and the report of an abusive review to the moderators; the refusals."""

from collections.abc import Callable

import pytest
from django.test import Client

from merchants.models import Merchant, MerchantMember
from orders.models import Order, Review, ReviewFlag
from platform_core.audit.models import AuditEntry
from platform_core.notifications.models import Notification
from tests.dashboard.conftest import client_as, member_of
from tests.factories.orders import review_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform_default_language")]

Role = MerchantMember.Role


@pytest.fixture
def review(make_completed_order: Callable[..., Order]) -> Review:
    return review_for(make_completed_order(), rating=2, text="包装破损，客服态度差")


def test_rep_1_reviews_are_listed_with_their_ratings(owner_client: Client, review: Review) -> None:
    response = owner_client.get("/merchant/reviews/")
    assert response.status_code == 200
    ((row, who),) = response.context["rows"]
    assert row.pk == review.pk and "*" in who  # the reviewer's name masked
    html = response.content.decode()
    assert "★★☆☆☆" in html and "包装破损" in html
    assert owner_client.get("/merchant/reviews/?filter=all&rating=5").context["rows"] == []
    detail = owner_client.get(f"/merchant/reviews/{review.pk}/").content.decode()
    assert "描述相符" in detail and detail.count("★★★★☆") == 3  # the three seller ratings (4 each)


def test_rep_1_the_shop_replies_once(owner_client: Client, shop: Merchant, review: Review) -> None:
    response = owner_client.post(f"/merchant/reviews/{review.pk}/reply/", {"text": "抱歉，已为您补发。"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.reply_text == "抱歉，已为您补发。" and review.replied_by == shop.owner
    assert AuditEntry.objects.filter(action="review.replied", subject_id=str(review.pk)).count() == 1
    assert Notification.objects.filter(recipient=review.customer, event="review_replied").exists()
    again = owner_client.post(f"/merchant/reviews/{review.pk}/reply/", {"text": "再次回复"})
    assert again.status_code == 400  # REP-1: once
    review.refresh_from_db()
    assert review.reply_text == "抱歉，已为您补发。"
    assert "已回复" in owner_client.get("/merchant/reviews/?filter=replied").content.decode()


def test_rep_2_the_shop_reports_an_abusive_review_with_a_reason(
    owner_client: Client, shop: Merchant, review: Review
) -> None:
    response = owner_client.post(
        f"/merchant/reviews/{review.pk}/report/", {"reason": "abuse", "note": "评价中含有辱骂内容"}
    )
    assert response.status_code == 302
    flag = ReviewFlag.objects.get(review=review)
    assert flag.signal == ReviewFlag.Signal.MERCHANT_REPORT and flag.status == ReviewFlag.Status.OPEN
    assert flag.details["reason"] == "abuse" and flag.details["note"] == "评价中含有辱骂内容"
    entry = AuditEntry.objects.get(action="review.reported", subject_id=str(review.pk))
    assert entry.actor == shop.owner and entry.reason == "评价中含有辱骂内容"
    review.refresh_from_db()
    assert review.status == Review.Status.VISIBLE  # REP-2: only the moderators hide a review
    again = owner_client.post(f"/merchant/reviews/{review.pk}/report/", {"reason": "abuse", "note": "再次"})
    assert again.status_code == 400 and ReviewFlag.objects.filter(review=review).count() == 1


def test_rep_2_a_report_needs_a_listed_reason_and_a_note(owner_client: Client, review: Review) -> None:
    for data in ({"reason": "negative", "note": "差评"}, {"reason": "abuse", "note": " "}):
        response = owner_client.post(f"/merchant/reviews/{review.pk}/report/", data)
        assert response.status_code == 400
    assert not ReviewFlag.objects.exists()


def test_rep_1_another_shop_and_finance_may_not_answer(
    category: object, shop: Merchant, review: Review
) -> None:
    from tests.factories.catalog import merchant_for

    other = client_as(merchant_for(category).owner)
    assert other.get(f"/merchant/reviews/{review.pk}/").status_code == 404
    assert other.post(f"/merchant/reviews/{review.pk}/reply/", {"text": "x"}).status_code == 404
    finance = client_as(member_of(shop, Role.FINANCE))
    assert finance.get(f"/merchant/reviews/{review.pk}/").status_code == 200  # reads, does not answer
    assert finance.post(f"/merchant/reviews/{review.pk}/reply/", {"text": "x"}).status_code == 403
    assert (
        finance.post(f"/merchant/reviews/{review.pk}/report/", {"reason": "abuse", "note": "x"}).status_code
        == 403
    )
    review.refresh_from_db()
    assert review.replied_at is None and not ReviewFlag.objects.exists()


def test_rep_1_empty_state(owner_client: Client) -> None:
    response = owner_client.get("/merchant/reviews/")
    assert response.status_code == 200 and "所有评价均已回复" in response.content.decode()
