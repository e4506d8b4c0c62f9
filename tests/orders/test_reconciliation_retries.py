"""PAY-8 (decision 038, addendum): a provider's statement that cannot be had (the gateway down, the bill not
published yet) is downloaded again by itself with back-off until the cut-off; past it finance is alarmed,
once. Reconciling without the statement would call every payment of the day missing, so nothing is opened
meanwhile."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from orders.models import ProviderStatement, ReconciliationDifference
from orders.tasks import reconcile_statements_task, statements_sweep_task
from platform_core import clock
from platform_core.audit.models import AuditEntry
from platform_core.notifications.models import Notification
from simulation.fakes.bills import ALIPAY_BILL
from tests.factories.accounts import StaffFactory
from tests.fakes.alipay import FakeAlipay
from tests.orders.test_gateways import _paid_through

pytestmark = pytest.mark.django_db

DAY = "2026-03-10"
WAITING, IMPORTED, MISSING = (
    ProviderStatement.Status.WAITING,
    ProviderStatement.Status.IMPORTED,
    ProviderStatement.Status.MISSING,
)


@pytest.fixture
def alipay_day(api_client, settings, fake_alipay: FakeAlipay, time_machine) -> FakeAlipay:
    """Alipay alone besides the sandbox; one order paid through it on 10 March; back-off 15 min doubling up
    to 3 h, cut-off 36 h after the day (12:00 on the 12th)."""
    settings.ORDERS_PAYMENT_PROVIDERS = ["sandbox", "alipay"]
    settings.ORDERS_STATEMENT_RETRY_BASE_SECONDS = 900
    settings.ORDERS_STATEMENT_RETRY_MAX_SECONDS = 3 * 3600
    settings.ORDERS_STATEMENT_CUTOFF_HOURS = 36
    time_machine.move_to(f"{DAY} 10:00:00+08:00", tick=False)
    _paid_through(api_client, "alipay", fake_alipay, price="88.50")
    return fake_alipay


def _statement() -> ProviderStatement:
    return ProviderStatement.objects.get(provider="alipay", day=DAY)


def test_pay_8_a_statement_that_cannot_be_had_is_downloaded_again_with_back_off(
    alipay_day: FakeAlipay, time_machine
) -> None:
    alipay_day.inject(ALIPAY_BILL, "fail", times=2)  # Alipay's bill service answers 5xx twice
    time_machine.move_to("2026-03-11 10:30:00+08:00", tick=False)
    assert reconcile_statements_task() == 0
    statement = _statement()
    assert (statement.status, statement.attempts) == (WAITING, 1)
    assert statement.next_attempt_at == clock.now() + timedelta(minutes=15)
    assert not ReconciliationDifference.objects.exists()  # nothing called missing meanwhile

    time_machine.shift(timedelta(minutes=10))
    assert statements_sweep_task() == 0  # not due yet
    time_machine.shift(timedelta(minutes=5))
    assert statements_sweep_task() == 1  # fails again: the wait doubles
    statement = _statement()
    assert (statement.status, statement.attempts) == (WAITING, 2)
    assert statement.next_attempt_at == clock.now() + timedelta(minutes=30)

    time_machine.shift(timedelta(minutes=30))
    assert statements_sweep_task() == 1  # the bill is had: imported and reconciled, zero differences
    statement = _statement()
    assert (statement.status, statement.lines, statement.paid) == (IMPORTED, 1, Decimal("88.50"))
    assert statement.next_attempt_at is None
    assert not ReconciliationDifference.objects.exists()
    assert statements_sweep_task() == 0
    assert len(alipay_day.calls_to(ALIPAY_BILL)) == 3


def test_pay_8_a_statement_still_missing_at_the_cut_off_alarms_finance_once(
    alipay_day: FakeAlipay, time_machine, caplog
) -> None:
    finance = StaffFactory.create(email="finance@example.com")
    finance.groups.add(Group.objects.get(name="staff_finance"))
    alipay_day.inject(ALIPAY_BILL, "fail", times=100)
    time_machine.move_to("2026-03-11 10:30:00+08:00", tick=False)
    reconcile_statements_task()
    for _hour in range(25):  # the 11th 10:30 → the 12th 11:30: retried, capped at 3 h, no alarm yet
        time_machine.shift(timedelta(hours=1))
        statements_sweep_task()
    statement = _statement()
    # 10:30 failed, then 10:45 +30 min, +1 h, +2 h, then every 3 h (the cap)
    assert (statement.status, statement.attempts) == (WAITING, 11)
    assert statement.next_attempt_at == clock.now() + timedelta(hours=1)
    assert not Notification.objects.filter(event="reconciliation_statement_missing").exists()

    time_machine.move_to("2026-03-12 15:00:00+08:00", tick=False)  # past the cut-off (12:00)
    statements_sweep_task()
    statement = _statement()
    assert (statement.status, statement.next_attempt_at) == (MISSING, None)
    assert statement.attempts == 12 and statement.last_error
    sent = Notification.objects.filter(recipient=finance, event="reconciliation_statement_missing")
    assert set(sent.values_list("channel", flat=True)) == {"inapp", "email"}
    assert DAY in sent.first().body  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(action="reconciliation.statement_missing").count() == 1
    assert "still missing" in caplog.text
    assert not ReconciliationDifference.objects.exists()

    # no more automatic attempts, and no second alarm; finance runs the day by hand once Alipay has it
    time_machine.shift(timedelta(hours=6))
    assert statements_sweep_task() == 0
    reconcile_statements_task(DAY)
    assert sent.count() == 2
    alipay_day._faults.clear()
    reconcile_statements_task(DAY)
    assert (_statement().status, _statement().lines) == (IMPORTED, 1)
