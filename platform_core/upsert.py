"""Fewer statements on hot paths (issue 26): insert unless a unique constraint holds the row, in one
statement; join the caller's transaction without a savepoint.

``Model.objects.create`` inside ``transaction.atomic()`` with ``except IntegrityError`` costs three
statements (SAVEPOINT, INSERT, RELEASE) and, before it, usually a ``SELECT … EXISTS``; ``get_or_create``
costs up to five. ``INSERT … ON CONFLICT (…) DO NOTHING RETURNING id`` says the same in one statement,
on PostgreSQL and on SQLite (3.35+), and waits, like the unique index did, for a concurrent transaction
that holds the same key to commit or roll back.

``insert_unless_exists`` saves ``obj`` (a new, unsaved instance) and returns ``True``, or leaves it
unsaved and returns ``False`` when the conflict target already has a row. ``conflict`` names the
columns of a unique constraint; ``where`` is the SQL predicate of a partial unique index (with no
parameters), e.g. ``status = 'pending'``.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar, cast

from django.db import connections, models, router, transaction

F = TypeVar("F", bound=Callable[..., Any])


def insert_unless_exists(
    obj: models.Model,
    *,
    conflict: Sequence[str],
    where: str = "",
    children: Sequence[models.Model] = (),
    parent_field: str = "",
) -> bool:
    """``children``: new rows whose ``parent_field`` refers to ``obj``, written only when ``obj`` is; on
    PostgreSQL in the same statement (``WITH parent AS (INSERT … RETURNING id) INSERT INTO child SELECT
    parent.id, …``), elsewhere with ``bulk_create`` after it. Their primary keys are set."""
    if children and connections[router.db_for_write(type(obj), instance=obj)].vendor == "postgresql":
        return _insert_unless_exists_with_children(
            obj, conflict=conflict, where=where, children=children, parent_field=parent_field
        )
    if not _insert_unless_exists(obj, conflict=conflict, where=where):
        return False
    if children:
        for child in children:
            setattr(child, parent_field, obj)
        type(children[0])._default_manager.bulk_create(children)
    return True


def _insertable(model: type[models.Model]) -> list[Any]:
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    return [f for f in fields if not f.generated]


def _row(obj: models.Model, fields: list[Any], connection: Any) -> list[Any]:
    """The values of a new row's ``fields`` as the database takes them (``pre_save`` fills defaults such as
    ``auto_now_add``)."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _insert_sql(
    obj: models.Model, connection: Any, *, conflict: Sequence[str], where: str
) -> tuple[str, list[Any]]:
    meta = obj._meta
    quote = connection.ops.quote_name
    fields = _insertable(type(obj))
    columns = ", ".join(quote(f.column) for f in fields)
    values = _row(obj, fields, connection)
    by_name = {f.name: f.column for f in meta.concrete_fields}
    target = ", ".join(quote(by_name[name]) for name in conflict)
    predicate = f" WHERE {where}" if where else ""
    sql = (
        # quoted names from the model's own metadata; the values are parameters
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "  # noqa: S608
        f"ON CONFLICT ({target}){predicate} DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    return sql, values


def _insert_unless_exists_with_children(
    obj: models.Model,
    *,
    conflict: Sequence[str],
    where: str,
    children: Sequence[models.Model],
    parent_field: str,
) -> bool:
    using = router.db_for_write(type(obj), instance=obj)
    connection = connections[using]
    quote = connection.ops.quote_name
    parent_sql, params = _insert_sql(obj, connection, conflict=conflict, where=where)
    child_model = type(children[0])
    link: Any = child_model._meta.get_field(parent_field)
    fields = [f for f in _insertable(child_model) if f is not link]
    rows = []
    for n, child in enumerate(children):
        rows.append(f"({n}, {', '.join(f'%s::{f.db_type(connection)}' for f in fields)})")
        params += _row(child, fields, connection)
    names = [f"c{i}" for i in range(len(fields))]
    sql = (
        # quoted names from the models' own metadata; the values are parameters
        f"WITH parent AS ({parent_sql}) "  # noqa: S608
        f"INSERT INTO {quote(child_model._meta.db_table)} ({quote(link.column)}, "
        f"{', '.join(quote(f.column) for f in fields)}) "
        f"SELECT parent.{quote(obj._meta.pk.column)}, {', '.join(f'rows.{c}' for c in names)} "
        f"FROM parent, (VALUES {', '.join(rows)}) AS rows(n, {', '.join(names)}) ORDER BY rows.n "
        f"RETURNING {quote(child_model._meta.pk.column)}, {quote(link.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.fetchall()
    if not written:
        return False
    obj.pk = written[0][1]
    obj._state.adding, obj._state.db = False, using
    for child, (pk, _parent) in zip(children, written, strict=True):
        setattr(child, parent_field, obj)
        child.pk = pk
        child._state.adding, child._state.db = False, using
    return True


def _insert_unless_exists(obj: models.Model, *, conflict: Sequence[str], where: str = "") -> bool:
    using = router.db_for_write(type(obj), instance=obj)
    connection = connections[using]
    sql, values = _insert_sql(obj, connection, conflict=conflict, where=where)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = using
    return True


def insert_together(*objs: models.Model) -> None:
    """Insert new model instances that do not refer to one another in one statement (issue 26): on
    PostgreSQL one data-modifying ``WITH … AS (INSERT … RETURNING id)`` per row, elsewhere one INSERT each.
    All the rows are written or none (one statement). Sets their primary keys. Like ``bulk_create``, no
    ``save()`` override and no save signal runs: only for models that have neither (a timeline row and its
    audit entry)."""
    if not objs:
        return
    using = router.db_for_write(type(objs[0]))
    connection = connections[using]
    if connection.vendor != "postgresql" or len(objs) == 1:
        for obj in objs:
            obj.save(force_insert=True, using=using)
        return
    quote = connection.ops.quote_name
    inserts, selects, params = [], [], []
    for i, obj in enumerate(objs):
        meta = obj._meta
        fields = _insertable(type(obj))
        params += _row(obj, fields, connection)
        inserts.append(
            # quoted names from the model's own metadata; the values are parameters
            f"i{i} AS (INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(meta.pk.column)})"
        )
        selects.append(f"(SELECT {quote(meta.pk.column)} FROM i{i})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(inserts)} SELECT {', '.join(selects)}", params)
        row = cursor.fetchone()
    for obj, pk in zip(objs, row, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using


def in_callers_transaction(func: F) -> F:
    """Run ``func`` in the caller's transaction when there is one, else in a new one (issue 26).

    Unlike ``atomic()`` nested, no savepoint (two statements); unlike ``atomic(savepoint=False)``, a
    refusal the function raises before it writes (``Conflict``, ``InvalidInput``) leaves the caller's
    transaction usable, as the savepoint did. Only for functions whose writes come after all their
    refusals: a database error in a write aborts the caller's transaction, which is what it should do.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if transaction.get_connection().in_atomic_block:
            return func(*args, **kwargs)
        with transaction.atomic():
            return func(*args, **kwargs)

    return cast(F, wrapper)


# --- a request's transaction that rolls back whole: services join it without a savepoint ----------------

#: (connection alias, depth of nested atomic blocks) of the innermost ``all_or_nothing`` block
_WHOLE: ContextVar[tuple[str, int] | None] = ContextVar("all_or_nothing", default=None)


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """``transaction.atomic()`` whose caller lets every exception raised inside roll the whole block back
    (it never catches one inside and goes on). A service marked ``@atomic_service`` called directly in it
    joins it without a savepoint (issue 26: two statements fewer), since a refusal rolls everything back
    anyway. The idempotency wrapper (PAY-7) runs its handler in one."""
    with transaction.atomic():
        connection = transaction.get_connection()
        token = _WHOLE.set((connection.alias, len(connection.savepoint_ids)))
        try:
            yield
        finally:
            _WHOLE.reset(token)


def atomic_service(func: F) -> F:
    """``transaction.atomic`` for a service, except directly inside ``all_or_nothing``: there it joins the
    transaction without a savepoint (an exception marks the block for rollback, which its caller does).
    Anywhere else — a test, a task, a service calling it and catching its refusal — it opens its
    savepoint as ``atomic`` does, so a refusal after a write still undoes only its own writes."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        connection = transaction.get_connection()
        joined = connection.in_atomic_block and _WHOLE.get() == (
            connection.alias,
            len(connection.savepoint_ids),
        )
        with transaction.atomic(savepoint=not joined):
            return func(*args, **kwargs)

    return cast(F, wrapper)
