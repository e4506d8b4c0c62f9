"""MSG-1 … MSG-3: consultation messages with masking and read receipts, reply clocks (shop 24 h feeding
its KPI, platform customer service 2 h escalating to the shift lead), suggestions reported monthly."""

from datetime import timedelta
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.clocks import RULE_CS_MESSAGE_REPLY, RULE_MERCHANT_MESSAGE_REPLY
from aftersales.models import Conversation, ReplyClock, Suggestion
from aftersales.selectors import message_kpi_figures
from aftersales.services.conversations import conversation_start, message_post
from catalog.models import Listing
from merchants.models import Merchant, MerchantKpi
from merchants.selectors.figures import kpi_sources, merchant_figures
from merchants.selectors.kpis import kpi_window
from merchants.services.kpis import merchant_kpis_compute
from platform_core.accounts.contact_masking import mask_contact_details
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.notifications.models import Notification
from platform_core.reports.registry import ReportFilters, monthly_sections, report_get
from staff.models import Department
from tests.conftest import assert_max_queries, client_for
from tests.factories.accounts import CustomerFactory, StaffFactory
from tests.factories.aftersales import PNG
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for

pytestmark = pytest.mark.django_db

CONVERSATIONS = "/api/v1/conversations/"
MERCHANT_CONVERSATIONS = "/api/v1/merchant/conversations/"


@pytest.fixture
def merchant() -> Merchant:
    return merchant_for(CategoryFactory())


@pytest.fixture
def listing(merchant: Merchant) -> Listing:
    return approved_listing(merchant=merchant)


@pytest.fixture
def head() -> User:
    user = StaffFactory(role=Role.STAFF_CUSTOMER_SERVICE)
    Department.objects.filter(code=Department.Code.CUSTOMER_SERVICE).update(head=user)
    return user


@pytest.fixture
def agent() -> User:
    return StaffFactory(role=Role.STAFF_CUSTOMER_SERVICE)


def _ask(customer: User, listing: Listing, text: str = "有现货吗？") -> Conversation:
    return conversation_start(
        customer=customer, kind="presale", listing_id=listing.pk, text=text, actor=customer
    )


# --- MSG-1 ----------------------------------------------------------------------------------------------


def test_msg_1_mask_contact_details_rules() -> None:
    assert mask_contact_details("电话13812341234") == "电话138****1234"
    assert mask_contact_details("call +86 138-1234-1234 now") == "call 138****1234 now"
    assert mask_contact_details("座机010-12345678") == "座机010****5678"
    assert (
        mask_contact_details("寄到上海市浦东新区世纪大道100号3室，谢谢")
        == "寄到上海市浦东新区世纪大道***号*室，谢谢"
    )
    assert mask_contact_details("市场价100元，订单号20261127") == "市场价100元，订单号20261127"


def test_msg_1_phone_number_in_message_arrives_masked(listing: Listing, merchant: Merchant) -> None:
    customer = CustomerFactory()
    client = client_for(customer)
    created = client.post(
        CONVERSATIONS,
        {
            "kind": "presale",
            "listing": listing.pk,
            "text": "到了打我电话13812341234，地址北京市朝阳区建国路88号",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    conversation_id = created.json()["id"]
    assert created.json()["merchant"] == merchant.pk and created.json()["clock"]["seconds_left"] > 0

    shop = client_for(merchant.owner)
    seen = shop.get(f"{MERCHANT_CONVERSATIONS}{conversation_id}/messages/").json()["results"]
    assert seen[0]["text"] == "到了打我电话138****1234，地址北京市朝阳区建国路**号"
    assert "13812341234" not in str(seen)
    mine = client.get(f"{CONVERSATIONS}{conversation_id}/messages/").json()["results"]
    assert mine[0]["text"].endswith("13812341234，地址北京市朝阳区建国路88号") and mine[0]["mine"] is True

    # read receipts: the customer sees when the shop read the message
    assert mine[0]["read_at"] is None
    assert shop.post(f"{MERCHANT_CONVERSATIONS}{conversation_id}/read/").json() == {"marked_read": 1}
    mine = client.get(f"{CONVERSATIONS}{conversation_id}/messages/").json()["results"]
    assert mine[0]["read_at"] is not None

    # the shop's reply, with a picture, reaches the customer masked too
    reply = shop.post(
        f"{MERCHANT_CONVERSATIONS}{conversation_id}/messages/",
        {"text": "可以，我们客服电话 0755-12345678", "images": [SimpleUploadedFile("a.png", PNG)]},
        format="multipart",
    )
    assert reply.status_code == 201, reply.content
    listed = client.get(CONVERSATIONS).json()["results"]
    assert listed[0]["unread"] == 1 and listed[0]["clock"] is None
    theirs = client.get(f"{CONVERSATIONS}{conversation_id}/messages/").json()["results"][1]
    assert theirs["text"] == "可以，我们客服电话 075*****5678" and theirs["mine"] is False
    image = client.get(f"{CONVERSATIONS}images/{theirs['images'][0]['id']}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_msg_1_image_checked_by_content(listing: Listing) -> None:
    client = client_for(CustomerFactory())
    response = client.post(
        CONVERSATIONS,
        {
            "kind": "presale",
            "listing": listing.pk,
            "text": "看图",
            "images": [SimpleUploadedFile("x.png", b"MZ\x90")],
        },
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["code"] == "file_type_not_allowed"
    assert not Conversation.objects.exists()


def test_msg_1_other_customer_gets_404(listing: Listing, merchant: Merchant) -> None:
    customer = CustomerFactory()
    conversation = _ask(customer, listing)
    image_message = message_post(
        conversation=conversation,
        sender=customer,
        text="",
        images=[SimpleUploadedFile("a.png", PNG)],
        actor=customer,
    )
    stranger = client_for(CustomerFactory())
    base = f"{CONVERSATIONS}{conversation.pk}/"
    assert stranger.get(base).status_code == 404
    assert stranger.get(f"{base}messages/").status_code == 404
    assert stranger.post(f"{base}messages/", {"text": "hi"}, format="json").status_code == 404
    assert stranger.post(f"{base}read/").status_code == 404
    assert stranger.get(f"{CONVERSATIONS}images/{image_message.images.get().pk}/").status_code == 404
    other_shop = client_for(merchant_for(CategoryFactory()).owner)
    assert other_shop.get(f"{MERCHANT_CONVERSATIONS}{conversation.pk}/messages/").status_code == 404
    assert other_shop.get(MERCHANT_CONVERSATIONS).json()["results"] == []
    assert client_for(customer).get(f"{base}messages/").status_code == 200


def test_msg_1_conversation_lists_have_a_query_budget(listing: Listing, merchant: Merchant) -> None:
    customer = CustomerFactory()
    client, shop = client_for(customer), client_for(merchant.owner)
    for _ in range(2):
        _ask(CustomerFactory(), approved_listing(merchant=merchant))
    _ask(customer, listing)
    with assert_max_queries(8) as few:
        assert len(shop.get(MERCHANT_CONVERSATIONS).json()["results"]) == 3
    for _ in range(7):
        _ask(CustomerFactory(), approved_listing(merchant=merchant))
    with assert_max_queries(8) as many:
        assert len(shop.get(MERCHANT_CONVERSATIONS).json()["results"]) == 10
    assert len(many.captured_queries) == len(few.captured_queries)
    with assert_max_queries(8):
        assert len(client.get(CONVERSATIONS).json()["results"]) == 1


# --- MSG-2 ----------------------------------------------------------------------------------------------


def test_msg_2_merchant_reply_in_time_meets_the_clock(
    listing: Listing, merchant: Merchant, time_machine: Any
) -> None:
    customer = cast(User, CustomerFactory())
    conversation = _ask(customer, listing)
    time_machine.move_to(timezone.now() + timedelta(hours=3))
    message_post(conversation=conversation, sender=merchant.owner, text="有的", actor=merchant.owner)
    assert Deadline.objects.get(rule=RULE_MERCHANT_MESSAGE_REPLY).status == Deadline.Status.MET
    clock = ReplyClock.objects.get()
    assert clock.answered_at is not None and clock.missed_at is None
    since, until = clock.asked_at - timedelta(days=1), clock.asked_at + timedelta(days=1)
    figures = message_kpi_figures(merchant, since, until)
    assert figures["messages_responded"] == 1
    assert 3 * 3600 - 5 <= figures["message_response_seconds"] <= 3 * 3600 + 5
    assert Notification.objects.filter(recipient=customer, event="conversation_replied").exists()


def test_msg_2_merchant_silent_24h_counts_against_kpi(merchant: Merchant, time_machine: Any) -> None:
    assert message_kpi_figures in kpi_sources
    listing = approved_listing(merchant=merchant)
    conversations = [_ask(CustomerFactory(), listing) for _ in range(10)]
    first, last = conversations[0].created_at, conversations[-1].created_at
    time_machine.move_to(first + timedelta(hours=23, minutes=59))
    deadlines_sweep()
    assert not ReplyClock.objects.filter(missed_at__isnull=False).exists()
    since, until = kpi_window(day=timezone.localdate())
    assert merchant_figures(merchant=merchant, since=since, until=until)["messages_responded"] == 0

    time_machine.move_to(last + timedelta(hours=24, seconds=5))
    deadlines_sweep()
    assert ReplyClock.objects.filter(merchant=merchant, missed_at__isnull=False).count() == 10
    assert (
        Notification.objects.filter(recipient=merchant.owner, event="conversation_reply_missed").count() == 10
    )
    deadlines_sweep()  # enforced once
    assert (
        Notification.objects.filter(recipient=merchant.owner, event="conversation_reply_missed").count() == 10
    )

    figures = merchant_figures(merchant=merchant, since=since, until=until)
    assert figures["messages_responded"] == 10
    assert figures["message_response_seconds"] >= 10 * 24 * 3600
    (kpi,) = [
        k
        for k in merchant_kpis_compute(merchant=merchant, day=timezone.localdate())
        if k.kpi == "message_response_hours"
    ]
    assert kpi.level == MerchantKpi.Level.LIMIT and kpi.value is not None and kpi.value > 24
    assert kpi.violation is not None and kpi.violation.kind == "kpi_message_response_hours"


def test_msg_2_platform_cs_unanswered_2h_escalates_without_human(
    head: User, agent: User, time_machine: Any
) -> None:
    customer = CustomerFactory()
    response = client_for(customer).post(
        CONVERSATIONS, {"kind": "platform", "text": "退款一直没到账"}, format="json"
    )
    assert response.status_code == 201, response.content
    conversation = Conversation.objects.get(pk=response.json()["id"])
    assert conversation.merchant is None and conversation.reply_due_at is not None

    time_machine.move_to(conversation.created_at + timedelta(hours=1, minutes=59))
    deadlines_sweep()
    conversation.refresh_from_db()
    assert conversation.escalated_to is None

    time_machine.move_to(conversation.created_at + timedelta(hours=2, seconds=5))
    deadlines_sweep()
    conversation.refresh_from_db()
    assert conversation.escalated_to == head and conversation.escalated_at is not None
    assert Deadline.objects.get(rule=RULE_CS_MESSAGE_REPLY).status == Deadline.Status.ENFORCED
    assert Notification.objects.filter(recipient=head, event="conversation_escalated").count() == 1
    deadlines_sweep()
    assert Notification.objects.filter(recipient=head, event="conversation_escalated").count() == 1

    # customer service answers late: the wait ends, the agent takes the conversation
    message_post(conversation=conversation, sender=agent, text="已为您加急处理", actor=agent)
    conversation.refresh_from_db()
    assert conversation.awaiting_since is None and conversation.assigned_to == agent
    clock = ReplyClock.objects.get(conversation=conversation)
    assert clock.missed_at is not None and clock.answered_at is not None


def test_msg_2_only_customer_service_answers_platform_conversations(merchant: Merchant) -> None:
    customer = CustomerFactory()
    conversation = conversation_start(customer=customer, kind="platform", text="你好", actor=customer)
    shop = client_for(merchant.owner)
    assert shop.get(f"{MERCHANT_CONVERSATIONS}{conversation.pk}/messages/").status_code == 404
    from platform_core.errors import NotFound

    with pytest.raises(NotFound):
        message_post(conversation=conversation, sender=StaffFactory(), text="hi", actor=StaffFactory())


# --- MSG-3 ----------------------------------------------------------------------------------------------


def test_msg_3_suggestion_recorded_and_reported() -> None:
    user = cast(User, CustomerFactory())
    response = client_for(user).post(
        "/api/v1/suggestions/",
        {"text": "希望支持按到货时间筛选", "tags": ["Delivery", "search", "delivery"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    suggestion = Suggestion.objects.get()
    assert suggestion.user == user and suggestion.tags == ["delivery", "search"]
    other = Suggestion.objects.create(user=cast(User, CustomerFactory()), text="界面太花", tags=["ui"])

    today = timezone.localdate()
    definition = report_get("suggestions")
    rows: list[Any] = list(definition.rows(ReportFilters(date_from=today, date_to=today)))
    assert [row["id"] for row in rows] == [suggestion.pk, other.pk]
    tagged: list[Any] = list(
        definition.rows(ReportFilters(date_from=today, date_to=today, extra={"tag": "delivery"}))
    )
    assert [row["id"] for row in tagged] == [suggestion.pk]

    sections = dict(monthly_sections())
    since = timezone.now() - timedelta(days=1)
    section = sections["suggestions"](since, timezone.now() + timedelta(seconds=1))
    figures = {str(label): value for label, value in section.rows}
    assert figures["Suggestions received"] == 2
    assert figures["Tagged “delivery”"] == 1 and figures["Tagged “ui”"] == 1


def test_msg_3_empty_suggestion_refused() -> None:
    response = client_for(CustomerFactory()).post("/api/v1/suggestions/", {"text": "  "}, format="json")
    assert response.status_code == 400
    assert not Suggestion.objects.exists()


# --- MSG-2: the customer-service console ---------------------------------------------------------------


def test_msg_2_console_queue_canned_reply_assignment_and_handover(head: User, time_machine: Any) -> None:
    from django.test import Client

    from aftersales.models import CannedResponse, ShiftHandover

    lead = cast(User, StaffFactory(role=Role.STAFF_CUSTOMER_SERVICE, is_superuser=True))
    console = Client()
    console.force_login(lead)
    customer = cast(User, CustomerFactory())
    older = conversation_start(customer=customer, kind="platform", text="早先的问题", actor=customer)
    time_machine.move_to(timezone.now() + timedelta(minutes=30))
    console.force_login(lead)  # half an hour later: signed in again (SESSION_IDLE_TIMEOUT, issue 20)
    newer = conversation_start(
        customer=cast(User, CustomerFactory()), kind="platform", text="后来的问题", actor=customer
    )
    page = console.get("/admin/aftersales/serviceconversation/")
    assert page.status_code == 200
    html = page.content.decode()
    link = "/admin/aftersales/serviceconversation/%d/change/"
    assert html.index(link % older.pk) < html.index(link % newer.pk)  # the answer due first on top

    canned = CannedResponse.objects.create(
        title="退款进度", body="您的退款正在处理，请耐心等待。", applies_to="complaint"
    )
    done = console.post(
        "/admin/aftersales/serviceconversation/",
        {"action": "reply_selected", "_selected_action": [older.pk], "canned": canned.pk, "text": ""},
    )
    assert done.status_code == 302
    older.refresh_from_db()
    assert older.awaiting_since is None and older.assigned_to == lead
    assert older.messages.last().text == canned.body  # type: ignore[union-attr]

    console.post(
        "/admin/aftersales/serviceconversation/",
        {"action": "assign_to_me", "_selected_action": [newer.pk]},
    )
    newer.refresh_from_db()
    assert newer.assigned_to == lead

    added = console.post("/admin/aftersales/shifthandover/add/", {"notes": f"#{newer.pk} 等财务回复"})
    assert added.status_code == 302
    assert ShiftHandover.objects.get().author == lead


def test_msg_2_closing_never_hides_a_wait_from_the_kpi(listing: Listing, merchant: Merchant) -> None:
    from aftersales.services.conversations import conversation_close

    asked = _ask(cast(User, CustomerFactory()), listing)
    conversation_close(conversation=asked, actor=merchant.owner)  # the shop closes instead of answering
    clock = ReplyClock.objects.get(conversation=asked)
    assert clock.answered_at is not None
    customer = cast(User, CustomerFactory())
    withdrawn = _ask(customer, approved_listing(merchant=merchant))
    conversation_close(conversation=withdrawn, actor=customer)  # the customer withdraws the question
    assert not ReplyClock.objects.filter(conversation=withdrawn).exists()
    assert (
        Deadline.objects.filter(rule=RULE_MERCHANT_MESSAGE_REPLY, status=Deadline.Status.PENDING).count() == 0
    )
