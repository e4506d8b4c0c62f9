"""SEC (issue 20, item 11; decision 022): the bounds of what a request may carry, so that bad input is a
400 with field messages and never reaches the database as an ``integer out of range`` (a 500).

The numbers are the columns' own: a PostgreSQL ``integer`` (quantities, stock, counts), a ``bigint``
(ids), an amount of money ``numeric(12, 2)`` (``MONEY_MAX``, whole fen). JSON values (attributes) may
not carry NUL, which PostgreSQL's text and jsonb refuse. DRF fields for the API are in
``platform_core.api.fields``; the form fields here serve the merchant dashboard and the admin.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INT32_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1
MONEY_MAX_DIGITS = 12
MONEY_DECIMAL_PLACES = 2
MONEY_MAX = Decimal("9999999999.99")
MONEY_MIN = Decimal("0.01")


def contains_nul(value: Any) -> bool:
    """True when a string anywhere in ``value`` (a JSON-like tree of dicts, lists, strings) holds NUL."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def validate_no_nul(value: Any) -> None:
    """A validator (forms, models, DRF): no NUL character anywhere in the value."""
    if contains_nul(value):
        raise ValidationError(_("Null characters are not allowed."), code="null_characters_not_allowed")


class Int32FormField(forms.IntegerField):
    """A whole number a PostgreSQL ``integer`` holds (at most 2³¹−1); ``min_value`` 0 unless given."""

    def __init__(self, *, min_value: int = 0, max_value: int = INT32_MAX, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, max_value=min(max_value, INT32_MAX), **kwargs)


class MoneyFormField(forms.DecimalField):
    """An amount of money: finite, whole fen, 0.01 … 9,999,999,999.99 (``numeric(12, 2)``)."""

    def __init__(self, *, min_value: Decimal = MONEY_MIN, **kwargs: Any) -> None:
        super().__init__(
            min_value=min_value,
            max_value=MONEY_MAX,
            max_digits=MONEY_MAX_DIGITS,
            decimal_places=MONEY_DECIMAL_PLACES,
            **kwargs,
        )
