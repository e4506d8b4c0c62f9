"""The kernel's shared scaffolding: row locks, the timeline writer (AUD-1) and money amounts."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from orders.models import OrderEvent
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from platform_core.errors import NotFound
from platform_core.locking import lock, lock_first, lock_many
from platform_core.money import is_whole_cents, money_from, money_round
from platform_core.timeline import timeline_record
from tests.factories.accounts import UserFactory
from tests.factories.orders import pending_order

pytestmark = pytest.mark.django_db


def _user() -> User:
    user: User = UserFactory.create()
    return user


def test_lock_takes_the_row_for_update_of_its_own_table_in_one_query() -> None:
    user = _user()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert lock(User, user.pk) == user
    (sql,) = [q["sql"] for q in queries.captured_queries if "SELECT" in q["sql"]]
    assert "FOR UPDATE OF" in sql


def test_lock_of_a_missing_row_raises_not_found_with_the_message_or_does_not_exist() -> None:
    with transaction.atomic():
        with pytest.raises(NotFound) as err:
            lock(User, 0, missing="No such user.")
        assert err.value.message == "No such user."
        with pytest.raises(User.DoesNotExist):
            lock(User, 0)
        assert lock_first(User, pk=0) is None


def test_lock_many_returns_the_existing_rows_in_primary_key_order() -> None:
    first, second, third = (_user() for _ in range(3))
    with transaction.atomic():
        locked = lock_many(User, [third.pk, first.pk, 0, second.pk])
    assert [u.pk for u in locked] == sorted([first.pk, second.pk, third.pk])


def test_aud_1_timeline_record_writes_the_row_and_the_audit_entry_of_the_same_step() -> None:
    order = pending_order()
    actor = _user()
    entries = AuditEntry.objects.count()
    event = timeline_record(
        OrderEvent,
        order=order,
        subject=order,
        actor=actor,
        action="noted",
        audit_action="order.noted",
        from_status="draft",
        reason="because",
        data={"n": 1},
    )
    event.refresh_from_db()
    assert (event.order_id, event.actor_id, event.action) == (order.pk, actor.pk, "noted")
    assert (event.from_status, event.to_status, event.reason, event.data) == (
        "draft",
        order.status,
        "because",
        {"n": 1},
    )
    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry is not None
    assert entry.action == "order.noted"
    assert entry.reason == "because"
    assert entry.before == {"status": "draft"}
    assert entry.after == {"status": order.status, "n": 1}


def test_money_helpers_round_half_up_read_aggregates_and_refuse_fractions_of_a_fen() -> None:
    assert money_round(Decimal("0.005")) == Decimal("0.01")
    assert money_round(Decimal("2.345")) == Decimal("2.35")
    assert money_from(None) == Decimal("0.00")
    assert money_from(3) == Decimal("3.00")
    assert is_whole_cents(Decimal("1.20"))
    assert not is_whole_cents(Decimal("1.005"))
