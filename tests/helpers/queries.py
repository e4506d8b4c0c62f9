"""Query budgets: a list endpoint costs the same number of queries for 5 rows and for 50."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def assert_max_queries(budget: int) -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    used = len(ctx.captured_queries)
    if used > budget:
        listing = "\n".join(f"{i + 1}. {q['sql'][:300]}" for i, q in enumerate(ctx.captured_queries))
        raise AssertionError(f"{used} queries, budget {budget}:\n{listing}")
