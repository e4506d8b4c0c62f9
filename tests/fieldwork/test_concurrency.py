"""ORD-9: concurrent payments in one area take turns on the coordinators' row locks (round robin holds)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from fieldwork.models import ServiceAssignment
from tests.factories.fieldwork import care_sku, coordinator
from tests.factories.orders import pay, pending_order


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ord_9_round_robin_holds_under_concurrent_payments() -> None:
    first, second = coordinator(), coordinator()
    sku = care_sku()
    orders = [pending_order(sku=sku) for _ in range(4)]
    barrier = threading.Barrier(len(orders))
    errors: list[BaseException] = []

    def attempt(order_index: int) -> None:
        try:
            barrier.wait()
            pay(orders[order_index])
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(orders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    counts = Counter(ServiceAssignment.objects.values_list("coordinator_id", flat=True))
    assert counts == {first.pk: 2, second.pk: 2}
