"""CAT-5: stock is reserved atomically and never goes negative."""

import threading
from collections import Counter

import pytest
from django.db import IntegrityError, connection, transaction

from catalog.models import Sku
from catalog.services.skus import sku_release, sku_reserve
from merchants.models import Merchant
from platform_core.errors import Conflict, InvalidInput, NotFound
from tests.factories.catalog import approved_listing

BUYERS = 50
UNITS = 10


@pytest.mark.django_db
def test_cat_5_reserve_and_release(merchant: Merchant) -> None:
    sku = approved_listing(merchant=merchant, stock=3).skus.get()
    assert sku_reserve(sku_id=sku.pk, quantity=2) == 1
    with pytest.raises(Conflict) as err:
        sku_reserve(sku_id=sku.pk, quantity=2)
    assert err.value.code == "out_of_stock"
    assert sku_release(sku_id=sku.pk, quantity=2) == 3
    with pytest.raises(InvalidInput):
        sku_reserve(sku_id=sku.pk, quantity=0)
    with pytest.raises(NotFound):
        sku_reserve(sku_id=999999, quantity=1)


@pytest.mark.django_db
def test_cat_5_stock_check_constraint(merchant: Merchant) -> None:
    sku = approved_listing(merchant=merchant, stock=1).skus.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Sku.objects.filter(pk=sku.pk).update(stock=-1)


def one_round(sku_id: int) -> Counter[str]:
    """``BUYERS`` threads, released at once, each trying to reserve one unit; each closes its connection."""
    barrier = threading.Barrier(BUYERS)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def buy() -> None:
        try:
            barrier.wait()
            try:
                sku_reserve(sku_id=sku_id, quantity=1)
                outcome = "reserved"
            except Conflict:
                outcome = "out_of_stock"
            except Exception as exc:  # anything else is a failure to report
                outcome = f"error: {exc!r}"
            with lock:
                outcomes[outcome] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(BUYERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cat_5_fifty_buyers_ten_units(merchant: Merchant) -> None:
    sku = approved_listing(merchant=merchant, stock=UNITS).skus.get()
    for _round in range(20):
        Sku.objects.filter(pk=sku.pk).update(stock=UNITS)
        outcomes = one_round(sku.pk)
        assert outcomes == Counter({"reserved": UNITS, "out_of_stock": BUYERS - UNITS}), outcomes
        sku.refresh_from_db()
        assert sku.stock == 0
