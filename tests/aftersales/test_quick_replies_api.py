"""MSG-1 (decision 044): a shop's quick replies in the merchant API — listed (the built-in phrases the first
time), added, edited and removed by the roles that answer customers, as on the seller centre's page; another
shop's reply is a 404 (SEC-1); a reply without a title or a text is a 400 naming the field."""

from typing import Any, cast

import pytest
from drf_spectacular.generators import SchemaGenerator

from aftersales.models import QuickReply
from aftersales.models.quick_replies import DEFAULT_QUICK_REPLIES
from merchants.models import Merchant, MerchantMember
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories.accounts import UserFactory
from tests.factories.merchants import MerchantFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/merchant/quick-replies/"
Role = MerchantMember.Role


def _member(merchant: Merchant, role: str) -> User:
    user = cast(User, UserFactory())
    MerchantMember.objects.create(merchant=merchant, user=user, role=role)
    return user


def _titles(user: User) -> list[str]:
    response = client_for(user).get(URL)
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()]


def test_msg_1_the_shop_lists_adds_edits_and_removes_its_quick_replies_through_the_api() -> None:
    merchant = cast(Merchant, MerchantFactory())
    agent = _member(merchant, Role.CUSTOMER_SERVICE)
    api = client_for(agent)
    assert _titles(agent) == [str(title) for _key, title, _text in DEFAULT_QUICK_REPLIES]

    created = api.post(URL, {"title": "发货时间", "text": "付款后 48 小时内发货。"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["title"], body["text"], body["built_in"]) == ("发货时间", "付款后 48 小时内发货。", False)
    assert _titles(agent)[-1] == "发货时间"

    greeting = QuickReply.objects.get(merchant=merchant, default_key="greeting")
    edited = api.put(
        f"{URL}{greeting.pk}/", {"title": "问候", "text": "您好，请问有什么可以帮您？"}, format="json"
    )
    assert edited.status_code == 200, edited.content
    assert (edited.json()["title"], edited.json()["built_in"]) == ("问候", False)
    assert api.get(f"{URL}{greeting.pk}/").json()["text"] == "您好，请问有什么可以帮您？"

    removed = api.delete(f"{URL}{body['id']}/")
    assert removed.status_code == 204
    assert "发货时间" not in _titles(agent)
    assert api.get(f"{URL}{body['id']}/").status_code == 404  # a removed reply is gone
    assert sorted(
        AuditEntry.objects.filter(action__startswith="quick_reply.").values_list("action", flat=True)
    ) == [
        "quick_reply.created",
        "quick_reply.deleted",
        "quick_reply.updated",
    ]


def test_msg_1_another_shops_quick_reply_is_a_404_and_stays_as_it_was() -> None:
    ours, theirs = cast(Merchant, MerchantFactory()), cast(Merchant, MerchantFactory())
    other = QuickReply.objects.create(merchant=theirs, title="Theirs", text="Their text", position=1)
    api = client_for(ours.owner)
    url = f"{URL}{other.pk}/"
    assert api.get(url).status_code == 404
    assert api.put(url, {"title": "Mine", "text": "Mine"}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    other.refresh_from_db()
    assert (other.title, other.text, other.deleted_at) == ("Theirs", "Their text", None)
    assert "Theirs" not in _titles(ours.owner)


def test_msg_1_a_quick_reply_without_a_title_or_a_text_is_a_400_naming_the_field() -> None:
    merchant = cast(Merchant, MerchantFactory())
    api = client_for(merchant.owner)
    missing = api.post(URL, {}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"title", "text"}
    blank = api.post(URL, {"title": "  ", "text": "x" * 1001}, format="json")
    assert blank.status_code == 400
    assert set(blank.json()["errors"]) == {"title", "text"}
    reply = QuickReply.objects.create(merchant=merchant, title="T", text="Text", position=1)
    too_long = api.put(f"{URL}{reply.pk}/", {"title": "t" * 41, "text": "ok"}, format="json")
    assert too_long.status_code == 400 and set(too_long.json()["errors"]) == {"title"}
    # nothing was written: only the reply made here (no GET seeded the built-in ones)
    assert list(QuickReply.objects.filter(merchant=merchant)) == [reply]
    reply.refresh_from_db()
    assert (reply.title, reply.text) == ("T", "Text")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.OWNER, True), (Role.OPERATIONS, True), (Role.CUSTOMER_SERVICE, True), (Role.FINANCE, False)],
)
def test_msg_1_quick_replies_in_the_api_admit_the_roles_that_answer_customers(
    role: str, allowed: bool
) -> None:
    merchant = cast(Merchant, MerchantFactory())
    user = merchant.owner if role == Role.OWNER else _member(merchant, role)
    reply = QuickReply.objects.create(merchant=merchant, title="T", text="Text", position=1)
    api = client_for(user)
    statuses = {
        api.get(URL).status_code,
        api.get(f"{URL}{reply.pk}/").status_code,
        api.put(f"{URL}{reply.pk}/", {"title": "T2", "text": "x"}, format="json").status_code,
    }
    assert statuses == ({200} if allowed else {403})


def test_msg_1_the_quick_replies_schema_documents_each_operation_with_its_errors() -> None:
    schema: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    listing, one = schema["paths"][URL], schema["paths"][URL + "{reply_id}/"]
    assert set(listing) >= {"get", "post"} and set(one) >= {"get", "put", "delete"}
    assert {"201", "400", "403"} <= set(listing["post"]["responses"])
    assert {"200", "400", "404"} <= set(one["put"]["responses"])
    assert {"204", "404"} <= set(one["delete"]["responses"])
    created = listing["post"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    output = schema["components"]["schemas"][created.rsplit("/", 1)[1]]
    assert {"id", "title", "text", "position", "built_in"} <= set(output["properties"])
    body = listing["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][body.rsplit("/", 1)[1]]["required"]) == {"title", "text"}
