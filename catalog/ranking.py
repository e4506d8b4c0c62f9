"""CAT-8: the default ranking of search results (曝光率), as a database expression.

    score = (RELEVANCE_FLOOR + RELEVANCE_WEIGHT × relevance) × (1 + SALES_WEIGHT × ln(1 + sales)) × credit

- ``relevance`` ∈ [0, 1]: pg_trgm word similarity between the query and the live title (PostgreSQL);
  1 when there is no query, or on SQLite (where results are filtered, not scored).
- ``sales``: units sold (``Listing.sales_count``); the logarithm keeps best-sellers from burying new
  listings.
- ``credit``: the merchant's credit grade factor (REP-3) — neutral (1.0) until the reputation issue
  provides grades; it fills ``credit_factor_expression`` below.

Ties are broken by newest listing first. The weights move to settings (``CATALOG_RANKING_*``) when the
lead wires them; until then these defaults apply. Customers may instead sort by price or sales alone
(ECL Art. 18); there is no paid placement, so nothing is labelled 广告.
"""

from django.conf import settings
from django.db import connection
from django.db.models import Expression, F, FloatField, Value
from django.db.models.functions import Cast, Ln

RELEVANCE_WEIGHT: float = getattr(settings, "CATALOG_RANKING_RELEVANCE_WEIGHT", 1.0)
RELEVANCE_FLOOR: float = getattr(settings, "CATALOG_RANKING_RELEVANCE_FLOOR", 0.1)
SALES_WEIGHT: float = getattr(settings, "CATALOG_RANKING_SALES_WEIGHT", 0.2)


def credit_factor_expression() -> Expression:
    """REP-3 hook: a per-merchant multiplier around 1.0 (neutral until credit grades exist)."""
    return Value(1.0, output_field=FloatField())


def relevance_expression(query: str | None) -> Expression:
    if query and connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        return TrigramWordSimilarity(query, "live_version__title")
    return Value(1.0, output_field=FloatField())


def score_expression(query: str | None) -> Expression:
    sales = Ln(Value(1.0) + Cast(F("sales_count"), FloatField()))
    return (
        (Value(RELEVANCE_FLOOR) + Value(RELEVANCE_WEIGHT) * relevance_expression(query))
        * (Value(1.0) + Value(SALES_WEIGHT) * sales)
        * credit_factor_expression()
    )
