"""Issue 21, "The console speaks the operator's language" (STF, OPS: the staff's own interface; decision 034).

A staff member signed in with the second factor, in the platform's default language (zh-hans), opens every
changelist, add page and change page of every admin registered for the project's own apps (one object
each, made by the console's seed and the factories). The page fails when its chrome — app and model
names, column headers, field labels, filter titles and choices, fieldset and inline captions, buttons,
actions, breadcrumbs — shows:

- the English text of a msgid of the project's catalogue that has a Chinese translation (the string was
  translated at import time, or not passed through gettext at all);
- an English word (a name Django derived from an identifier: "Penaltys", "Status", "Time left", a raw
  transition such as ``start_review`` or ``ban``) — the walk does not trust the catalogue to know it;
- "None" in a form, or a duration in the English shorthand ("2d 23h").

A miss of gettext (a msgid looked up while rendering that the catalogue does not translate) is recorded too.

Object names (issue 21, decision 046) are checked too, on the change page, its history page and its delete
confirmation: the breadcrumbs' last item, the titles and every text on the page must not be the English
form of a translated msgid with placeholders ("Order 2026…" for "Order %(number)s"), and a name may hold no
English word that is not the object's own data (its fields' values and those of the rows it points to).
"""

import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import trans_real
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from orders.models import Order
from platform_core.accounts.models import User
from platform_core.verbose_names import PROJECT_PACKAGES
from tests.factories.accounts import DEFAULT_PASSWORD, UserFactory
from tests.factories.orders import paid_order
from tests.platform_core.console.seed import seed_queues

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform_default_language")]

PO = Path(django_settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
#: Latin words a Chinese page may show: abbreviations and names that are not translated
ALLOWED_WORDS = {"ID", "SKU", "IP", "URL", "API", "PDF", "CSV", "XLSX", "OTP", "TOTP", "KPI", "GMV", "CNY"}
ALLOWED_WORDS |= {
    "Email",
    "HTML",
    "JSON",
    "PNG",
    "JPEG",
    "Alipay",
    "WeChat",
    "Pay",
    "SMS",
    "Web",
    "Worker",
    "Beat",
}
#: reference data named in both languages ("运营推广部 / Operations"): the Chinese name comes first
BILINGUAL = re.compile(r"^[^A-Za-z]*[\u4e00-\u9fff][^A-Za-z]* / ")
#: tags whose text is the page's own wording, not data
CHROME_TAGS = {"th", "label", "caption", "h1", "h2", "h3", "button", "legend", "option", "title"}
WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
RULE_ID = re.compile(r"\b[A-Z]{2,4}-\d+[a-z]?\b")
ENGLISH_DURATION = re.compile(r"\b\d+ ?[dhm] \d+ ?[hm]\b|\b\d+(d|h|m|min)\b")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


class _Chrome(HTMLParser):
    """The texts of a page's chrome: CHROME_TAGS' text, submit buttons' values, the breadcrumbs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.visible: list[str] = []  # every text a reader sees (the cells too), for the durations
        self._stack: list[tuple[str, bool]] = []
        self._data_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "input" and attributes.get("type") == "submit" and attributes.get("value"):
            self.texts.append(str(attributes["value"]))
        if tag in ("input", "br", "img", "meta", "link", "hr"):
            return
        # the value of a read-only field and a row's cells are data (a merchant's name, a tracking number)
        data = (
            tag in ("td", "code")  # a row's cells; a task's or a report's code name beside its title
            or (tag == "th" and any(c.startswith("field-") for c in classes))  # a row's first cell
            or "readonly" in classes
        )
        chrome = tag in CHROME_TAGS or "breadcrumbs" in classes
        self._stack.append((tag, data))
        self._data_depth += data
        if chrome:
            self._stack[-1] = (tag + ":chrome", data)

    def _in(self, tag: str) -> bool:
        return any(name.split(":")[0] == tag for name, _data in self._stack)

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            name, data = self._stack.pop()
            self._data_depth -= data
            if name.split(":")[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        text = data.strip()
        if text and not self._in("script") and not self._in("style"):
            self.visible.append(text)
        if text and not self._data_depth and any(name.endswith(":chrome") for name, _d in self._stack):
            self.texts.append(text)


def _parsed(html: str) -> _Chrome:
    parser = _Chrome()
    parser.feed(html)
    return parser


def _translated_msgids() -> set[str]:
    """The project catalogue's msgids (with our source references) that have a Chinese translation."""
    text = PO.read_text(encoding="utf-8")
    found = set()
    for entry in text.split("\n\n"):
        if "#: " not in entry or "msgctxt" in entry or "msgid_plural" in entry:
            continue
        match = re.search(r'^msgid "(.*)"\nmsgstr "(.+)"$', entry, re.M)
        if match and re.search(r"[A-Za-z]{3}", match.group(1)) and match.group(1) != match.group(2):
            found.add(match.group(1).replace('\\"', '"'))
    return found


#: the English shapes of object names, by the longest word of each shape (a text is tried only on the shapes
#: whose word it contains: fast enough for every text of every page)
NameShapes = dict[str, list[re.Pattern[str]]]


def _english_names(msgids: set[str]) -> NameShapes:
    """Issue 21: the English form of every translated msgid with named placeholders and words of its own
    ("Order %(number)s", "Dispute #%(id)s (%(status)s)"): an object name that was not translated."""
    shapes: NameShapes = {}
    for msgid in msgids:
        words = WORD.findall(PLACEHOLDER.sub(" ", msgid))
        if PLACEHOLDER.search(msgid) and any(len(w) >= 3 for w in words):
            shape = re.compile(r"(?:.+?)".join(re.escape(piece) for piece in PLACEHOLDER.split(msgid)))
            shapes.setdefault(max(words, key=len), []).append(shape)
    return shapes


def _is_english_name(text: str, names: NameShapes) -> bool:
    return any(shape.fullmatch(text) for word in set(WORD.findall(text)) for shape in names.get(word, ()))


def _data_words(obj: Model | None, depth: int = 2) -> set[str]:
    """The words of ``obj``'s own data (its fields' values, and those of the rows it points to): a name may
    show them ("user@example.com", a listing's title), they are not the page's wording."""
    words: set[str] = set()
    if obj is None:
        return words
    for field in obj._meta.concrete_fields:
        words |= set(WORD.findall(str(getattr(obj, field.attname, ""))))
        if field.is_relation and depth:
            words |= _data_words(getattr(obj, field.name, None), depth - 1)
    return words


def _problems(
    url: str,
    html: str,
    msgids: set[str],
    obj: Model | str | None = None,
    names: NameShapes | None = None,
) -> list[str]:
    """What is not Chinese on the page's chrome and in the object's name (issue 21). ``obj``: the page's
    object (its data words are allowed in its name), or only its name; ``names``: ``_english_names``."""
    names = names or _english_names(msgids)
    problems = []
    page = _parsed(html)
    obj_name = str(obj) if obj is not None else ""
    data = set(WORD.findall(obj)) if isinstance(obj, str) else _data_words(obj)
    for text in page.texts:
        if BILINGUAL.match(text):
            continue
        if text in msgids:
            problems.append(f"{url}: untranslated msgid {text!r}")
            continue
        # the breadcrumbs' last item and the titles carry the object's name: its data words are allowed
        named = text.startswith("›") or (obj_name and obj_name in text)
        words = [w for w in WORD.findall(RULE_ID.sub("", text)) if w not in ALLOWED_WORDS]
        words = [w for w in words if w not in data] if named else words
        if words:
            problems.append(f"{url}: English {text!r}")
    for text in page.visible:  # an object's name anywhere on the page (a link, a column, a deleted row)
        for part in text.removeprefix("›").split(" | "):
            if _is_english_name(part.strip(), names):
                problems.append(f"{url}: English object name {part.strip()!r}")
    if re.search(r'value="None"|>None<', html):
        problems.append(f"{url}: None in a form")
    problems += [f"{url}: English duration {t!r}" for t in page.visible if ENGLISH_DURATION.search(t)]
    return problems


def _project_admins() -> list[tuple[type[Model], Any]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_config.name.split(".")[0] in PROJECT_PACKAGES
    ]


def _signed_in(settings: Any, user: User) -> Client:
    """SEC-3: password and a TOTP token."""
    settings.STAFF_REQUIRE_OTP = True
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    client = Client()
    token = f"{totp.token():0{device.digits}d}"
    login = {"username": user.email, "password": DEFAULT_PASSWORD}
    response = client.post("/admin/login/", {**login, "otp_device": device.persistent_id, "otp_token": token})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def gettext_misses(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Every message looked up in Chinese that the catalogues (ours, Django's, the libraries') lack."""
    misses: set[str] = set()
    original = trans_real.gettext

    def recording(message: str) -> str:
        result = original(message)
        if result == message and trans_real.get_language() == "zh-hans" and WORD.search(message):
            misses.add(message)
        return result

    # django.utils.translation caches trans_real's functions on its ``_trans`` object: replace it there
    monkeypatch.setattr(translation._trans, "gettext", recording, raising=False)  # type: ignore[attr-defined]
    yield misses


def _walk(settings: Any, *, pages: tuple[str, ...]) -> tuple[Client, list[str], dict[str, Model | None]]:
    """A signed-in superuser over the console's seed, and the admin URLs of ``pages`` ("changelist", "add",
    "change", "history", "delete") of every project admin, each with its object (one per admin)."""
    seed_queues(1)
    paid_order()
    user = UserFactory.create(is_staff=True, is_superuser=True)
    client = _signed_in(settings, user)
    urls = [reverse("admin:index")] if "changelist" in pages else []
    objects: dict[str, Model | None] = {}
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in _project_admins():
        info = model._meta.app_label, model._meta.model_name
        if "changelist" in pages:
            urls.append(reverse("admin:app_list", args=[model._meta.app_label]))
        # the admin's own queryset: a queue (a proxy) shows only its own items
        first = model_admin.get_queryset(request).order_by("pk").first() if model._meta.managed else None
        for page in pages:
            per_object = page in ("change", "history", "delete")
            if per_object and first is None:
                continue
            args = [first.pk] if per_object and first is not None else []
            try:  # a page some admins do not have (the reports admin has no add page)
                url = reverse(f"admin:{info[0]}_{info[1]}_{page}", args=args)
            except NoReverseMatch:
                continue
            urls.append(url)
            objects[url] = first if args else None
    return client, list(dict.fromkeys(urls)), objects


@pytest.mark.timeout(1200)  # some 300 admin pages, each checked: slow on a loaded machine
def test_stf_console_every_admin_page_speaks_zh_hans(settings, gettext_misses) -> None:
    client, urls, objects = _walk(settings, pages=("changelist", "add", "change"))
    msgids = _translated_msgids()
    names = _english_names(msgids)
    problems: list[str] = []
    pages = 0
    for url in urls:  # grows with the transition forms found on the way
        response = client.get(url)
        if response.status_code == 403:  # an add page the model does not offer (MER-1: admitted, not added)
            continue
        assert response.status_code == 200, (url, response.status_code)
        pages += 1
        # each transition's own form (a reason, a note): a button without a form answers 400
        for name in re.findall(r'name="_fsm_transition_to"\s+value="(\w+)"', response.content.decode()):
            form_url = url.removesuffix("change/") + f"transition/{name}/"
            if form_url not in urls and client.get(form_url).status_code == 200:
                urls.append(form_url)
                objects[form_url] = objects.get(url)
        with translation.override("zh-hans"):
            problems += _problems(url, response.content.decode(), msgids, objects.get(url), names)
    assert pages > 150 and any("/transition/" in url for url in urls)  # the reason forms were walked too
    assert problems == []
    assert sorted(gettext_misses) == []


@pytest.mark.timeout(1200)  # some 300 admin pages, each checked: slow on a loaded machine
def test_stf_console_object_names_speak_zh_hans_on_history_and_delete_pages(settings, gettext_misses) -> None:
    """Issue 21: each object's history page and delete confirmation (with the related rows it would delete)
    name it, and those rows, in Chinese."""
    client, urls, objects = _walk(settings, pages=("history", "delete"))
    msgids = _translated_msgids()
    names = _english_names(msgids)
    problems: list[str] = []
    pages = deletes = 0
    for url in urls:
        response = client.get(url)
        if response.status_code == 403:  # a delete page the model does not offer (most are kept for good)
            continue
        assert response.status_code == 200, (url, response.status_code)
        pages += 1
        deletes += url.endswith("/delete/")
        with translation.override("zh-hans"):
            problems += _problems(url, response.content.decode(), msgids, objects.get(url), names)
    assert problems == []
    assert pages > 25 and deletes >= 1, (pages, deletes)  # few admins may delete (the user, a holiday …)
    assert sorted(gettext_misses) == []


def test_stf_console_view_site_link_goes_somewhere_real(settings) -> None:
    client = _signed_in(settings, UserFactory.create(is_staff=True, is_superuser=True))
    html = client.get("/admin/").content.decode()
    link = re.search(r'<a href="([^"]+)">查看站点</a>', html)
    assert link is not None, html[:3000]
    page = Client().get(link.group(1), follow=True)
    assert page.status_code == 200 and "登录卖家中心" in page.content.decode()  # the seller centre's sign-in


def test_stf_console_walk_fails_on_an_english_object_name(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 21: the walk's check bites on an object name in English (``Order.__str__`` reverted) on the
    change page (breadcrumbs, title), the history page and the delete confirmation."""
    order = paid_order()
    client = _signed_in(settings, UserFactory.create(is_staff=True, is_superuser=True))
    msgids = _translated_msgids()
    names = _english_names(msgids)
    change = reverse("admin:orders_order_change", args=[order.pk])
    pages = [change, change.removesuffix("change/") + "history/"]

    def walk() -> list[str]:
        problems = []
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            with translation.override("zh-hans"):
                problems += _problems(url, response.content.decode(), msgids, order, names)
        return problems

    assert walk() == []
    monkeypatch.setattr(Order, "__str__", lambda self: f"Order {self.number}")
    problems = walk()
    assert any(f"English object name 'Order {order.number}'" in p for p in problems), problems
    assert all(any(p.startswith(url) for p in problems) for url in pages)
