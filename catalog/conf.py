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


def new_merchant_risk() -> float:
    """CAT-6: the inspection-sampling weight of a new merchant's listing (×)."""
    return float(getattr(settings, "CATALOG_INSPECTION_NEW_MERCHANT_RISK", 2.0))


def credit_grade_risk() -> dict[int, float]:
    """CAT-6, REP-3: inspection-sampling weight by credit grade; grades not named weigh 1."""
    return dict(getattr(settings, "CATALOG_INSPECTION_CREDIT_RISK", {1: 3.0, 2: 2.0}))


def complaint_window() -> timedelta:
    """CAT-6, CMP-3: complaints filed this recently raise a listing's inspection weight."""
    return getattr(settings, "CATALOG_INSPECTION_COMPLAINT_WINDOW", timedelta(days=90))


def complaint_risk(complaints: int) -> float:
    """CAT-6, CMP-3: ``1 + per_complaint × complaints``, capped."""
    per = float(getattr(settings, "CATALOG_INSPECTION_RISK_PER_COMPLAINT", 1.0))
    cap = float(getattr(settings, "CATALOG_INSPECTION_COMPLAINT_RISK_CAP", 5.0))
    return min(1.0 + per * complaints, cap)


def ranking_weights() -> tuple[float, float, float]:
    """CAT-8: (relevance floor, relevance weight, sales weight) of the default ranking."""
    return (
        float(getattr(settings, "CATALOG_RANKING_RELEVANCE_FLOOR", 0.1)),
        float(getattr(settings, "CATALOG_RANKING_RELEVANCE_WEIGHT", 1.0)),
        float(getattr(settings, "CATALOG_RANKING_SALES_WEIGHT", 0.2)),
    )


def ranking_credit_factors() -> dict[int, float]:
    """CAT-8, REP-3: the default ranking's multiplier per credit grade (1-5)."""
    return dict(
        getattr(settings, "CATALOG_RANKING_CREDIT_FACTORS", {1: 0.6, 2: 0.8, 3: 1.0, 4: 1.15, 5: 1.3})
    )


def assisted_stock_confirm_within() -> timedelta:
    """CAT-9: an assisted listing's stock not confirmed for this long prompts operations (7 days)."""
    return getattr(settings, "CATALOG_ASSISTED_STOCK_CONFIRM_WITHIN", timedelta(days=7))
