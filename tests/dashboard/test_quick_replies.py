"""A shop's quick replies in the dashboard (快捷短语, MSG-1, MSG-2): seeded from the built-in phrases for a
new shop and shown in the reader's language, added, edited, reordered and removed by the members who answer
customers, and offered by the reply form in the shop's order."""

from collections.abc import Callable

import pytest
from django.test import Client

from aftersales.models import Conversation, Message, QuickReply
from aftersales.services.conversations import conversation_start
from catalog.models import Listing
from merchants.models import Merchant, MerchantMember
from platform_core.audit.models import AuditEntry
from tests.dashboard.conftest import client_as, member_of
from tests.factories.accounts import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/merchant/messages/quick-replies/"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
Role = MerchantMember.Role


def _titles(client: Client, **headers: str) -> list[str]:
    response = client.get(URL, **headers)
    assert response.status_code == 200
    return [r.shown_title for r in response.context["replies"]]


def test_msg_1_a_new_shop_starts_with_the_built_in_quick_replies_shown_in_the_readers_language(
    owner_client: Client, shop: Merchant
) -> None:
    assert not QuickReply.objects.filter(merchant=shop).exists()
    assert _titles(owner_client, **ZH) == ["问候", "有现货", "已发货", "正在核实", "售后", "致谢"]
    assert _titles(owner_client, **EN)[:2] == ["Greeting", "In stock"]  # translated at display
    html = owner_client.get(URL, **ZH).content.decode()
    assert "这件商品有现货" in html or "现货" in html
    assert QuickReply.objects.filter(merchant=shop).count() == 6  # seeded once, not on every visit


def test_msg_1_msg_2_quick_replies_are_added_edited_reordered_removed_and_offered_by_the_reply_form(
    owner_client: Client, shop: Merchant, make_listing: Callable[..., Listing]
) -> None:
    owner_client.get(URL)
    greeting = QuickReply.objects.get(merchant=shop, default_key="greeting")
    # add: last in the list
    assert owner_client.post(URL, {"title": "包邮", "text": "全国包邮（偏远地区除外）。"}).status_code == 302
    assert _titles(owner_client, **ZH)[-1] == "包邮"
    assert owner_client.post(URL, {"title": "", "text": ""}).status_code == 400  # field errors, nothing added
    # edit a built-in one: it becomes the shop's own text
    edit = f"{URL}{greeting.pk}/"
    assert owner_client.get(edit, **ZH).context["form"].initial["title"] == "问候"
    assert owner_client.post(edit, {"title": "欢迎", "text": "欢迎光临本店！"}).status_code == 302
    greeting.refresh_from_db()
    assert (greeting.title, greeting.text, greeting.default_key) == ("欢迎", "欢迎光临本店！", "")
    assert _titles(owner_client, **EN)[0] == "欢迎"  # the shop's own words, in any language
    # reorder: the new one moves up one place; at the top nothing moves
    new = QuickReply.objects.get(merchant=shop, title="包邮")
    owner_client.post(f"{URL}{new.pk}/move/", {"direction": "up"})
    assert _titles(owner_client, **ZH)[-2:] == ["包邮", "致谢"]
    owner_client.post(f"{URL}{greeting.pk}/move/", {"direction": "up"})
    assert _titles(owner_client, **ZH)[0] == "欢迎"
    # remove: gone from the list (the row kept as removed)
    owner_client.post(f"{URL}{new.pk}/delete/")
    assert "包邮" not in _titles(owner_client, **ZH)
    assert owner_client.get(f"{URL}{new.pk}/").status_code == 404
    actions = set(
        AuditEntry.objects.filter(action__startswith="quick_reply.").values_list("action", flat=True)
    )
    assert actions == {
        "quick_reply.created",
        "quick_reply.updated",
        "quick_reply.moved",
        "quick_reply.deleted",
    }
    # the reply form offers the shop's list, in its order, and sends the chosen text
    customer = CustomerFactory.create()
    conversation = conversation_start(
        customer=customer, kind="presale", text="在吗？", listing_id=make_listing().pk, actor=customer
    )
    form = owner_client.get(f"/merchant/messages/{conversation.pk}/", **ZH).context["form"]
    choices = [label for _value, label in form.fields["quick_reply"].choices]
    assert choices[1] == "欢迎" and "包邮" not in choices
    sent = owner_client.post(
        f"/merchant/messages/{conversation.pk}/reply/", {"quick_reply": str(greeting.pk), "text": ""}
    )
    assert sent.status_code == 302
    assert Message.objects.get(conversation=conversation, side=Message.Side.MERCHANT).text == "欢迎光临本店！"
    assert Conversation.objects.get(pk=conversation.pk).reply_due_at is None  # MSG-2: answered


def test_msg_1_quick_replies_belong_to_the_shop_and_its_answering_roles(
    owner_client: Client, shop: Merchant, category: object
) -> None:
    from tests.factories.catalog import merchant_for

    owner_client.get(URL)
    reply = QuickReply.objects.filter(merchant=shop).first()
    assert reply is not None
    assert client_as(member_of(shop, Role.CUSTOMER_SERVICE)).get(URL).status_code == 200
    finance = client_as(member_of(shop, Role.FINANCE))
    assert finance.get(URL).status_code == 403
    assert finance.post(f"{URL}{reply.pk}/delete/").status_code == 403
    other = client_as(merchant_for(category).owner)
    assert other.get(f"{URL}{reply.pk}/").status_code == 404
    assert other.post(f"{URL}{reply.pk}/", {"title": "x", "text": "y"}).status_code == 404
    assert other.post(f"{URL}{reply.pk}/delete/").status_code == 404
    reply.refresh_from_db()
    assert reply.deleted_at is None and reply.default_key != ""
    # removing them all does not bring the built-in ones back
    for row in QuickReply.objects.filter(merchant=shop):
        owner_client.post(f"{URL}{row.pk}/delete/")
    assert _titles(owner_client) == []
    assert 'class="empty"' in owner_client.get(URL).content.decode()
