"""CAT-8: the default ranking of search results (曝光率), as a database expression.

    score = (floor + relevance_weight × relevance) × (1 + sales_weight × ln(1 + sales)) × credit

- ``relevance`` ∈ [0, 1]: pg_trgm word similarity between the query and the live title (PostgreSQL; the
  title is read from ``Listing.search_text``, see ``title_expression``);
  1 when there is no query, or on SQLite (where results are filtered, not scored).
- ``sales``: units sold (``Listing.sales_count``); the logarithm keeps best-sellers from burying new
  listings.
- ``credit``: the merchant's credit grade (REP-3, ``Merchant.credit_grade`` 1-5) looked up in the
  ``CATALOG_RANKING_CREDIT_FACTORS`` table; a merchant without a grade yet counts as the default grade
  (``merchants.policies.CREDIT_DEFAULT_GRADE``), so a new shop is neither rewarded nor punished.

The weights and the credit table are settings (``settings.CATALOG_RANKING_*``);
``docs/decisions/008-catalog-search.md`` documents them. Ties are broken by newest listing first.
Customers may instead sort by price or sales alone (ECL Art. 18); there is no paid placement, so
nothing is labelled 广告.
"""

from django.conf import settings
from django.db import connection
from django.db.models import Case, Expression, F, FloatField, Func, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Ln
from django.db.models.lookups import Exact

from merchants.policies import CREDIT_DEFAULT_GRADE


def credit_factor_expression() -> Expression:
    """REP-3: the multiplier of the merchant's credit grade (the merchant row is already joined)."""
    factors = settings.CATALOG_RANKING_CREDIT_FACTORS
    grade = Coalesce(F("merchant__credit_grade"), Value(CREDIT_DEFAULT_GRADE))
    default = factors.get(CREDIT_DEFAULT_GRADE, 1.0)
    return Case(
        *(When(Exact(grade, g), then=Value(float(f))) for g, f in sorted(factors.items())),
        default=Value(float(default)),
        output_field=FloatField(),
    )


def title_expression() -> Expression:
    """The live title, read from the listing's own row: the first line of ``Listing.search_text`` (the title,
    its line breaks turned into spaces, a line break, the description: ``catalog.models.search_text_of``),
    so that scoring every match needs no join to its version."""
    return Func(F("search_text"), Value("\n"), Value(1), function="split_part", output_field=TextField())


def relevance_expression(query: str | None) -> Expression:
    if query and connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        return TrigramWordSimilarity(query, title_expression())
    return Value(1.0, output_field=FloatField())


def settings_key() -> tuple[object, ...]:
    """The settings the score's SQL holds (a statement compiled once must be compiled again if they
    change, as tests may change them)."""
    return (
        settings.CATALOG_RANKING_RELEVANCE_FLOOR,
        settings.CATALOG_RANKING_RELEVANCE_WEIGHT,
        settings.CATALOG_RANKING_SALES_WEIGHT,
        tuple(sorted(settings.CATALOG_RANKING_CREDIT_FACTORS.items())),
    )


def score_expression(query: str | None) -> Expression:
    floor = settings.CATALOG_RANKING_RELEVANCE_FLOOR
    relevance_weight = settings.CATALOG_RANKING_RELEVANCE_WEIGHT
    sales_weight = settings.CATALOG_RANKING_SALES_WEIGHT
    sales = Ln(Value(1.0) + Cast(F("sales_count"), FloatField()))
    return (
        (Value(floor) + Value(relevance_weight) * relevance_expression(query))
        * (Value(1.0) + Value(sales_weight) * sales)
        * credit_factor_expression()
    )
