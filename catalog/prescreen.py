"""CAT-3: automatic pre-screening of a listing's text before human review.

Pure functions: the caller passes the active banned terms (``catalog.selectors.listing_prescreen`` reads
them). A finding names the exact phrase, the field it was found in and its character position, so the
merchant can fix it and the reviewer sees it highlighted.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, pgettext, pgettext_lazy

HARD = "hard"  # blocks submission
SOFT = "soft"  # flagged for the reviewer
MISSING = "missing"  # a required field is empty: blocks submission
PRICE = "price"  # implausible price: flagged for the reviewer

BLOCKING = frozenset({HARD, MISSING})

#: the fields a finding names, as the merchant reads them on the form (issue 22: not "title")
FIELD_LABELS = {
    "title": pgettext_lazy("listing field", "Title"),
    "description": pgettext_lazy("listing field", "Description"),
    "images": pgettext_lazy("listing field", "Images"),
    "skus": pgettext_lazy("listing field", "SKUs"),
    "price": pgettext_lazy("listing field", "Price"),
    "service_area": pgettext_lazy("listing field", "Service area"),
    "service_duration_minutes": pgettext_lazy("listing field", "Service duration"),
    "attributes": pgettext_lazy("listing field", "Attributes"),
}
_IMAGE_ALT = re.compile(r"images\[(\d+)\]\.alt")


@dataclass(frozen=True)
class Finding:
    phrase: str
    field: str
    severity: str
    position: int = -1
    reason: str = ""

    @property
    def blocks(self) -> bool:
        return self.severity in BLOCKING

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def field_label(self) -> str:
        """The field in the merchant's language ("标题", "图片 2 的说明"), the code when unknown."""
        image = _IMAGE_ALT.fullmatch(self.field)
        if image:
            return pgettext("listing field", "Image %(n)d description") % {"n": int(image[1]) + 1}
        return str(FIELD_LABELS.get(self.field, self.field))

    @property
    def reason_label(self) -> str:
        """The reason in the merchant's language: the seeded and built-in reasons are msgids; a reason
        staff typed in the admin shows as they wrote it."""
        return gettext(self.reason) if self.reason else ""


@dataclass(frozen=True)
class Term:
    phrase: str
    severity: str
    reason: str = ""


def scan_text(*, text: str, field: str, terms: Iterable[Term]) -> list[Finding]:
    """Every occurrence of every term in ``text`` (case-insensitive for Latin letters)."""
    findings: list[Finding] = []
    haystack = text.casefold()
    for term in terms:
        needle = term.phrase.casefold()
        if not needle:
            continue
        start = haystack.find(needle)
        while start != -1:
            findings.append(
                Finding(
                    phrase=term.phrase,
                    field=field,
                    severity=term.severity,
                    position=start,
                    reason=term.reason,
                )
            )
            start = haystack.find(needle, start + len(needle))
    return findings


def prescreen(
    *,
    terms: Sequence[Term],
    title: str,
    description: str,
    image_alts: Sequence[str] = (),
    images: Sequence[Any] | None = None,
    prices: Sequence[Decimal] = (),
    require_prices: bool = False,
    required_fields: Sequence[str] = (),
    present: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """All findings for one listing text, blocking ones first, then in field/position order."""
    findings = scan_text(text=title, field="title", terms=terms)
    findings += scan_text(text=description, field="description", terms=terms)
    for i, alt in enumerate(image_alts):
        findings += scan_text(text=alt, field=f"images[{i}].alt", terms=terms)

    values = {
        "title": title.strip(),
        "description": description.strip(),
        "images": list(images or []),
        **(present or {}),
    }
    for name in ("title", "description", *required_fields):
        if not values.get(name):
            findings.append(Finding(phrase="", field=name, severity=MISSING, reason=gettext_noop("required")))
    if require_prices and not prices:
        findings.append(
            Finding(phrase="", field="skus", severity=MISSING, reason=gettext_noop("at least one priced SKU"))
        )
    for price in prices:
        if price <= 0:
            findings.append(
                Finding(
                    phrase=str(price),
                    field="price",
                    severity=MISSING,
                    reason=gettext_noop("price must be positive"),
                )
            )
        elif price < settings.CATALOG_PRICE_ABSURD_BELOW or price > settings.CATALOG_PRICE_ABSURD_ABOVE:
            findings.append(
                Finding(
                    phrase=str(price), field="price", severity=PRICE, reason=gettext_noop("implausible price")
                )
            )
    return sorted(findings, key=lambda f: (not f.blocks, f.field, f.position))


def highlight(text: str, findings: Iterable[dict[str, Any]], field: str) -> SafeString:
    """HTML of ``text`` with the findings in ``field`` wrapped in <mark> (for the review queue)."""
    spans = sorted(
        (f["position"], f["position"] + len(f["phrase"]))
        for f in findings
        if f.get("field") == field and f.get("phrase") and f.get("position", -1) >= 0
    )
    out: list[str] = []
    cursor = 0
    for start, end in spans:
        if start < cursor:
            continue  # overlapping terms ("100%" inside "100%有效"): the first wins
        out.append(escape(text[cursor:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    out.append(escape(text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308  every piece of user text above is escaped
