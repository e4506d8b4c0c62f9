"""Catalog defaults. Every number a rule names is read from settings when set there (rules.md: defaults
live in settings or policy rows, never as literals in code); these are the defaults."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings


def review_within() -> timedelta:
    """CAT-4: a submitted listing is reviewed within 24 hours."""
    return getattr(settings, "CATALOG_REVIEW_WITHIN", timedelta(hours=24))


def ip_counter_notice_window() -> timedelta:
    """CAT-7: the rights holder has 15 days after the counter-notice is forwarded to show an action."""
    return getattr(settings, "CATALOG_IP_COUNTER_NOTICE_WINDOW", timedelta(days=15))


def price_change_review_ratio() -> Decimal:
    """CAT-2: a price change above this fraction of the current price is reviewed again."""
    return getattr(settings, "CATALOG_PRICE_CHANGE_REVIEW_RATIO", Decimal("0.50"))


def price_absurd_above() -> Decimal:
    """CAT-3: prices above this (CNY) are flagged for the reviewer as implausible."""
    return getattr(settings, "CATALOG_PRICE_ABSURD_ABOVE", Decimal("1000000.00"))


def price_absurd_below() -> Decimal:
    """CAT-3: prices below this (CNY) are flagged (a 0.01 placeholder price is a classic lure)."""
    return getattr(settings, "CATALOG_PRICE_ABSURD_BELOW", Decimal("0.10"))


def new_merchant_days() -> int:
    """CAT-6: a merchant is "new" (higher inspection risk) for this many days after joining."""
    return getattr(settings, "CATALOG_NEW_MERCHANT_DAYS", 90)
