"""OPS-5: the metrics endpoint exposes deadline, ledger, heartbeat and task metrics a monitor can scrape."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from platform_core.deadlines.deadlines import CANARY_RULE
from platform_core.deadlines.models import Canary, Deadline
from platform_core.ledger.models import AccountKind, TransactionKind
from platform_core.ledger.services import ledger_account_for, ledger_post
from platform_core.operations import heartbeats, metrics
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

OTHER_RULE = "tests.ops_other"


def _samples(client: Client, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    out: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _deadline(
    *, status: str, due_in: timedelta, lateness: timedelta | None = None, rule: str = CANARY_RULE
) -> None:
    now = timezone.now()
    canary = Canary.objects.create()
    Deadline.objects.create(
        rule=rule,
        subject_type=ContentType.objects.get_for_model(Canary),
        subject_id=str(canary.pk),
        due_at=now + due_in,
        started_at=now - timedelta(days=1),
        status=status,
        resolved_at=None if status == "pending" else now,
        lateness=lateness,
    )


def _seed_deadlines() -> None:
    for late in (2, 10, 100, 4000):  # enforced in the last 24 h, this late (seconds)
        _deadline(status="enforced", due_in=-timedelta(seconds=late), lateness=timedelta(seconds=late))
    _deadline(status="pending", due_in=-timedelta(minutes=30))  # overdue
    _deadline(status="pending", due_in=-timedelta(minutes=5))  # overdue
    _deadline(status="pending", due_in=timedelta(hours=1))  # running
    _deadline(status="met", due_in=timedelta(hours=1))
    _deadline(status="cancelled", due_in=timedelta(hours=1), rule=OTHER_RULE)


def _seed_ledger() -> None:
    clearing = ledger_account_for(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING)
    refunds = ledger_account_for(kind=AccountKind.REFUNDS_CLEARING)
    for i in range(3):
        escrow = ledger_account_for(kind=AccountKind.ORDER_ESCROW, owner=UserFactory(password=None))
        ledger_post(
            idempotency_key=f"ops-metrics-{i}",
            kind=TransactionKind.PAYMENT,
            postings=[(clearing, Decimal("-10.00")), (escrow, Decimal("10.00"))],
        )
    ledger_post(
        idempotency_key="ops-metrics-refund",
        kind=TransactionKind.REFUND,
        postings=[(escrow, Decimal("-10.00")), (refunds, Decimal("10.00"))],
    )


def test_ops_5_metrics_expose_deadlines_per_rule_and_status(client: Client) -> None:
    _seed_deadlines()
    s = _samples(client)
    canary = ("rule", CANARY_RULE)
    assert s[("platform_deadlines", (canary, ("status", "pending")))] == 3
    assert s[("platform_deadlines", (canary, ("status", "enforced")))] == 4
    assert s[("platform_deadlines", (canary, ("status", "met")))] == 1
    assert s[("platform_deadlines", (("rule", OTHER_RULE), ("status", "cancelled")))] == 1
    assert s[("platform_deadlines_overdue", (canary,))] == 2
    assert s[("platform_deadlines_overdue", (("rule", OTHER_RULE),))] == 0
    assert 29 * 60 < s[("platform_deadlines_oldest_overdue_seconds", ())] < 31 * 60
    assert s[("platform_collector_up", ())] == 1


def test_ops_5_metrics_expose_the_lateness_histogram_of_the_last_day(client: Client) -> None:
    _seed_deadlines()
    _deadline(status="enforced", due_in=-timedelta(days=3), lateness=timedelta(seconds=1))
    Deadline.objects.filter(due_at__lt=timezone.now() - timedelta(days=2)).update(
        resolved_at=timezone.now() - timedelta(days=2)  # enforced two days ago: outside the window
    )
    s = _samples(client)
    name = "platform_deadline_lateness_24h_seconds"

    def bucket(le: str) -> float:
        return s[(f"{name}_bucket", (("le", le), ("rule", CANARY_RULE)))]

    assert bucket("1.0") == 0
    assert bucket("5.0") == 1
    assert bucket("15.0") == 2
    assert bucket("120.0") == 3
    assert bucket("3600.0") == 3
    assert bucket("21600.0") == 4
    assert bucket("+Inf") == 4
    assert s[(f"{name}_count", (("rule", CANARY_RULE),))] == 4
    assert s[(f"{name}_sum", (("rule", CANARY_RULE),))] == pytest.approx(4112)


def test_ops_5_metrics_expose_ledger_postings(client: Client) -> None:
    _seed_ledger()
    s = _samples(client)
    assert s[("platform_ledger_transactions", (("kind", "payment"),))] == 3
    assert s[("platform_ledger_transactions", (("kind", "refund"),))] == 1
    assert s[("platform_ledger_entries", ())] == 8


def test_ops_5_metrics_expose_exports_in_flight(client: Client) -> None:
    from platform_core.reports.models import ExportLog
    from tests.factories.accounts import UserFactory

    requester = UserFactory.create()
    for _ in range(2):
        ExportLog.objects.create(requested_by=requester, report_code="audit_log", format="csv")
    s = _samples(client)
    assert s[("platform_exports", (("status", "pending"),))] == 2
    assert s[("platform_exports", (("status", "running"),))] == 0


def test_ops_5_metrics_expose_heartbeats_and_check_results(client: Client) -> None:
    heartbeats.mark(heartbeats.WORKER, at=1_700_000_000.0)
    heartbeats.mark(heartbeats.BEAT, at=1_700_000_030.0)
    heartbeats.mark("integrity:last", ledger=True, audit_chain=False)
    s = _samples(client)
    assert s[("platform_mark_timestamp_seconds", (("mark", "worker"),))] == 1_700_000_000.0
    assert s[("platform_mark_timestamp_seconds", (("mark", "beat"),))] == 1_700_000_030.0
    assert ("platform_mark_timestamp_seconds", (("mark", "backup"),)) not in s  # never backed up: no sample
    assert s[("platform_check_ok", (("check", "ledger"),))] == 1
    assert s[("platform_check_ok", (("check", "audit_chain"),))] == 0


def test_ops_5_verify_integrity_task_records_ledger_and_audit_results(client: Client) -> None:
    from platform_core.audit.services import audit_record
    from platform_core.operations.tasks import verify_integrity_task

    _seed_ledger()
    audit_record(actor=None, action="ops.tested")
    verify_integrity_task.delay()
    s = _samples(client)
    assert s[("platform_check_ok", (("check", "ledger"),))] == 1
    assert s[("platform_check_ok", (("check", "audit_chain"),))] == 1
    assert ("platform_mark_timestamp_seconds", (("mark", "integrity"),)) in s


def test_ops_5_metrics_count_celery_task_runs_and_database_queries(client: Client) -> None:
    from platform_core.operations.tasks import beat_heartbeat_task

    before = metrics.TASK_RUNS.labels("operations.beat_heartbeat", "SUCCESS")._value.get()
    beat_heartbeat_task.delay()
    beat_heartbeat_task.delay()
    s = _samples(client)
    key = (("state", "SUCCESS"), ("task", "operations.beat_heartbeat"))
    assert s[("platform_celery_task_runs_total", key)] == before + 2
    assert s[("platform_celery_task_duration_seconds_count", (("task", "operations.beat_heartbeat"),))] >= 2
    queries = [v for (name, _labels), v in s.items() if name == "platform_db_queries_total"]
    assert queries and max(queries) > 0


def test_ops_5_metrics_include_request_latency_by_route_from_django_prometheus(client: Client) -> None:
    key = (
        "django_http_requests_latency_seconds_by_view_method_count",
        (("method", "GET"), ("view", "healthz")),
    )
    before = _samples(client).get(key, 0)
    client.get("/healthz")
    client.get("/healthz")
    assert _samples(client)[key] == before + 2


def test_ops_5_metrics_token_guards_the_endpoint(client: Client, settings) -> None:
    settings.OPS_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_ops_5_worker_metrics_endpoint_serves_task_metrics_without_database_figures() -> None:
    import socket
    import urllib.request

    from platform_core.operations.tasks import beat_heartbeat_task

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    beat_heartbeat_task.delay()
    metrics.worker_metrics_server(port, addr="127.0.0.1")
    page = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    names = {s.name for f in text_string_to_metric_families(page) for s in f.samples}
    assert "platform_celery_task_runs_total" in names
    assert "platform_deadlines" not in names  # the database figures are the web endpoint's job
