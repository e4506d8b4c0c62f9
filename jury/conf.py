"""Public jury defaults (DSP-6). Every number the rule names is read from settings when set there; these
are the defaults."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings


def max_amount() -> Decimal:
    """DSP-6: disputes whose refundable amount is at most ¥500 may go to a jury."""
    return Decimal(str(getattr(settings, "JURY_MAX_AMOUNT", "500.00")))


def size() -> int:
    """DSP-6: 13 jurors are drawn."""
    return int(getattr(settings, "JURY_SIZE", 13))


def quorum() -> int:
    """DSP-6: fewer votes than this (7, a majority of 13) send the case to the committee."""
    return int(getattr(settings, "JURY_QUORUM", 7))


def vote_within() -> timedelta:
    """DSP-6: each juror votes within 48 hours of the draw."""
    return getattr(settings, "JURY_VOTE_WITHIN", timedelta(hours=48))


def no_orders_within() -> timedelta:
    """DSP-6: a juror has placed no order with the merchant in the past 90 days."""
    return getattr(settings, "JURY_NO_ORDERS_WITHIN", timedelta(days=90))
