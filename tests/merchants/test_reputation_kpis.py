"""VIO-6: daily rolling-30-day KPIs with warning and limit thresholds; the standing the merchant sees."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from time_machine import TimeMachineFixture

from merchants.models import Merchant, MerchantKpi
from merchants.services.appeals import violation_appeal_submit
from merchants.services.credit import merchant_credit_recompute
from merchants.services.kpis import merchant_kpis_compute
from merchants.services.violations import violation_record
from merchants.tasks import compute_kpis_task
from platform_core.notifications.models import Notification
from tests.factories.merchants import FakeStandingSources, MerchantFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()
DAY = date(2026, 3, 10)


def late_violations(merchant: Merchant) -> int:
    return merchant.violations.filter(kind="kpi_late_shipment_rate").count()


def test_vio_6_kpi_crossing_limit_records_exactly_one_violation_per_period() -> None:
    merchant = MerchantFactory.create()
    with FakeStandingSources() as sources:
        sources.figures[merchant.pk] = {"shipments": 100, "shipments_late": 12, "shipments_tracked": 100}
        rows = {row.kpi: row for row in merchant_kpis_compute(merchant=merchant, day=DAY)}
        assert rows["late_shipment_rate"].level == MerchantKpi.Level.LIMIT
        assert str(rows["late_shipment_rate"].value) == "0.1200"
        assert late_violations(merchant) == 1
        violation = merchant.violations.get(kind="kpi_late_shipment_rate")
        assert (violation.source, violation.evidence["kpi"]) == ("system", "late_shipment_rate")

        merchant_kpis_compute(merchant=merchant, day=DAY)  # the same day again
        for offset in range(1, 30):  # still above the limit every day of the period
            merchant_kpis_compute(merchant=merchant, day=DAY + timedelta(days=offset))
        assert late_violations(merchant) == 1
        assert MerchantKpi.objects.filter(merchant=merchant, kpi="late_shipment_rate").count() == 30

        merchant_kpis_compute(merchant=merchant, day=DAY + timedelta(days=30))  # a new period
        assert late_violations(merchant) == 2
    # The window is the 30 days ending with the day.
    _, since, until = sources.calls[0]
    assert timezone.localtime(since).date() == DAY - timedelta(days=29)
    assert timezone.localtime(until).date() == DAY + timedelta(days=1)


def test_vio_6_warning_notifies_the_merchant_once() -> None:
    merchant = MerchantFactory.create()
    with FakeStandingSources() as sources:
        sources.figures[merchant.pk] = {"shipments": 100, "shipments_late": 9, "shipments_tracked": 100}
        merchant_kpis_compute(merchant=merchant, day=DAY)
        merchant_kpis_compute(merchant=merchant, day=DAY)
        merchant_kpis_compute(merchant=merchant, day=DAY + timedelta(days=1))
    assert MerchantKpi.objects.get(merchant=merchant, kpi="late_shipment_rate", date=DAY).level == "warning"
    assert Notification.objects.filter(recipient=merchant.owner, event="merchant_kpi_warning").count() == 1
    assert not merchant.violations.exists()


def test_vio_6_rates_of_good_things_warn_below_their_threshold() -> None:
    merchant = MerchantFactory.create()
    with FakeStandingSources() as sources:
        sources.figures[merchant.pk] = {"shipments": 100, "shipments_tracked": 85}
        merchant_kpis_compute(merchant=merchant, day=DAY)
    kpi = MerchantKpi.objects.get(merchant=merchant, kpi="tracking_rate", date=DAY)
    assert kpi.level == "limit"
    assert merchant.violations.filter(kind="kpi_tracking_rate").count() == 1
    # A figure no source reports is unknown, not 0 % (orders does report late shipments, so ask directly).
    from merchants.policies import kpi_policy
    from merchants.selectors.kpis import kpi_evaluate

    assert kpi_evaluate(policy=kpi_policy()["late_shipment_rate"], figures={"shipments": Decimal(100)}) == (
        None,
        0,
        "ok",
    )


def test_vio_6_too_small_a_sample_is_not_judged() -> None:
    merchant = MerchantFactory.create()
    with FakeStandingSources() as sources:
        sources.figures[merchant.pk] = {"shipments": 4, "shipments_late": 2, "shipments_tracked": 4}
        merchant_kpis_compute(merchant=merchant, day=DAY)
    kpi = MerchantKpi.objects.get(merchant=merchant, kpi="late_shipment_rate", date=DAY)
    assert (str(kpi.value), kpi.sample, kpi.level) == ("0.5000", 4, "ok")
    assert not merchant.violations.exists()


def test_vio_6_daily_task_computes_yesterday_for_trading_merchants(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 3, 11, 2, 0, tzinfo=SHANGHAI), tick=False)
    trading = MerchantFactory.create()
    MerchantFactory.create(status=Merchant.Status.CLOSED)
    with FakeStandingSources():
        assert compute_kpis_task() == 1
        assert compute_kpis_task() == 1
    assert set(MerchantKpi.objects.values_list("merchant_id", "date").distinct()) == {(trading.pk, DAY)}


def test_vio_6_standing_shows_credit_kpis_violations_penalties_and_appeals() -> None:
    merchant = MerchantFactory.create()
    with FakeStandingSources() as sources:
        sources.figures[merchant.pk] = {"shipments": 100, "shipments_late": 12, "shipments_tracked": 100}
        merchant_kpis_compute(merchant=merchant, day=DAY)
        merchant_kpis_compute(merchant=merchant, day=DAY + timedelta(days=30))  # 2 + 2 points
        for n in range(3):
            violation_record(merchant=merchant, kind="late_shipment", evidence={"n": n}, source="system")
        merchant_credit_recompute(merchant=merchant)
    violation = merchant.violations.filter(kind="late_shipment").first()
    assert violation is not None
    violation_appeal_submit(violation=violation, statement="on time", evidence={}, actor=merchant.owner)

    client = APIClient()
    client.force_authenticate(merchant.owner)
    body = client.get("/api/v1/merchant/standing/").json()
    assert body["credit"]["grade"] in range(1, 6)
    assert set(body["credit"]["components"]) >= {"ratings", "violations"}
    assert {k["kpi"]: k["level"] for k in body["kpis"]}["late_shipment_rate"] == "limit"
    assert len(body["violations"]) == 5
    assert [p["measure"] for p in body["penalties_in_force"]] == ["listing_restriction"]  # 13 general
    assert [a["status"] for a in body["appeals"]] == ["submitted"]
    assert {v["appeal_status"] for v in body["violations"]} == {None, "submitted"}
    assert APIClient().get("/api/v1/merchant/standing/").status_code in (401, 403)


def test_vio_6_the_warning_names_the_kpi_and_its_figures_as_a_merchant_reads_them() -> None:
    from django.utils import translation

    merchant = MerchantFactory.create()
    with FakeStandingSources() as sources, translation.override("zh-hans"):
        sources.figures[merchant.pk] = {"shipments": 100, "shipments_late": 9, "shipments_tracked": 100}
        merchant_kpis_compute(merchant=merchant, day=DAY)
    note = Notification.objects.get(recipient=merchant.owner, event="merchant_kpi_warning")
    text = f"{note.title} {note.body}"
    assert "延迟发货率" in text and "late_shipment_rate" not in text, text
    assert "9.00%" in text, text


def test_vio_6_a_warning_after_a_gap_is_compared_with_the_last_day_computed() -> None:
    """The level before is the latest computed day's, however long ago (a merchant not trading for a while)."""
    merchant = MerchantFactory.create()
    warned = {"shipments": 100, "shipments_late": 9, "shipments_tracked": 100}
    with FakeStandingSources() as sources:
        sources.figures[merchant.pk] = warned
        merchant_kpis_compute(merchant=merchant, day=DAY)
        merchant_kpis_compute(merchant=merchant, day=DAY + timedelta(days=45))  # still warning: not again
        sources.figures[merchant.pk] = {"shipments": 100, "shipments_late": 0, "shipments_tracked": 100}
        merchant_kpis_compute(merchant=merchant, day=DAY + timedelta(days=46))
        sources.figures[merchant.pk] = warned
        merchant_kpis_compute(merchant=merchant, day=DAY + timedelta(days=90))  # back from OK: warned again
    assert Notification.objects.filter(recipient=merchant.owner, event="merchant_kpi_warning").count() == 2


@pytest.mark.parametrize("rerun", [False, True])
def test_vio_6_kpis_of_a_night_take_one_read_and_one_upsert_statements(
    rerun: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per merchant: its lock, one read of the KPIs before and one INSERT … ON CONFLICT for all of them —
    not a read and an update_or_create per KPI (the figures' own queries are the sources', not counted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from merchants.policies import kpi_policy
    from merchants.services import kpis

    merchant = MerchantFactory.create()
    figures = {"shipments": Decimal(100), "shipments_late": Decimal(1), "orders": Decimal(100)}
    monkeypatch.setattr(kpis, "merchant_figures", lambda **kwargs: figures)
    merchant_kpis_compute(merchant=merchant, day=DAY - timedelta(days=1))
    if rerun:
        merchant_kpis_compute(merchant=merchant, day=DAY)
    with CaptureQueriesContext(connection) as ctx:
        rows = merchant_kpis_compute(merchant=merchant, day=DAY)
    sql = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sql) == 3, "\n".join(sql)
    assert "FOR UPDATE" in sql[0] and "ON CONFLICT" in sql[2]
    assert len(rows) == len(kpi_policy()) and all(row.pk for row in rows)
    assert MerchantKpi.objects.filter(merchant=merchant, date=DAY).count() == len(kpi_policy())
