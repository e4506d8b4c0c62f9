"""OPS-1: the marketplace simulator drives the real services through simulated days and its checks hold —
and fail, naming the rule, when a rule's enforcement is switched off.

These run inside pytest-django's test transaction (``db``), so on-commit callbacks (notification
delivery, ETA tasks, event-triggered credit recomputation) do not fire; the simulation does not depend on
them: the sweeper and the nightly tasks are called directly. ``manage.py simulate`` on a real database
(CI's ``.ci/run``) runs them too.
"""

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import transaction
from pytest_django.fixtures import Settings

from aftersales.clocks import RULE_COMPLAINT_ACK
from orders.clocks import RULE_DELIVERY_CASE, RULE_SHIP_BY
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.accounts.services import user_register
from platform_core.audit.models import AuditEntry
from platform_core.deadlines import registry
from simulation.config import SimulationConfig
from simulation.engine import simulation_run
from simulation.report import TIMING_KEYS
from simulation.setup import PASSWORD, population_create

SMALL = SimulationConfig(days=4, merchants=4, customers=30, seed=7)
#: small, but with every behaviour present: one merchant of each kind, many complainers and disputers
BUSY = SimulationConfig(
    days=5,
    merchants=6,
    customers=40,
    seed=7,
    customer_shares=(0.3, 0.1, 0.1, 0.25, 0.25),
    buy_chance_per_tick=0.08,
)


def _checks(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {check["name"]: check for check in report["checks"]}


def _world(report: dict[str, Any]) -> dict[str, Any]:
    """The report without the machine's timings: what the seed alone must determine."""
    return {k: v for k, v in report.items() if k not in TIMING_KEYS}


def test_ops_1_small_simulation_passes_all_checks(db: None) -> None:
    report = simulation_run(BUSY)

    checks = _checks(report)
    failed = {name: c["detail"] for name, c in checks.items() if c["status"] == "failed"}
    assert failed == {}
    assert report["ok"] is True
    for name in (
        "deadlines_resolved",
        "late_shipments_penalised",
        "silent_refund_requests_refunded",
        "unpaid_orders_expired",
        "forged_callbacks_moved_no_money",
        "payments_posted_once",
        "late_payments_refunded",
        "complaints_escalated",
        "disputes_execute_their_decision",
        "expired_documents_suspend_listings",
        "ip_notices_handled",
        "fake_reviews_flagged",
        "ledger_verifies",
        "audit_chain_verifies",
    ):
        assert checks[name]["status"] == "passed", (name, checks[name])
    figures = report["figures"]
    # The run exercised what the checks are about: orders, late shipments, forged callbacks.
    assert figures["orders_paid"] > 10
    assert figures["violations"].get("late_shipment", 0) >= 1
    assert (
        figures["actions"].get("payments.forged_signature", 0)
        + figures["actions"].get("payments.forged_amount", 0)
        >= 1
    )
    assert report["deadlines"]["orders.ship_by"]["enforced"] >= 1
    # ... and the behaviours beyond shipping: complaints, disputes, IP notices, expiring documents
    actions = figures["actions"]
    assert actions.get("complaints.filed", 0) >= 1
    assert actions.get("disputes.opened", 0) >= 1
    assert actions.get("ip_notices.taken_down", 0) >= 1
    assert actions.get("reviews.hidden_as_fake", 0) >= 1 and figures["violations"].get("fake_reviews", 0) >= 1
    assert report["deadlines"]["merchants.document_expired"]["enforced"] >= 1
    assert sum(day["orders"] for day in report["daily"]) == figures["orders"]
    # AUD-1 (decision 050): the sealer ran in the sweeps, as beat runs it: nothing is left unsealed
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()
    assert checks["audit_chain_verifies"]["detail"].endswith("entries chained")


def test_stf_2_simulated_customers_sign_up_in_one_batch_with_their_role_grant_audited(db: None) -> None:
    """Decision 050: the customers are created in one batch; each has the customer role, the run's
    password and the same ``rights.changed`` audit entry as an account signed up with ``user_register``."""
    user_type = ContentType.objects.get_for_model(User)

    def grants(user: User) -> list[Any]:
        return list(
            AuditEntry.objects.filter(
                action="rights.changed", subject_type=user_type, subject_id=str(user.pk)
            ).values_list("actor", "after")
        )

    single = user_register(password=PASSWORD, email="sim-one@sim.invalid", name="一个")
    population = population_create(
        config=SimulationConfig(days=1, merchants=1, customers=5), rng=random.Random(7)
    )

    users = [actor.user for actor in population.customers]
    assert len({u.pk for u in users}) == 5
    for user in users:
        fresh = User.objects.get(pk=user.pk)
        assert list(fresh.groups.values_list("name", flat=True)) == [Role.CUSTOMER]
        assert fresh.check_password(PASSWORD) and fresh.is_active and not fresh.is_staff
        assert grants(fresh) == grants(single)


def test_cmp_2_simulation_fails_when_complaint_escalation_is_disabled(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    disabled = registry.DeadlineRule(
        name=RULE_COMPLAINT_ACK, handler=lambda complaint: None, description="off"
    )
    monkeypatch.setitem(registry._RULES, RULE_COMPLAINT_ACK, disabled)

    report = simulation_run(replace(BUSY, days=4, slow_complaint_chance=1.0))

    check = _checks(report)["complaints_escalated"]
    assert check["status"] == "failed"
    assert "escalated 0 times" in check["detail"]
    assert report["ok"] is False


def test_ops_1_html_report_has_charts_and_checks(db: None, tmp_path: Path) -> None:
    page, data = tmp_path / "report.html", tmp_path / "report.json"

    call_command("simulate", days=2, merchants=5, customers=10, seed=11, html=page, report=data)

    html, report = page.read_text(encoding="utf-8"), json.loads(data.read_text())
    assert html.startswith("<!doctype html>")
    assert html.count("<svg") >= 5
    assert report["deadlines"] and all(rule in html for rule in report["deadlines"])
    assert all(check["name"] in html for check in report["checks"])
    assert "<script" not in html  # self-contained, no CDN


def test_ord_4_simulation_fails_when_late_shipment_handler_is_disabled(
    db: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    disabled = registry.DeadlineRule(name=RULE_SHIP_BY, handler=lambda order: None, description="disabled")
    monkeypatch.setitem(registry._RULES, RULE_SHIP_BY, disabled)
    out = tmp_path / "report.json"

    with pytest.raises(CommandError, match="late_shipments_penalised") as failure:
        call_command("simulate", days=4, merchants=4, customers=30, seed=7, report=out)

    assert "deadlines_resolved" not in str(failure.value)  # the engine still resolved every clock
    check = _checks(json.loads(out.read_text()))["late_shipments_penalised"]
    assert check["status"] == "failed"
    assert "0 late_shipment violation(s), expected 1" in check["detail"]
    assert "0 ship_by_missed compensation event(s), expected 1" in check["detail"]


def test_ops_1_same_seed_same_figures(db: None) -> None:
    """Two runs of one seed from the same database state give the same report (timings aside).

    The first run is rolled back (a savepoint inside the test transaction), so the second starts from the
    same rows. Primary keys may differ (PostgreSQL sequences do not roll back) and order numbers embed a
    uuid4; the report holds neither, and no simulated choice depends on them.
    """

    class _Undo(Exception):
        pass

    with pytest.raises(_Undo), transaction.atomic():
        first = simulation_run(SMALL)
        raise _Undo
    second = simulation_run(SMALL)

    assert first["figures"]["orders"] > 0
    assert _world(first) == _world(second)


#: parcels go wrong often, so every branch of ORD-10 happens: reshipments, agreed refunds, lapses
LOSSY = replace(BUSY, days=5, delivery_problem_chance=0.5)


def test_ord_10_simulation_resolves_or_refunds_every_delivery_case_once(db: None) -> None:
    report = simulation_run(LOSSY)

    check = _checks(report)["delivery_cases"]
    assert check["status"] == "passed", check
    actions = report["figures"]["actions"]
    assert actions.get("delivery.exceptions_reported", 0) >= 1
    assert actions.get("delivery.reshipped", 0) + actions.get("delivery.refunds_agreed", 0) >= 1
    assert actions.get("delivery.refunded_after_lapse", 0) >= 1
    assert report["deadlines"]["orders.delivery_case"]["enforced"] >= 1


def test_ord_10_simulation_reports_delivery_exceptions_through_kuaidi100(
    db: None, settings: Settings
) -> None:
    """With 快递100 enabled, half the carrier exceptions arrive as its signed 疑难 / 退回 pushes and open
    delivery cases through the adapter's verification and state mapping; the simulation's checks hold."""
    settings.ORDERS_LOGISTICS_CARRIERS = ["sandbox", "kuaidi100"]
    settings.ORDERS_KUAIDI100_SALT = "k100-salt-of-the-simulation"

    report = simulation_run(LOSSY)

    check = _checks(report)["delivery_cases"]
    assert check["status"] == "passed", check
    assert report["figures"]["actions"].get("delivery.exceptions_reported_kuaidi100", 0) >= 1


def test_ord_10_simulation_fails_when_the_delivery_case_clock_is_disabled(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    disabled = registry.DeadlineRule(name=RULE_DELIVERY_CASE, handler=lambda order: None, description="off")
    monkeypatch.setitem(registry._RULES, RULE_DELIVERY_CASE, disabled)

    report = simulation_run(LOSSY)

    check = _checks(report)["delivery_cases"]
    assert check["status"] == "failed"
    assert "still open past its 48 hours" in check["detail"]


def test_pay_3_pay_8_simulation_with_a_provider_mix_holds_its_checks(db: None) -> None:
    """Decision 029: customers pay through the sandbox, the fake Alipay and the fake WeChat Pay gateways;
    every check still holds, every refund and compensation through a gateway reached it once, and every
    night the fakes' own statements of the day before reconciled with zero differences (decision 038)."""
    from orders.models import Payment, ProviderStatement, Refund

    report = simulation_run(replace(BUSY, providers=("sandbox", "alipay", "wechat_pay")))
    checks = _checks(report)
    failed = {name: c["detail"] for name, c in checks.items() if c["status"] == "failed"}
    assert failed == {}
    assert checks["gateway_refunds_once"]["status"] == "passed"
    assert checks["reconciliation_zero_differences"]["status"] == "passed"
    imported = ProviderStatement.objects.filter(status=ProviderStatement.Status.IMPORTED)
    assert set(imported.values_list("provider", flat=True)) == {"alipay", "wechat_pay"}
    for provider in ("sandbox", "alipay", "wechat_pay"):
        assert Payment.objects.filter(provider=provider, status=Payment.Status.SUCCEEDED).exists(), provider
    assert Refund.objects.filter(payment__provider__in=["alipay", "wechat_pay"]).exists()
