"""PAY-8 (decision 038, addendum): a movement that crosses midnight between our books and the provider's
(paid at 23:59:59 here and billed on the next day's statement, or the other way round) opens no pair of
"missing" cases: it is matched against the adjacent day, and a case opened the day before is resolved when
the next day's bill carries the line."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from orders.models import ReconciliationDifference
from orders.tasks import reconcile_statements_task
from platform_core.audit.models import AuditEntry
from tests.fakes.alipay import FakeAlipay
from tests.orders.test_gateways import _paid_through
from tests.orders.test_reconciliation_statements import _trade_no

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
R = ReconciliationDifference.Reason
S = ReconciliationDifference.Status


def _open_cases() -> set[tuple[str, str]]:
    return set(ReconciliationDifference.objects.filter(status=S.OPEN).values_list("reference", "reason"))


def test_pay_8_a_payment_that_crosses_midnight_opens_no_pair_of_missing_cases(
    api_client, settings, fake_alipay: FakeAlipay, time_machine
) -> None:
    settings.ORDERS_PAYMENT_PROVIDERS = ["sandbox", "alipay"]
    time_machine.move_to("2026-03-10 10:00:00+08:00", tick=False)
    usual = _paid_through(api_client, "alipay", fake_alipay, price="35.10")
    # paid at 23:59:59 here; Alipay books it at 00:00:01 on the 11th
    time_machine.move_to("2026-03-10 23:59:59+08:00", tick=False)
    late = _paid_through(api_client, "alipay", fake_alipay, price="200.00")
    fake_alipay.bills.book_at(_trade_no(late), datetime(2026, 3, 11, 0, 0, 1, tzinfo=BEIJING))
    # paid at 00:00:01 on the 11th here; Alipay books it at 23:59:59 on the 10th
    time_machine.move_to("2026-03-11 00:00:01+08:00", tick=False)
    early = _paid_through(api_client, "alipay", fake_alipay, price="88.50")
    fake_alipay.bills.book_at(_trade_no(early), datetime(2026, 3, 10, 23, 59, 59, tzinfo=BEIJING))

    # the 10th, reconciled on the 11th: the early one is on the 10th's bill and in our 11th — matched; the
    # late one is not on the 10th's bill and the 11th's is not out yet: one case, "missing at the provider"
    time_machine.move_to("2026-03-11 10:30:00+08:00", tick=False)
    reconcile_statements_task()
    assert _open_cases() >= {(_trade_no(late), R.MISSING_THEIRS)}
    assert not ReconciliationDifference.objects.filter(reference=_trade_no(early)).exists()
    assert not ReconciliationDifference.objects.filter(reference=_trade_no(usual)).exists()

    # the 11th, reconciled on the 12th: its bill carries the late payment — matched against the 10th (no
    # "missing on our side"), and yesterday's case resolved with a note, audited; the funds agree again
    time_machine.move_to("2026-03-12 10:30:00+08:00", tick=False)
    reconcile_statements_task()
    assert _open_cases() == set()
    case = ReconciliationDifference.objects.get(reference=_trade_no(late), reason=R.MISSING_THEIRS)
    assert case.status == S.RESOLVED and "2026-03-11" in case.note
    assert not ReconciliationDifference.objects.filter(reason=R.MISSING_OURS).exists()
    assert AuditEntry.objects.filter(
        action="reconciliation.difference_settled", subject_id=str(case.pk)
    ).exists()
    assert ReconciliationDifference.objects.filter(reason=R.AMOUNT).count() == 0
    assert Decimal("200.00") == case.ledger_amount

    # a rerun of either day opens nothing again
    reconcile_statements_task("2026-03-10")
    reconcile_statements_task("2026-03-11")
    assert _open_cases() == set()
