"""Money amounts: two decimal places (yuan and fen), one definition for every app."""

from decimal import ROUND_HALF_UP, Decimal

#: The smallest amount of money (one fen); every amount is a whole number of it.
CENT = Decimal("0.01")


def money_round(value: Decimal) -> Decimal:
    """A computed amount (a share, a percentage) rounded to the fen, halves away from zero."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_from(value: object) -> Decimal:
    """A database aggregate (``None`` for no rows, a ``Decimal``, an int) as an amount of money."""
    return Decimal(str(value or 0)).quantize(CENT)


def is_whole_cents(amount: Decimal) -> bool:
    """True when ``amount`` has no fraction of a fen (e.g. ``1.005`` is refused)."""
    return amount == amount.quantize(CENT)
