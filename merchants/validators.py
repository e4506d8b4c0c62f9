"""Validators for merchant data (MER-1)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: GB 32100-2015: the 31 characters of the code (no I, O, Z, S, V) and the weights of positions 1-17.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_digit(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015): 31 - (Σ value·weight mod 31), 31 → 0."""
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """MER-1: 18 characters from the GB 32100-2015 charset with a correct check digit."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="credit_code_length",
            params={"n": len(code)},
        )
    bad = sorted({c for c in code if c not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(chars)s (I, O, Z, S and V are never used)."),
            code="credit_code_charset",
            params={"chars": ", ".join(bad)},
        )
    expected = credit_code_check_digit(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check digit of this unified social credit code is wrong: typed %(got)s, expected %(want)s."
            ),
            code="credit_code_checksum",
            params={"got": code[17], "want": expected},
        )
