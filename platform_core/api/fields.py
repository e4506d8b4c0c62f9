"""SEC (issue 20, item 11; decision 022): reusable serializer fields with the database's bounds, so an
out-of-range number, a non-finite or over-long amount, or NUL in a JSON value is a 400 with a field
message (never a 500 from the database). Bounds in ``platform_core.bounds``."""

from typing import Any

from rest_framework import serializers

from platform_core.bounds import (
    BIGINT_MAX,
    INT32_MAX,
    MONEY_DECIMAL_PLACES,
    MONEY_MAX,
    MONEY_MAX_DIGITS,
    MONEY_MIN,
    validate_no_nul,
)


class Int32Field(serializers.IntegerField):
    """A whole number a PostgreSQL ``integer`` holds: −2³¹ … 2³¹−1 (narrower bounds may be given)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["max_value"] = min(kwargs.get("max_value", INT32_MAX), INT32_MAX)
        kwargs["min_value"] = max(kwargs.get("min_value", -INT32_MAX - 1), -INT32_MAX - 1)
        super().__init__(**kwargs)


class PositiveInt32Field(Int32Field):
    """A quantity or a count: 1 … 2³¹−1 by default (``min_value=0`` for stock)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class IdField(serializers.IntegerField):
    """A primary key: 1 … 2⁶³−1 (a bigger number is a 400, not a ``bigint out of range``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)


class MoneyField(serializers.DecimalField):
    """An amount of money: finite (no ``NaN``/``Infinity``), whole fen, 0.01 … 9,999,999,999.99 by default."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", MONEY_MIN)
        kwargs.setdefault("max_value", MONEY_MAX)
        super().__init__(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs)


class NulFreeDictField(serializers.DictField):
    """A JSON object (e.g. a SKU's attributes) whose keys and strings hold no NUL."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(validate_no_nul)


class SlugOrIdRelatedField(serializers.SlugRelatedField):
    """Issue 24: an object named by its slug — the one identifier the API returns — or, for clients written
    before, by its numeric id. Answers the slug, so a value read can be sent back as it is."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int) or (isinstance(data, str) and data.isascii() and data.isdigit()):
            queryset = self.get_queryset()
            assert queryset is not None  # a writable field has one
            number = int(data)
            if not 0 < number <= BIGINT_MAX:
                self.fail("does_not_exist", slug_name="id", value=str(data))
            try:
                return queryset.get(pk=number)
            except queryset.model.DoesNotExist:
                self.fail("does_not_exist", slug_name="id", value=str(data))
        return super().to_internal_value(data)
