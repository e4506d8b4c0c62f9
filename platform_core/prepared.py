"""Querysets compiled to SQL once per process (issue 26, decision 052).

On the hot paths Django spends more CPU building and compiling a queryset to SQL than PostgreSQL spends
running it (decisions 027 and 049: 35-84 % of a request's CPU; 2-4 ms for a query with a few joins). A
statement that is the same on every call but for a few values need not be compiled again:
``PreparedQuery`` builds the queryset once per thread and database alias with *markers* standing for
those values, keeps its SQL, its parameters and its compiler (select list, column converters, related
populators), and on each call runs the SQL with the markers replaced. The objects are built exactly as
``QuerySet.__iter__`` builds them (``from_db``, ``select_related`` objects, annotations), so a caller
cannot tell them apart from the queryset's.

    _LINES = PreparedQuery(
        lambda order_id: OrderLine.objects.filter(order_id=order_id).select_related("sku"), order_id=int
    )
    lines = _LINES.all(order_id=order.pk)

Rules for the builder:
- Only the markers vary. It must not read the clock, the active language or time zone, or settings that
  tests override: whatever it reads is frozen into the SQL at the first call (pass the time as a marker).
- Each marker must reach the SQL as one parameter equal to it (``field=value``, ``field__lt=value``);
  a lookup that rewrites it (``icontains``: ``%value%``) or a list (``__in``) is refused when preparing.
- No ``prefetch_related`` (call ``prefetch_related_objects`` on the result, or read the related rows with
  a second ``PreparedQuery`` and hand them over with ``as_prefetched``) and no related manager's
  queryset (``order.lines.all()``: write ``OrderLine.objects.filter(order_id=…)``).
- A Decimal marker reaches a decimal column as itself (``price__gte=value``).
- A list marker stands for a list of ints passed as one array parameter (``Value(ids, output_field=
  ArrayField(IntegerField()))`` with ``= ANY(…)``, PostgreSQL only): a page's ids, whatever their number.
- An int marker is a large positive number inside a 32-bit integer's range (Django answers "no rows" without
  compiling a comparison with a value outside its column's range); a small-integer column cannot take one
  (refused when preparing: pass it through ``Value(marker, output_field=IntegerField())``).
- ``select_for_update()`` is allowed; as with the queryset, running it outside a transaction raises.

``rows`` runs a ``values_list`` queryset and returns its tuples (column converters applied);
``sql_with_params`` gives the SQL and parameters only, e.g. for a sub-select in a statement written by hand.

**Planned once per connection too** (PostgreSQL, decision 054). Compiling once saves Python's work, not the
server's: PostgreSQL parses and plans every statement it is sent, and for the checkout's cart lines (eight
relations) planning is 2.4 ms against 0.2 ms of running it. So the kept SQL is also a server-side prepared
statement: the first call on a database connection sends ``PREPARE pq_<n> AS <sql>`` (outside Django's
cursor wrappers, once per connection as the connection's ``SET`` statements are), and every call runs
``EXECUTE pq_<n>(<values>)`` through the ordinary cursor, so it is counted, logged and wrapped as any
statement. PostgreSQL plans the first five executions with their values and then keeps a generic plan if it
costs no more (``plan_cache_mode = auto``): a statement whose best plan depends on its values keeps being
planned per call, as before. ``PreparedQuery(…, server_prepared=False)`` opts out; a statement PostgreSQL
cannot prepare (a parameter whose type nothing determines) runs as plain SQL.
"""

import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

_MARKER_BASE = 2_147_480_000  # positive and below 2**31: in range of every integer column but the small ones


def _marker(kind: type, index: int, name: str) -> Any:
    if kind is int:
        return _MARKER_BASE + index
    if kind is str:
        return f"\x00{name}\x00"
    if kind is list:
        return [_MARKER_BASE + index]
    if kind is Decimal:
        return Decimal(_MARKER_BASE + index)
    if kind is datetime:
        return datetime(1, 1, 1, tzinfo=UTC) + timedelta(microseconds=index + 1)
    raise ImproperlyConfigured(
        f"PreparedQuery: a marker is an int, a str, a Decimal, a datetime or a list, not {kind!r}"
    )


@dataclass
class _Prepared:
    sql: str
    params: list[Any]
    positions: dict[str, list[int]]
    compiler: Any
    locks: bool
    populators: list[Any]
    #: the server-side statement's name and its text (``$n`` parameters), or ``None`` to send the SQL each time
    server_name: str | None = None
    server_sql: str | None = None
    #: ``EXECUTE pq_<n>(%s, …) /* the statement's text */``: the text rides along in a comment so that logs,
    #: ``pg_stat_activity`` and captured queries still say what ran (the server only skips it)
    server_call: str = ""


_PLACEHOLDER = re.compile(r"%(s|%)")
_statement_numbers = itertools.count(1)
#: SQLSTATEs of a statement PostgreSQL cannot prepare: a parameter of undetermined or ambiguous type
_UNPREPARABLE = {"42P18", "42P08", "42725"}


def _server_text(sql: str) -> str:
    """Django's SQL (``%s`` parameters, ``%%`` for a percent sign) as a PREPARE body (``$1`` … ``$n``)."""
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group(1) == "%" else f"${next(numbers)}", sql)


def _server_statement(connection: BaseDatabaseWrapper, prepared: _Prepared) -> str | None:
    """The name of ``prepared``'s statement on this connection's current database session, prepared there
    first if it is not yet; ``None`` to send the SQL itself. The names prepared on a session are kept beside
    its DB-API connection: a new connection (reconnect, ``CONN_MAX_AGE``) starts with none."""
    if prepared.server_name is None or prepared.server_sql is None:
        return None
    raw = connection.connection
    state = connection.__dict__.get("_prepared_statements")
    if state is None or state[0] is not raw:
        state = connection.__dict__["_prepared_statements"] = (raw, set())
    names: set[str] = state[1]
    if prepared.server_name in names:
        return prepared.server_name
    in_transaction = not connection.get_autocommit()
    with raw.cursor() as cursor:
        if in_transaction:  # a refused PREPARE must not abort the caller's transaction
            cursor.execute("SAVEPOINT pq_prepare")
        try:
            cursor.execute(f"PREPARE {prepared.server_name} AS {prepared.server_sql}")
        except connection.Database.Error as exc:  # type: ignore[attr-defined]
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT pq_prepare")
            if getattr(exc, "pgcode", None) not in _UNPREPARABLE:
                raise
            prepared.server_name = prepared.server_sql = None
            return None
        if in_transaction:
            cursor.execute("RELEASE SAVEPOINT pq_prepare")
    names.add(prepared.server_name)
    return prepared.server_name


class PreparedQuery(Generic[M]):
    def __init__(
        self, build: Callable[..., "QuerySet[M, Any]"], /, *, server_prepared: bool = True, **markers: type
    ) -> None:
        self.build = build
        self.server_prepared = server_prepared
        self.markers = {
            name: _marker(kind, index, name) for index, (name, kind) in enumerate(sorted(markers.items()))
        }
        self._local = threading.local()

    def _prepare(self, alias: str | None) -> tuple[str, _Prepared]:
        cache: dict[str | None, tuple[str, _Prepared]] = self._local.__dict__.setdefault("cache", {})
        found = cache.get(alias)
        if found is not None:
            return found
        queryset = self.build(**self.markers)
        db = alias or router.db_for_read(queryset.model)
        queryset = queryset.using(db)
        state: Any = queryset
        if state._prefetch_related_lookups or state._known_related_objects:
            raise ImproperlyConfigured("PreparedQuery: no prefetch_related and no related manager's queryset")
        query = queryset.query
        compiler = query.get_compiler(db)
        sql, params = compiler.as_sql()
        positions: dict[str, list[int]] = {}
        for name, marker in self.markers.items():
            found_at = [i for i, p in enumerate(params) if type(p) is type(marker) and p == marker]
            if not found_at:
                raise ImproperlyConfigured(
                    f"PreparedQuery: the marker {name!r} does not reach the SQL as itself"
                )
            positions[name] = found_at
        populators = []
        if compiler.klass_info is not None:
            populators = get_related_populators(compiler.klass_info, compiler.select, db)
        prepared = _Prepared(
            sql, list(params), positions, compiler, bool(query.select_for_update), populators
        )
        if self.server_prepared and connections[db].vendor == "postgresql":
            name, text = f"pq_{next(_statement_numbers)}", _server_text(sql)
            if "*/" not in text:
                arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
                comment = text.replace("%", "%%")
                prepared.server_name, prepared.server_sql = name, text
                prepared.server_call = f"EXECUTE {name}{arguments} /* {comment} */"
        cache[alias] = (db, prepared)
        return db, prepared

    def _bind(self, using: str | None, values: dict[str, Any]) -> tuple[str, _Prepared, list[Any]]:
        if values.keys() != self.markers.keys():
            raise TypeError(f"PreparedQuery expects {sorted(self.markers)}, got {sorted(values)}")
        db, prepared = self._prepare(using)
        params = list(prepared.params)
        for name, indexes in prepared.positions.items():
            for index in indexes:
                params[index] = values[name]
        return db, prepared, params

    def _execute(self, using: str | None, values: dict[str, Any]) -> tuple[str, _Prepared, list[Any]]:
        db, prepared, params = self._bind(using, values)
        connection = connections[db]
        if prepared.locks and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            name = _server_statement(connection, prepared)
            if name is None:
                cursor.execute(prepared.sql, params)
            else:
                cursor.execute(prepared.server_call, params)
            rows = cursor.fetchall()
        compiler = prepared.compiler
        if compiler.has_extra_select:  # ordering by columns it does not select, as ``execute_sql`` trims
            rows = [row[: compiler.col_count] for row in rows]
        return db, prepared, rows

    def all(self, *, using: str | None = None, **values: Any) -> list[M]:
        """The objects, as iterating the queryset with these values would give them."""
        db, prepared, rows = self._execute(using, values)
        compiler = prepared.compiler
        klass_info, select = compiler.klass_info, compiler.select
        model_cls = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        annotations = compiler.annotation_col_map
        objects = []
        for row in compiler.results_iter(results=[rows]):
            obj = model_cls.from_db(db, init_list, row[start:end])
            for populator in prepared.populators:
                populator.populate(row, obj)
            for attr_name, position in (annotations or {}).items():
                setattr(obj, attr_name, row[position])
            objects.append(obj)
        return objects

    def first(self, *, using: str | None = None, **values: Any) -> M | None:
        """The first object or ``None`` (slice the queryset in the builder, ``[:1]``, to read one row)."""
        objects = self.all(using=using, **values)
        return objects[0] if objects else None

    def rows(self, *, using: str | None = None, **values: Any) -> list[tuple[Any, ...]]:
        """The rows of a ``values_list`` queryset, as tuples."""
        _db, prepared, rows = self._execute(using, values)
        return [tuple(row) for row in prepared.compiler.results_iter(results=[rows])]

    def sql_with_params(self, *, using: str | None = None, **values: Any) -> tuple[str, list[Any]]:
        """The SQL and its parameters with these values, to embed in a statement written by hand (as
        ``queryset.query.sql_with_params()`` gives them, without compiling again)."""
        _db, prepared, params = self._bind(using, values)
        return prepared.sql, params


def as_prefetched(instance: Model, name: str, objects: list[Any]) -> None:
    """``instance.<name>.all()`` (a reverse foreign key) answers ``objects`` without a query, as
    ``prefetch_related(name)`` leaves it: for the rows a ``PreparedQuery`` read beside the instance. Each
    object's foreign key to ``instance`` is set to it, as the prefetch does."""
    manager: Any = getattr(instance, name)
    for obj in objects:
        manager.field.set_cached_value(obj, instance)
    queryset: Any = manager.all()
    queryset._result_cache, queryset._prefetch_done = objects, True
    cache: dict[str, Any] = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[manager.field.remote_field.cache_name] = queryset
