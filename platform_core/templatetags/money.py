"""Money in templates: ``{% load money %}¥{{ order.total|money }}`` always shows two decimals (yuan and
fen), whatever the database handed back (a ``Decimal`` of any exponent, an int, or a float an aggregate
summed on SQLite: "179.700000000000" shows as "179.70")."""

from decimal import Decimal, InvalidOperation

from django import template

from platform_core.money import money_round

register = template.Library()


@register.filter(name="money")
def money(value: object) -> str:
    """``value`` as an amount with exactly two decimals; empty for ``None`` or a non-number."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return str(money_round(amount))
