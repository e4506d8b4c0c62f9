"""Row locks for services: one way to take them (the Saleor ``lock_objects`` idiom).

Every lock is ``SELECT … FOR UPDATE OF <the model's own table>``: rows joined in with
``select_related`` are read, not locked, and PostgreSQL never refuses the lock because of a nullable
outer join. Several rows are locked in primary-key order, so two transactions that lock the same rows
cannot deadlock on each other. Each helper issues exactly one query.

An app keeps a named ``<thing>_lock`` only where it adds something: the ``NotFound`` message its
callers show, the rows it joins in, or the order in which it locks a parent and a child.
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models

from platform_core.errors import NotFound

M = TypeVar("M", bound=models.Model)


def _locking(model_or_qs: type[M] | models.QuerySet[M]) -> models.QuerySet[M]:
    queryset = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs._default_manager.all()
    return queryset.select_for_update(of=("self",))


def lock(model_or_qs: type[M] | models.QuerySet[M], pk: Any, *, missing: str | None = None) -> M:
    """The row ``pk`` of a model (or of a queryset, e.g. with ``select_related``), locked until the
    transaction ends. A missing row raises ``NotFound(missing)`` when a message is given, otherwise the
    model's ``DoesNotExist``."""
    found = _locking(model_or_qs).filter(pk=pk).first()
    if found is None:
        if missing is not None:
            raise NotFound(missing)
        model: Any = model_or_qs.model if isinstance(model_or_qs, models.QuerySet) else model_or_qs
        raise model.DoesNotExist(f"{model.__name__} {pk!r} does not exist.")
    return found


def lock_first(model_or_qs: type[M] | models.QuerySet[M], **filters: Any) -> M | None:
    """The first row matching ``filters`` (in the queryset's order, else primary-key order), locked; or
    ``None``."""
    return _locking(model_or_qs).filter(**filters).first()


def first_locked(model_or_qs: type[M] | models.QuerySet[M], **filters: Any) -> models.QuerySet[M]:
    """The queryset ``lock_first`` runs, unrun (one row, ``[:1]``): to build a ``PreparedQuery`` with
    (``lock(qs, pk)`` is ``first_locked(qs, pk=pk)`` and ``NotFound`` when it finds nothing)."""
    queryset = _locking(model_or_qs).filter(**filters)
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]


def lock_many(model_or_qs: type[M] | models.QuerySet[M], pks: Iterable[Any]) -> list[M]:
    """The rows ``pks`` that exist, locked in primary-key order (one query)."""
    return list(_locking(model_or_qs).filter(pk__in=list(pks)).order_by("pk"))
