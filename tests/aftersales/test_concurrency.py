"""AFS-1, PAY-7: concurrent requests on one line serialise on the order's row lock; none over-claims."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from aftersales.models import AfterSalesRequest
from platform_core.errors import Conflict
from tests.factories.aftersales import completed_order, first_line, open_request


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_afs_1_parallel_requests_for_the_whole_line_only_one_wins() -> None:
    order = completed_order(prices=("60.00",))
    line = first_line(order)
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            open_request(order, line=line, kind="refund_only", amount=Decimal("40.00"))
            outcomes.append("created")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["amount_exceeds_paid"] * 5 + ["created"]
    assert AfterSalesRequest.objects.filter(line=line).count() == 1
