"""Identity validators shared by every app."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
