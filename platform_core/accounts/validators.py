"""Identity validators shared by every app."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from platform_core import clock

# Mainland China mobile numbers: 11 digits, 1[3-9]x, optionally written with +86.
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_mobile(value: str) -> str:
    """Strip spaces, dashes and a +86 / 0086 prefix: '+86 138-0013-8000' -> '13800138000'."""
    digits = re.sub(r"[\s-]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_mainland_mobile(value: str) -> None:
    if not _MOBILE_RE.match(normalise_mobile(value)):
        raise ValidationError(
            _(
                "请输入有效的中国大陆手机号码（11位，以13–19开头）。Enter a valid mainland China mobile number."
            ),
            code="invalid_mobile",
        )


def looks_like_mobile(value: str) -> bool:
    return bool(_MOBILE_RE.match(normalise_mobile(value)))


# --- USR-2: 18-digit resident identity card number (GB 11643-1999) -------------------------------------

_RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")
# ISO 7064 MOD 11-2: weight of position i is 2^(17-i) mod 11; the check character indexes "10X98765432".
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARS = "10X98765432"
# Birth years that are plausible for a living person holding an 18-digit ID (issued since 1999).
RESIDENT_ID_EARLIEST_BIRTH_YEAR = 1900


def normalise_resident_id(value: str) -> str:
    """Strip spaces and upper-case a trailing ``x``: ``'11010519491231002x '`` → ``'11010519491231002X'``."""
    return re.sub(r"\s", "", value or "").upper()


def resident_id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def validate_resident_id(value: str) -> None:
    """USR-2: an 18-digit resident ID number with a plausible birth date and a correct check character."""
    from datetime import date

    number = normalise_resident_id(value)
    if not _RESIDENT_ID_RE.match(number):
        raise ValidationError(
            _("The ID number must have 18 characters: 17 digits followed by a digit or X."),
            code="invalid_id_number_format",
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < RESIDENT_ID_EARLIEST_BIRTH_YEAR or born > clock.localdate():
        raise ValidationError(
            _("The ID number does not contain a valid date of birth (characters 7 to 14, YYYYMMDD)."),
            code="invalid_id_number_birth_date",
        )
    if resident_id_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The ID number's last character does not match its check digit: please check for a typo."),
            code="invalid_id_number_checksum",
        )
