"""MSG-1, SEC-2 (issue 20, item 10): contact details never get through masking.

The attacks: a phone written in full-width digits or split by spaces, dashes, dots or zero-width spaces;
an e-mail address; a WeChat id after ``微信``/``vx``/``V信`` or any ``wxid_…``; a QQ number; an 18-digit
ID number — in a message, in a dispute statement and in a complaint description, read by the other party
(API and merchant dashboard). Property tests (hypothesis) generate the spellings.
"""

import re
import unicodedata

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disputes.services.evidence import dispute_evidence_submit
from platform_core.accounts.contact_masking import mask_contact_details
from tests.conftest import client_for
from tests.factories.aftersales import completed_order, file_complaint
from tests.factories.disputes import dispute_from_refusal

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), max_size=8)
SEPARATORS = st.sampled_from(["", " ", "-", ".", "\u200b", "　", " - "])


def _digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


@st.composite
def mobiles(draw: st.DrawFn) -> tuple[str, str]:
    """(the number, how the author wrote it)."""
    number = (
        "1"
        + draw(st.sampled_from("3456789"))
        + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    )
    sep = draw(SEPARATORS)
    written = sep.join([number[:3], number[3:7], number[7:]])
    if draw(st.booleans()):
        written = written.translate(FULL_WIDTH)
    if draw(st.booleans()):
        written = draw(st.sampled_from(["+86 ", "86-", "＋８６"])) + written
    return number, written


@given(mobiles(), HAN, HAN)
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_msg_1_property_no_mobile_number_survives(mobile: tuple[str, str], before: str, after: str) -> None:
    number, written = mobile
    masked = mask_contact_details(f"{before}电话{written}{after}")
    assert number not in _digits(masked)
    assert "****" in masked


#: how each digit may be written in Chinese (lower-case, financial, the spoken 幺 and 两)
CHINESE_DIGITS = {
    "0": "零〇",
    "1": "一壹幺",
    "2": "二贰两",
    "3": "三叁",
    "4": "四肆",
    "5": "五伍",
    "6": "六陆",
    "7": "七柒",
    "8": "八捌",
    "9": "九玖",
}


@given(mobiles(), st.lists(st.integers(0, 3), min_size=11, max_size=11), HAN, HAN)
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_msg_1_property_no_mobile_number_in_chinese_numerals_survives(
    mobile: tuple[str, str], spellings: list[int], before: str, after: str
) -> None:
    number, _written = mobile
    # each digit as an ASCII digit (0) or one of its Chinese spellings; at least one Chinese
    written = "".join(
        digit if pick == 0 and i else CHINESE_DIGITS[digit][pick % len(CHINESE_DIGITS[digit])]
        for i, (digit, pick) in enumerate(zip(number, spellings, strict=True))
    )
    # (a number run on into more numerals is a longer number, as with ASCII digits: the comma ends it)
    masked = mask_contact_details(f"{before}电话{written}，{after}")
    assert written not in masked
    assert number not in _digits(masked)
    assert "****" in masked


@given(
    st.from_regex(r"\A[1-6]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d)\d{3}[\dX]\Z"),
    st.booleans(),
    HAN,
)
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_msg_1_property_no_id_number_survives(id_number: str, full_width: bool, before: str) -> None:
    written = id_number.translate(FULL_WIDTH) if full_width else id_number
    masked = mask_contact_details(f"{before}身份证{written}")
    assert id_number[:-1] not in unicodedata.normalize("NFKC", masked)
    assert _digits(id_number)[3:14] not in _digits(masked)


@given(
    st.from_regex(r"\A[a-z][a-z0-9._-]{0,15}\Z"),
    st.from_regex(r"\A[a-z0-9]{2,10}\Z"),
    st.sampled_from(["com", "cn", "com.cn", "net"]),
    st.booleans(),
    HAN,
)
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_msg_1_property_no_email_address_survives(
    local: str, domain: str, tld: str, full_width: bool, before: str
) -> None:
    address = f"{local}@{domain}.{tld}"
    written = (
        unicodedata.normalize("NFC", "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in address))
        if full_width
        else address
    )
    masked = mask_contact_details(f"{before}邮箱{written}，谢谢")
    normal = unicodedata.normalize("NFKC", masked)
    assert address not in normal
    if len(local) > 1:
        assert local not in normal.split("@")[0][-len(local) :]


@given(
    st.sampled_from(
        ["微信", "微信号", "威信", "V信", "v信", "vx", "VX", "ｖｘ", "wx", "weixin", "WeChat", "加V"]
    ),
    st.sampled_from(["", " ", ":", "：", " : ", "号", "是"]),
    st.from_regex(r"\A[a-zA-Z][a-zA-Z0-9_-]{5,19}\Z"),
)
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_msg_1_property_no_wechat_id_survives(marker: str, sep: str, wechat_id: str) -> None:
    masked = mask_contact_details(f"有事加我{marker}{sep}{wechat_id} 谢谢")
    assert wechat_id not in unicodedata.normalize("NFKC", masked)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("加我微信 wxid_k2j3h4g5 谢谢", "wxid_k2j3h4g5"),
        ("私聊 wxid_abc123", "abc123"),
        ("vx: zhangsan_88", "zhangsan_88"),
        ("V信：abc12345", "abc12345"),
        ("QQ 123456789", "123456789"),
        ("扣扣：987654321", "987654321"),
        ("邮箱 zhang.san@example.com", "zhang.san"),
        ("ｍａｉｌ：ｚｈａｎｇｓａｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "zhangsan"),
        ("身份证110101199003071234", "19900307"),
        ("手机１３９１２３４５６７８", "1234"),
        ("１３９ １２３４ ５６７８", "1234"),
        ("139\u200b1234\u200b5678", "1234"),
        ("139.1234.5678", "1234"),
        ("电话一三九一二三四五六七八", "一二三四"),
        ("幺3九 壹贰叁肆 伍陆柒捌", "壹贰叁肆"),
    ],
)
def test_msg_1_known_spellings_are_masked(text: str, secret: str) -> None:
    masked = mask_contact_details(text)
    assert secret not in unicodedata.normalize("NFKC", masked).replace("\u200b", ""), masked


@pytest.mark.parametrize(
    "text",
    [
        "市场价100元，订单号20261127",
        "价格 59.00 元，共 3 件，尺码 XL",
        "订单号 2026120712345678901234",
        "杯子有裂纹，请尽快处理！谢谢。",
        "我写信给你们 abcdefg",
        "一三五七九号楼已签收，三十一日送达",
        "第一二三四五六七八九十名",
    ],
)
def test_msg_1_ordinary_text_is_left_as_written(text: str) -> None:
    assert mask_contact_details(text) == text


# --- the other party reads it masked: messages, dispute statements, complaint descriptions ---------------

SECRET = (
    "加我微信 wxid_k2j3h4g5，电话１３９ １２３４ ５６７８，邮箱 li.si@example.com，身份证11010119900307921X"
)
LEAKS = ("k2j3h4g5", "12345678", "1234 5678", "li.si", "19900307", "１２３４")


def _assert_no_leak(text: str) -> None:
    normal = unicodedata.normalize("NFKC", text)
    for leak in LEAKS:
        assert unicodedata.normalize("NFKC", leak) not in normal, leak


@pytest.mark.django_db
def test_msg_1_message_reaches_the_shop_masked() -> None:
    order = completed_order()
    customer = client_for(order.customer)
    created = customer.post(
        "/api/v1/conversations/", {"kind": "order", "order": order.pk, "text": SECRET}, format="json"
    )
    assert created.status_code == 201, created.content
    shop = client_for(order.merchant.owner)
    seen = shop.get(f"/api/v1/merchant/conversations/{created.json()['id']}/messages/")
    assert seen.status_code == 200
    _assert_no_leak(seen.content.decode())


@pytest.mark.django_db
def test_msg_1_dispute_statement_and_reason_reach_the_shop_masked() -> None:
    order = completed_order()
    dispute = dispute_from_refusal(order)
    dispute.reason = SECRET
    dispute.save(update_fields=["reason"])
    dispute_evidence_submit(dispute=dispute, statement=SECRET, actor=order.customer)
    shop_api = client_for(order.merchant.owner).get(f"/api/v1/merchant/disputes/{dispute.pk}/")
    assert shop_api.status_code == 200
    _assert_no_leak(shop_api.content.decode())
    page = Client()
    page.force_login(order.merchant.owner, backend="platform_core.accounts.backends.PhoneOrEmailBackend")
    html = page.get(f"/merchant/disputes/{dispute.pk}/")
    assert html.status_code == 200
    _assert_no_leak(html.content.decode())
    # the author reads what they wrote
    mine = client_for(order.customer).get(f"/api/v1/disputes/{dispute.pk}/").json()
    assert mine["evidence"][0]["statement"] == SECRET and mine["reason"] == SECRET


@pytest.mark.django_db
def test_msg_1_complaint_description_reaches_the_shop_masked() -> None:
    order = completed_order()
    complaint = file_complaint(complainant=order.customer, order=order, description=SECRET)
    page = Client()
    page.force_login(order.merchant.owner, backend="platform_core.accounts.backends.PhoneOrEmailBackend")
    html = page.get(f"/merchant/complaints/{complaint.pk}/")
    assert html.status_code == 200
    _assert_no_leak(html.content.decode())
