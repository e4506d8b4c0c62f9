"""Messages in the dashboard (MSG-1, MSG-2): the shop's conversations with the 24-hour reply clock, a
conversation with the customer's contact details masked as the API masks them, the reply with a quick
reply and a picture, and the refusals."""

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from aftersales.models import Conversation, Message
from aftersales.models.quick_replies import DEFAULTS_BY_KEY
from aftersales.services.conversations import conversation_start
from aftersales.services.quick_replies import quick_replies_seed_defaults
from catalog.models import Listing
from merchants.models import Merchant, MerchantMember
from platform_core.audit.models import AuditEntry
from platform_core.deadlines.models import Deadline
from tests.dashboard.conftest import client_as, member_of
from tests.factories.accounts import CustomerFactory
from tests.factories.aftersales import PNG

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform_default_language")]

Role = MerchantMember.Role
ASKED = "请问有现货吗？我的电话13912345678，地址上海市浦东新区世纪大道100号3室"


@pytest.fixture
def ask(make_listing: Callable[..., Listing]) -> Callable[..., Conversation]:
    listing = make_listing()

    def make(text: str = ASKED) -> Conversation:
        customer = CustomerFactory.create()
        return conversation_start(
            customer=customer, kind="presale", text=text, listing_id=listing.pk, actor=customer
        )

    return make


def test_msg_2_waiting_conversation_is_listed_with_its_24_hour_clock(
    owner_client: Client, ask: Callable[..., Conversation]
) -> None:
    conversation = ask()
    response = owner_client.get("/merchant/messages/")
    assert response.status_code == 200
    ((row, cd),) = response.context["rows"]
    assert row.pk == conversation.pk and row.unread == 1
    assert cd["hours"] == 23 and not cd["overdue"]  # MSG-2: 24 hours to answer
    assert "data-countdown" in response.content.decode()


def test_msg_1_conversation_masks_the_customers_contact_details_as_the_api_does(
    owner_client: Client, ask: Callable[..., Conversation]
) -> None:
    conversation = ask()
    html = owner_client.get(f"/merchant/messages/{conversation.pk}/").content.decode()
    api = owner_client.get(f"/api/v1/merchant/conversations/{conversation.pk}/messages/").json()
    masked = api["results"][0]["text"]
    assert "13912345678" not in html and "13912345678" not in masked
    assert masked in html  # exactly the API's masking
    assert "139****5678" in html


def test_msg_1_msg_2_reply_with_a_quick_reply_and_a_picture_meets_the_clock(
    owner_client: Client, shop: Merchant, ask: Callable[..., Conversation]
) -> None:
    conversation = ask()
    in_stock = next(r for r in quick_replies_seed_defaults(merchant=shop) if r.default_key == "in_stock")
    response = owner_client.post(
        f"/merchant/messages/{conversation.pk}/reply/",
        {"quick_reply": str(in_stock.pk), "text": "", "images": [SimpleUploadedFile("photo.png", PNG)]},
    )
    assert response.status_code == 302
    reply = Message.objects.get(conversation=conversation, side=Message.Side.MERCHANT)
    assert reply.sender == shop.owner and reply.images.count() == 1
    with translation.override("zh-hans"):  # the seller centre speaks Chinese by default
        assert reply.text == str(DEFAULTS_BY_KEY["in_stock"][1]) != "" and "现货" in reply.text
    conversation.refresh_from_db()
    assert conversation.reply_due_at is None and conversation.awaiting_since is None  # MSG-2: answered
    assert not Deadline.objects.filter(
        rule="aftersales.merchant_message_reply", status=Deadline.Status.PENDING
    ).exists()
    assert Message.objects.get(side=Message.Side.CUSTOMER).read_at is not None  # answered = read
    assert AuditEntry.objects.filter(
        action="conversation.message_posted", subject_id=str(conversation.pk), actor=shop.owner
    ).exists()
    follow = owner_client.get(response["Location"])
    assert "已发送" in follow.content.decode()


def test_msg_1_an_empty_answer_is_refused_on_the_form(
    owner_client: Client, ask: Callable[..., Conversation]
) -> None:
    conversation = ask()
    response = owner_client.post(f"/merchant/messages/{conversation.pk}/reply/", {"text": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Message.objects.filter(side=Message.Side.MERCHANT).exists()


def test_msg_1_another_shops_conversation_is_not_found(
    category: object, ask: Callable[..., Conversation]
) -> None:
    from tests.factories.catalog import merchant_for

    conversation = ask()
    other = client_as(merchant_for(category).owner)
    assert other.get(f"/merchant/messages/{conversation.pk}/").status_code == 404
    assert other.post(f"/merchant/messages/{conversation.pk}/reply/", {"text": "hi"}).status_code == 404
    assert not Message.objects.filter(side=Message.Side.MERCHANT).exists()


def test_msg_1_finance_does_not_answer_customers(shop: Merchant, ask: Callable[..., Conversation]) -> None:
    conversation = ask()
    finance = client_as(member_of(shop, Role.FINANCE))
    assert finance.get("/merchant/messages/").status_code == 403
    assert finance.post(f"/merchant/messages/{conversation.pk}/reply/", {"text": "hi"}).status_code == 403
    service = client_as(member_of(shop, Role.CUSTOMER_SERVICE))
    assert service.get("/merchant/messages/").status_code == 200


def test_msg_1_empty_state(owner_client: Client) -> None:
    response = owner_client.get("/merchant/messages/")
    assert response.status_code == 200 and response.context["rows"] == []
    assert 'class="empty"' in response.content.decode()
