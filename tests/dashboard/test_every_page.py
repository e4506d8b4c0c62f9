"""Issue 22: every seller-centre page, Chinese first and money to the fen.

The tests walk the ``/merchant/`` URL patterns (so a page added later is walked too) and render every page
that answers GET — one object of a busy shop for each route that names one — as the shop's owner whose
browser asks for Simplified Chinese, then read what a person would see:

- ``test_i18n_every_page_is_chinese``: no message the page looked up is missing from the zh-hans
  catalogue (the gettext functions are watched while the page renders), and no raw state or action code
  (``pending_payment``, ``placed``) shows as text;
- ``test_money_every_figure_has_two_decimals``: every ``¥`` figure has exactly two decimals, and no
  number with more (``179.700000000000``) shows at all.

A route whose path names an object by a parameter this module does not know fails the walk: add the
parameter to ``OBJECTS`` (a function of the busy shop returning the objects to render).
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from django.utils.translation import trans_real

from aftersales.models import AfterSalesRequest
from aftersales.services.conversations import conversation_start
from aftersales.services.quick_replies import quick_replies_seed_defaults
from catalog.models import Category, Listing
from disputes.models import Dispute
from disputes.services.evidence import dispute_evidence_submit
from merchants.models import Merchant, MerchantMember
from merchants.services.members import merchant_member_invite
from merchants.services.reverification import reverification_open
from merchants.services.violations import violation_record
from orders.models import Order, PayoutStatement
from orders.services.delivery import order_delivery_stalled
from orders.services.fulfilment import order_ship
from orders.services.payments import deposit_pay_start
from orders.services.settlement import order_escrow_hold
from platform_core import clock
from platform_core.notifications.services import notify
from platform_core.timeline import TimelineEvent
from tests.dashboard.conftest import client_as, member_of
from tests.factories.accounts import CustomerFactory
from tests.factories.aftersales import file_complaint
from tests.factories.catalog import CategoryFactory, draft_listing, ip_notice_taken_down
from tests.factories.orders import review_for

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


# --- the busy shop: one or more objects for every parameter a dashboard path names ----------------------


@dataclass
class Shop:
    merchant: Merchant
    objects: dict[str, list[Any]] = field(default_factory=dict)


def _pk(obj: Any) -> Any:
    return obj.pk


#: path parameter -> (the objects of the busy shop to render, how the path names one)
OBJECTS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "order_id": ("orders", _pk),
    "listing_id": ("listings", _pk),
    "sku_id": ("skus", _pk),
    "request_id": ("requests", _pk),
    "complaint_id": ("complaints", _pk),
    "dispute_id": ("disputes", _pk),
    "proposal_id": ("proposals", _pk),
    "statement_id": ("statements", _pk),
    "violation_id": ("violations", _pk),
    "member_id": ("members", _pk),
    "invitation_id": ("invitations", _pk),
    "case_id": ("delivery_cases", _pk),
    "out_trade_no": ("deposit_payments", lambda p: p.out_trade_no),
    "conversation_id": ("conversations", _pk),
    "review_id": ("reviews", _pk),
    "notice_id": ("ip_notices", _pk),
    "notification_id": ("notifications", _pk),
    "file_number": ("file_numbers", lambda n: n),  # CAT-7: a counter-notice's evidence file, from 1
    "reply_id": ("quick_replies", _pk),  # MSG-1: the shop's quick replies
}


@pytest.fixture
def busy_shop(
    platform_default_language: str,  # what the services write (reasons, notes) is in the platform's language
    shop: Merchant,
    category: Category,
    make_listing: Callable[..., Listing],
    make_paid_order: Callable[..., Order],
    make_completed_order: Callable[..., Order],
    make_request: Callable[..., AfterSalesRequest],
    make_dispute: Callable[[], Dispute],
) -> Shop:
    """A shop with something on every page: orders in several states and their timelines, a draft with
    a banned phrase, an after-sales request, a complaint, a dispute with evidence, a stalled parcel, a
    violation, members and an invitation, a statement, a deposit payment and a re-verification."""
    listing = make_listing()
    draft = draft_listing(merchant=shop, category=category, title="最佳保温杯 500ml")  # CAT-3: a soft term
    paid = make_paid_order()
    order_escrow_hold(order=paid, reason="售后处理中", subject=paid)
    completed = make_completed_order()
    request = make_request()
    complaint = file_complaint(complainant=request.customer, order=request.order)
    dispute = make_dispute()
    dispute_evidence_submit(dispute=dispute, statement="收到的商品有破损", actor=dispute.order.customer)
    stalled = make_paid_order()
    order_ship(order=stalled, carrier="SF", tracking_number=f"SF{stalled.pk:010d}", actor=shop.owner)
    case = order_delivery_stalled(order=stalled)
    violation = violation_record(
        merchant=shop, kind="late_shipment", evidence={"note": "超时"}, source="system"
    )
    member_of(shop, "operations")
    member = MerchantMember.objects.filter(merchant=shop).exclude(user=shop.owner).first()
    invitee = CustomerFactory.create()
    invitation = merchant_member_invite(merchant=shop, login=invitee.phone, role="finance", actor=shop.owner)
    statement = PayoutStatement.objects.create(
        merchant=shop,
        period=clock.localdate() - timedelta(days=1),
        gross=Decimal("179.7"),
        commission=Decimal("8.985"),
        net=Decimal("170.7"),
    )
    deposit_category = CategoryFactory.create(name="茶具", deposit_amount=Decimal("100"))
    shop.categories.add(deposit_category)
    payment = deposit_pay_start(
        merchant=shop, category_id=deposit_category.pk, provider="sandbox", actor=shop.owner
    )
    reverification_open(merchant=shop)
    asker = CustomerFactory.create()
    conversation = conversation_start(
        customer=asker, kind="presale", text="请问有现货吗？", listing_id=listing.pk, actor=asker
    )
    review = review_for(completed, rating=2, text="包装破损")
    notice = ip_notice_taken_down(make_listing())
    (notification,) = notify(recipient=shop.owner, event="order_paid", title="订单已付款", body="订单已付款")
    return Shop(
        merchant=shop,
        objects={
            "orders": [paid, completed, stalled],
            "listings": [listing, draft],
            "skus": [listing.skus.first()],
            "requests": [request],
            "complaints": [complaint],
            "disputes": [dispute],
            "proposals": [],
            "statements": [statement],
            "violations": [violation],
            "members": [member],
            "invitations": [invitation],
            "delivery_cases": [case],
            "deposit_payments": [payment],
            "conversations": [conversation],
            "reviews": [review],
            "ip_notices": [notice],
            "notifications": [notification],
            "file_numbers": [1],
            "quick_replies": quick_replies_seed_defaults(merchant=shop)[:2],
        },
    )


# --- the walk -----------------------------------------------------------------------------------------

#: pages that differ by query string (a filter per state, the list's other tabs)
EXTRA_QUERIES = {
    "orders": ["?filter=all", *[f"?filter={s}" for s in Order.Status.values]],
    "aftersales": ["?filter=all"],
    "disputes": ["?filter=all"],
    "listings": ["?status=draft", "?status=approved"],
}
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def _dashboard_routes() -> list[tuple[str, URLPattern]]:
    return [(route, p) for route, p in _walk(get_resolver().url_patterns) if route.startswith("merchant/")]


def _fill(route: str, values: dict[str, Any]) -> str:
    return "/" + PARAM.sub(lambda m: str(values[m.group(1)]), route)


def _paths(client: Client, shop: Shop) -> Iterator[str]:
    """Every GET page of the dashboard: each route once per object of the shop it may name."""
    unknown = []
    for route, pattern in _dashboard_routes():
        params = PARAM.findall(route)
        if not params:
            yield _fill(route, {})
            yield from (_fill(route, {}) + q for q in EXTRA_QUERIES.get(str(pattern.name), []))
            continue
        probe = _fill(route, dict.fromkeys(params, 999999))
        if client.get(probe, **ZH).status_code == 405:  # an action: POST only
            continue
        missing = [p for p in params if p not in OBJECTS]
        if missing:
            unknown.append(f"{pattern.name} ({', '.join(missing)})")
            continue
        choices = [shop.objects[OBJECTS[p][0]] for p in params]
        for i in range(max(len(c) for c in choices)):
            values = {p: OBJECTS[p][1](c[min(i, len(c) - 1)]) for p, c in zip(params, choices, strict=True)}
            yield _fill(route, values)
    assert not unknown, (
        f"dashboard GET pages naming objects this walk cannot build; add to OBJECTS: {unknown}"
    )


class _VisibleText(HTMLParser):
    """The text a person sees: text nodes outside <script>/<style>, and the title and placeholder texts.
    A file format's sample or a payload to copy (<pre>, <code>) is shown as the machine reads it."""

    HIDDEN = {"script", "style", "pre", "code"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.samples: list[str] = []  # the text of <pre>/<code>: a file format's column names, a payload
        self._hidden = 0
        self._sample = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag in {"pre", "code"}:
            self._sample += 1
        for name, value in attrs:
            if name in {"title", "placeholder", "aria-label", "alt"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        if tag in {"pre", "code"}:
            self._sample = max(self._sample - 1, 0)

    def handle_data(self, data: str) -> None:
        if self._sample:
            self.samples.append(data)
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> tuple[str, set[str]]:
    """The visible text, and the words of its samples (a column name the page's sample shows may be named
    in the text too: "a CSV file with the columns sku_id, stock")."""
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts), set(WORD.findall(" ".join(parser.samples)))


@dataclass
class Rendered:
    path: str
    text: str
    sample_words: set[str]
    untranslated: list[str]


@contextmanager
def _watch_gettext() -> Iterator[list[str]]:
    """Every message looked up while the block runs that the active language's catalogue lacks."""
    missed: list[str] = []
    trans = translation._trans  # type: ignore[attr-defined]
    real = {name: getattr(trans, name) for name in ("gettext", "pgettext", "ngettext", "npgettext")}

    def lacks(key: Any, text: str) -> None:
        if translation.get_language() in (None, "en") or not re.search("[A-Za-z]", text):
            return
        catalog = trans_real.translation(translation.get_language())._catalog  # type: ignore[attr-defined]
        if key not in catalog:
            missed.append(text)

    def gettext(message: str) -> str:
        lacks(message, message)
        return real["gettext"](message)

    def pgettext(context: str, message: str) -> str:
        lacks(f"{context}\x04{message}", message)
        return real["pgettext"](context, message)

    def ngettext(singular: str, plural: str, number: int) -> str:
        lacks((singular, 0), singular)
        return real["ngettext"](singular, plural, number)

    def npgettext(context: str, singular: str, plural: str, number: int) -> str:
        lacks((f"{context}\x04{singular}", 0), singular)
        return real["npgettext"](context, singular, plural, number)

    watched = {"gettext": gettext, "pgettext": pgettext, "ngettext": ngettext, "npgettext": npgettext}
    for name, fn in watched.items():
        setattr(trans, name, fn)
    try:
        yield missed
    finally:
        for name, fn in real.items():
            setattr(trans, name, fn)


def _render_all(shop: Shop) -> list[Rendered]:
    client = client_as(shop.merchant.owner)
    anonymous = Client()
    pages: list[Rendered] = []
    seen: set[str] = set()
    for path in _paths(client, shop):
        for who in (client, anonymous):
            with _watch_gettext() as missed:
                response = who.get(path, **ZH)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            key = f"{path} ({'owner' if who is client else 'anonymous'})"
            if key in seen:
                continue
            seen.add(key)
            text, sample_words = visible_text(response.content.decode())
            pages.append(Rendered(key, text, sample_words, sorted(set(missed))))
    assert len(pages) > 20, [p.path for p in pages]  # the walk reached the pages, not only redirects
    return pages


# --- what must not show -------------------------------------------------------------------------------


def _codes() -> set[str]:
    """Every state code of the project's models and every timeline action code."""
    codes: set[str] = set()
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in {"orders", "aftersales", "disputes", "catalog", "merchants"}:
            continue
        for f in model._meta.get_fields():
            if isinstance(f, models.Field) and f.name in {"status", "state", "action"} and f.choices:
                codes |= {str(value) for value, _ in f.flatchoices}
        if issubclass(model, TimelineEvent):
            codes |= set(model.action_labels)
    return codes


SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
WORD = re.compile(r"[A-Za-z_]+")


def test_i18n_every_page_is_chinese(busy_shop: Shop) -> None:
    """Issue 22: every dashboard page in zh-hans: no msgid without a translation, no raw code shown."""
    codes = _codes()
    problems = []
    for page in _render_all(busy_shop):
        if page.untranslated:
            problems.append(f"{page.path}: untranslated {page.untranslated}")
        raw = sorted(
            (set(SNAKE.findall(page.text)) | {w for w in WORD.findall(page.text) if w in codes})
            - page.sample_words
        )
        if raw:
            problems.append(f"{page.path}: raw codes {raw}")
    assert not problems, "\n".join(problems)


def test_i18n_language_switch_names_each_language_in_itself(busy_shop: Shop) -> None:
    """Issue 22: the switch says 简体中文 / English in either language (not "英语")."""
    html = client_as(busy_shop.merchant.owner).get("/merchant/", **ZH).content.decode()
    assert ">简体中文</option>" in html and ">English</option>" in html and "英语" not in html


MONEY = re.compile(r"¥\s*(-?[\d,]*\.?\d*)(?:\s*[–-]\s*(-?[\d,]*\.?\d*))?")
LONG_DECIMAL = re.compile(r"\d+\.\d{3,}")
TWO_DECIMALS = re.compile(r"-?\d[\d,]*\.\d{2}")


def test_money_every_figure_has_two_decimals(busy_shop: Shop) -> None:
    """Issue 22: money shows as yuan and fen on every page ("¥179.70", never "¥179.700000000000")."""
    problems = []
    figures = 0
    for page in _render_all(busy_shop):
        for match in MONEY.finditer(page.text):
            for amount in filter(None, match.groups()):
                figures += 1
                if not TWO_DECIMALS.fullmatch(amount):
                    problems.append(f"{page.path}: {match.group(0)!r}")
        problems += [f"{page.path}: {m!r}" for m in LONG_DECIMAL.findall(page.text)]
    assert figures > 20  # the pages showed money
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (179.7, "179.70"),  # SQLite's SUM of a decimal column is a float
        ("179.700000000000", "179.70"),
        (Decimal("100.00") * Decimal("1.50"), "150.00"),  # a product carries four decimals
        (Decimal("59"), "59.00"),
        (Decimal("0.005"), "0.01"),  # half a fen rounds away from zero
        (0, "0.00"),
        (None, ""),
    ],
)
def test_money_filter_always_two_decimals(value: object, shown: str) -> None:
    """Issue 22: ``{{ amount|money }}`` is the one way a page shows money."""
    from platform_core.templatetags.money import money

    assert money(value) == shown
