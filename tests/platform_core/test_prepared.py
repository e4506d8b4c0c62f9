"""Issue 26 (decision 052): ``PreparedQuery`` compiles once and gives what the queryset gives."""

import threading
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import CharField, Count, F, QuerySet, Value
from django.db.models.functions import Concat
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from merchants.models import Merchant
from platform_core import clock
from platform_core.ledger.models import LedgerAccount
from platform_core.prepared import PreparedQuery
from tests.factories.merchants import MerchantFactory

pytestmark = pytest.mark.django_db


def _merchants(owner_id: int, since: datetime) -> "list[Merchant]":
    return list(_build(owner_id, since))


def _build(owner_id: int, since: datetime) -> "QuerySet[Merchant]":
    return (
        Merchant.objects.filter(owner_id=owner_id, created_at__gte=since)
        .select_related("owner")
        .annotate(
            label=Concat(F("name"), Value("/"), F("owner__email"), output_field=CharField()),
            n=Count("owner__groups"),
        )
        .order_by("-id")
    )


def test_iss_26_prepared_query_gives_the_querysets_objects_with_related_and_annotations() -> None:
    first, second = cast(Merchant, MerchantFactory()), cast(Merchant, MerchantFactory())
    query = PreparedQuery(_build, owner_id=int, since=datetime)
    since = clock.now() - timedelta(days=1)
    for merchant in (first, second):
        expected = _merchants(merchant.owner_id, since)
        with CaptureQueriesContext(connection) as ctx:
            got = query.all(owner_id=merchant.owner_id, since=since)
        assert len(ctx.captured_queries) == 1  # the owner comes with it: no query per object
        assert [m.pk for m in got] == [m.pk for m in expected] == [merchant.pk]
        assert got[0].owner.email == expected[0].owner.email
        got_any: Any = got[0]
        expected_any: Any = expected[0]
        assert got_any.label == expected_any.label == f"{merchant.name}/{merchant.owner.email}"
        assert got_any.n == expected_any.n
        assert got[0].created_at == expected[0].created_at
        assert got[0]._state.db == "default" and not got[0]._state.adding
    assert query.all(owner_id=first.owner_id, since=clock.now() + timedelta(days=1)) == []
    assert query.first(owner_id=-1, since=since) is None


def test_iss_26_prepared_query_compiles_once_per_thread() -> None:
    merchant = cast(Merchant, MerchantFactory())
    built: list[int] = []

    def build(owner_id: int) -> "QuerySet[Merchant, tuple[int, str]]":
        built.append(owner_id)
        return Merchant.objects.filter(owner_id=owner_id).values_list("pk", "name")

    query = PreparedQuery(build, owner_id=int)
    for _ in range(3):
        assert query.rows(owner_id=merchant.owner_id) == [(merchant.pk, merchant.name)]
    assert len(built) == 1
    seen: list[object] = []

    def in_another_thread() -> None:
        try:
            seen.append(query._prepare(None))
        finally:
            connection.close()  # that thread's own connection: left open, it blocks the test database's teardown

    thread = threading.Thread(target=in_another_thread)
    thread.start()
    thread.join()
    assert len(built) == 2  # another thread compiles its own (its own connection)


def test_iss_26_prepared_query_refuses_a_marker_that_does_not_reach_the_sql_as_itself() -> None:
    query = PreparedQuery(lambda name: Merchant.objects.filter(name__icontains=name), name=str)
    with pytest.raises(ImproperlyConfigured, match="name"):
        query.all(name="x")
    with pytest.raises(TypeError):
        PreparedQuery(lambda owner_id: Merchant.objects.filter(owner_id=owner_id), owner_id=int).all(pk=1)


@pytest.mark.django_db(transaction=True)
def test_iss_26_prepared_query_locks_only_inside_a_transaction() -> None:
    merchant = cast(Merchant, MerchantFactory())
    query = PreparedQuery(lambda pk: Merchant.objects.select_for_update().filter(pk=pk), pk=int)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        assert query.first(pk=merchant.pk) == merchant
    assert "FOR UPDATE" in ctx.captured_queries[0]["sql"]
    with pytest.raises(TransactionManagementError):
        query.all(pk=merchant.pk)


def test_iss_26_prepared_query_sql_with_params_is_the_querysets() -> None:
    merchant = cast(Merchant, MerchantFactory())
    query = PreparedQuery(
        lambda owner_id: Merchant.objects.filter(owner_id=owner_id).values("pk"), owner_id=int
    )
    sql, params = query.sql_with_params(owner_id=merchant.owner_id)
    expected = Merchant.objects.filter(owner_id=merchant.owner_id).values("pk").query.sql_with_params()
    assert (sql, tuple(params)) == (expected[0], tuple(expected[1]))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert cursor.fetchall() == [(merchant.pk,)]


def test_iss_26_an_int_marker_reaches_a_positive_integer_column() -> None:
    query = PreparedQuery(lambda owner_id: LedgerAccount.objects.filter(owner_id=owner_id), owner_id=int)
    assert query.all(owner_id=1) == list(LedgerAccount.objects.filter(owner_id=1))  # refused before: no SQL


def test_iss_26_decimal_and_list_markers_are_bound_as_the_queryset_binds_them() -> None:
    """A Decimal marker (a price or balance bound) and a list marker (ids as one array parameter) give the
    queryset's rows for any values, whatever the list's length (one statement for every page)."""
    merchants = [cast(Merchant, MerchantFactory()) for _ in range(3)]

    def build(ids: list[int]) -> "QuerySet[Merchant]":
        from django.contrib.postgres.fields import ArrayField
        from django.db.models import IntegerField

        from catalog.search import InArray

        return Merchant.objects.filter(InArray(F("pk"), Value(ids, output_field=ArrayField(IntegerField()))))

    if connection.vendor == "postgresql":
        by_ids = PreparedQuery(lambda ids: build(ids).order_by("pk"), ids=list)
        for wanted in ([merchants[0].pk], [m.pk for m in merchants], []):
            assert by_ids.all(ids=wanted) == list(Merchant.objects.filter(pk__in=wanted).order_by("pk"))
    above = PreparedQuery(
        lambda floor: LedgerAccount.objects.filter(balance__gte=floor).values_list("pk"), floor=Decimal
    )
    for floor in (Decimal("0.00"), Decimal("12.34"), Decimal("-1")):
        assert sorted(above.rows(floor=floor)) == sorted(
            LedgerAccount.objects.filter(balance__gte=floor).values_list("pk")
        )


def _prepared_on_this_session(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        return cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_iss_26_prepared_query_is_planned_once_per_database_session() -> None:
    """Decision 054: PREPARE once per connection, then EXECUTE with the values, the statement's text riding
    along in a comment; a new connection (reconnect, ``CONN_MAX_AGE``) prepares it again."""
    merchant = cast(Merchant, MerchantFactory())
    query = PreparedQuery(
        lambda owner_id: Merchant.objects.filter(owner_id=owner_id).values_list("pk", flat=True),
        owner_id=int,
    )
    with CaptureQueriesContext(connection) as ctx:
        assert query.rows(owner_id=merchant.owner_id) == [(merchant.pk,)]
        assert query.rows(owner_id=0) == []
    name = query._prepare(None)[1].server_name
    assert name is not None and _prepared_on_this_session(name)
    assert [q["sql"].split(" /* ")[0] for q in ctx.captured_queries] == [
        f"EXECUTE {name}({merchant.owner_id})",
        f"EXECUTE {name}(0)",
    ]  # one statement a call, counted as any other; the PREPARE is not a statement of the request
    assert '"merchants_merchant"."owner_id" = $1' in ctx.captured_queries[0]["sql"]
    connection.close()
    assert query.rows(owner_id=merchant.owner_id) == [(merchant.pk,)]  # a new session: prepared again
    assert _prepared_on_this_session(name)


@pytest.mark.django_db(transaction=True)
def test_iss_26_a_statement_postgres_cannot_prepare_runs_as_plain_sql_in_the_same_transaction() -> None:
    merchant = cast(Merchant, MerchantFactory())
    query = PreparedQuery(  # "$1 IS NULL": nothing tells PostgreSQL the parameter's type
        lambda name: Merchant.objects.extra(where=["%s IS NOT NULL"], params=[name]).values_list("pk"),
        name=str,
    )
    with transaction.atomic():
        assert query.rows(name="x") == [(merchant.pk,)]  # the refused PREPARE did not abort the transaction
        assert Merchant.objects.filter(pk=merchant.pk).exists()
    assert query._prepare(None)[1].server_name is None
    with CaptureQueriesContext(connection) as ctx:
        assert query.rows(name="y") == [(merchant.pk,)]
    assert ctx.captured_queries[0]["sql"].startswith("SELECT")


@pytest.mark.django_db(transaction=True)
def test_iss_26_a_prepared_statement_outlives_the_rolled_back_transaction_that_prepared_it() -> None:
    merchant = cast(Merchant, MerchantFactory())
    query = PreparedQuery(lambda pk: Merchant.objects.filter(pk=pk).values_list("name", flat=True), pk=int)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert query.rows(pk=merchant.pk) == [(merchant.name,)]
        raise RuntimeError("roll back")
    assert query.rows(pk=merchant.pk) == [(merchant.name,)]  # PREPARE is not undone by a rollback
