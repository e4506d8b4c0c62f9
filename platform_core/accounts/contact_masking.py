"""MSG-1, SEC-2: contact details in free text (messages, dispute statements, complaint descriptions) masked
as the other party reads them, so that no side can take the trade off the platform or learn the other's
phone, e-mail, WeChat, QQ or ID number.

What an author may do to slip a detail past a pattern is undone first: the text is matched in its NFKC
form (full-width ``１３９``, ``＠``, ``ｖｘ`` become ASCII) with format characters (zero-width spaces)
removed, and digits may be split by spaces, dashes or dots. Only the matched spans are replaced; the rest
of the text is returned exactly as written (full-width punctuation included).

Masked: mainland mobiles (``138****1234``), also written in Chinese numerals (``一三八…`` → ``138****1234``), and landlines with their area code, 18-digit resident ID
numbers (``110***********123X``), e-mail addresses (``z***@example.com``), WeChat ids after a WeChat
marker (``微信``, ``vx``, ``V信``, ``wechat`` …) and any ``wxid_…``, QQ numbers after ``QQ``/``扣扣``, and
the numbers of a street address after a province or city name. Deliberately conservative elsewhere: an
order number, a price or a date is left alone.
"""

import re
import unicodedata
from collections.abc import Callable

from platform_core.accounts.masking import mask_id_number, mask_phone

_SEP = r"[\s\-.]{0,3}"
#: an 18-digit resident ID (17 digits and a check digit or X), digits possibly grouped 6-8-4
_ID_NUMBER = re.compile(rf"(?<![0-9A-Za-z])(\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[\dXx])(?![0-9A-Za-z])")
#: mainland mobile numbers, optionally +86 / 86, digits possibly split by spaces, dashes or dots
_MOBILE = re.compile(rf"(?<![\d])(?:\+?86{_SEP})?(1{_SEP}[3-9](?:{_SEP}\d){{9}})(?![\d])")
#: a mainland mobile written (partly) in Chinese numerals, as people do to slip past a filter:
#: ``一三九一二三四五六七八``, ``幺3九 壹贰叁肆 伍陆柒捌`` (ASCII-only numbers are ``_MOBILE``'s)
_CN_DIGITS = {
    **dict.fromkeys("零〇○", "0"),
    **dict.fromkeys("一壹幺", "1"),
    **dict.fromkeys("二贰两", "2"),
    **dict.fromkeys("三叁", "3"),
    **dict.fromkeys("四肆", "4"),
    **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆", "6"),
    **dict.fromkeys("七柒", "7"),
    **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}
_CN_DIGIT = "[0-9" + "".join(_CN_DIGITS) + "]"
_MOBILE_CN = re.compile(
    rf"(?<!{_CN_DIGIT})([1一壹幺]{_SEP}[3-9三叁四肆五伍六陆七柒八捌九玖](?:{_SEP}{_CN_DIGIT}){{9}})(?!{_CN_DIGIT})"
)
#: landlines written with their area code and a dash (``010-12345678``)
_LANDLINE = re.compile(r"(?<![\d-])(0\d{2,3}-\d{7,8})(?![\d])")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*\s*@\s*([A-Za-z0-9-]+(?:\s*\.\s*[A-Za-z0-9-]+)+)"
)
#: a WeChat id after a marker (微信 / 威信 / V信 / vx / wx / weixin / wechat / 加V …), or any wxid_…
_WECHAT = re.compile(
    r"(?i)(微信号?|威信|薇信|维信|[vw]信|vx|wx|weixin|wechat|加[vw])"
    r"([\s:：=\-号是为]{0,4})"
    r"([A-Za-z][A-Za-z0-9_-]{5,19}|\d{5,15})(?![A-Za-z0-9_-])"
)
_WXID = re.compile(r"(?i)wxid_[A-Za-z0-9_-]+")
_QQ = re.compile(r"(?i)(qq|扣扣|企鹅)([\s:：=\-号是为]{0,4})(\d{5,12})(?!\d)")
#: an address starts at a province, region or city name (``广东省``, ``上海市``, ``新疆维吾尔自治区``);
#: the digits of the rest of that phrase (street and house numbers, rooms) are masked, and only when it
#: names a street, lane, building or door (``市场价100元`` is a price, not an address)
_ADDRESS = re.compile(r"([\u4e00-\u9fff]{1,8}?(?:省|自治区|特别行政区|市))([^\s，。,.;；!！?？]*)")
_DIGITS = re.compile(r"\d")
_STREET = re.compile(r"[路街道巷弄号栋幢室楼村组]")

_HIDDEN = "***"


def _id_number(match: re.Match[str]) -> str:
    return mask_id_number(re.sub(r"[^0-9Xx]", "", match.group(1)))


def _mobile(match: re.Match[str]) -> str:
    return mask_phone(re.sub(r"\D", "", match.group(1)))


def _mobile_cn(match: re.Match[str]) -> str:
    return mask_phone("".join(_CN_DIGITS.get(char, char) for char in match.group(1) if char not in " -."))


def _landline(match: re.Match[str]) -> str:
    return mask_phone(match.group(1).replace("-", ""))


def _email(match: re.Match[str]) -> str:
    domain = re.sub(r"\s", "", match.group(2))
    return f"{match.group(1)}***@{domain}"


def _hidden(_match: re.Match[str]) -> str:
    return _HIDDEN


def _wxid(_match: re.Match[str]) -> str:
    return "wxid_" + _HIDDEN


def _address(match: re.Match[str]) -> str:
    region, rest = match.group(1), match.group(2)
    if not _STREET.search(rest):
        return match.group(0)
    return region + _DIGITS.sub("*", rest)


#: (pattern, the group it replaces, its replacement) in priority order: a span one pattern claimed is not
#: matched again by a later one; a marker (``微信：``) stays as written, only the id after it is hidden
_PATTERNS: tuple[tuple[re.Pattern[str], int, Callable[[re.Match[str]], str]], ...] = (
    (_EMAIL, 0, _email),
    (_WXID, 0, _wxid),
    (_WECHAT, 3, _hidden),
    (_QQ, 3, _hidden),
    (_ID_NUMBER, 0, _id_number),
    (_MOBILE, 0, _mobile),
    (_MOBILE_CN, 0, _mobile_cn),
    (_LANDLINE, 0, _landline),
    (_ADDRESS, 0, _address),
)


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` in NFKC, format characters removed, and for each of its characters the index of the
    character of ``text`` it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if unicodedata.category(char) == "Cf":  # zero-width space, joiners, direction marks
            continue
        for normal in unicodedata.normalize("NFKC", char):
            chars.append(normal)
            origin.append(index)
    return "".join(chars), origin


def mask_contact_details(text: str) -> str:
    """MSG-1, SEC-2: ``text`` with contact details masked, as the other party reads it:
    ``电话１３９ １２３４ ５６７８`` → ``电话139****5678``; ``微信 wxid_abc123`` → ``微信 wxid_***``;
    ``上海市浦东新区世纪大道100号3室`` → ``上海市浦东新区世纪大道***号*室``."""
    if not text:
        return text
    normal, origin = _normalised(text)
    claimed: list[tuple[int, int, str]] = []  # spans of ``text`` and their replacement
    taken = [False] * len(normal)
    for pattern, group, replace in _PATTERNS:
        for match in pattern.finditer(normal):
            start, end = match.span(group)
            if start == end or any(taken[start:end]):
                continue
            replacement = replace(match)
            if replacement == match.group(group):
                continue
            for i in range(start, end):
                taken[i] = True
            claimed.append((origin[start], origin[end - 1] + 1, replacement))
    if not claimed:
        return text
    out: list[str] = []
    position = 0
    for start, end, replacement in sorted(claimed):
        if start < position:  # two normalised spans from one original character: keep the first
            continue
        out.append(text[position:start])
        out.append(replacement)
        position = end
    out.append(text[position:])
    return "".join(out)
