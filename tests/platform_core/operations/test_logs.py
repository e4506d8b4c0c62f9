"""Structured JSON logs with request, user and task ids; personal data masked (OPS-5, SEC-2)."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
from celery import shared_task
from django.test import Client

from platform_core.accounts.models import User
from platform_core.operations import signals
from platform_core.operations.context import request_id_var, task_id_var
from platform_core.operations.logs import (
    ContextFilter,
    JsonFormatter,
    MaskPersonalDataFilter,
    mask_personal_data,
)
from tests.factories.accounts import CustomerFactory

pytestmark = pytest.mark.urls("tests.platform_core.operations.urls_for_tests")


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """A handler configured as the LOGGING wiring in docs/deployment.md configures the console one."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(MaskPersonalDataFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def _lines(stream: io.StringIO, logger: str) -> list[dict]:
    parsed = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    return [p for p in parsed if p["logger"] == logger]


@pytest.mark.django_db
def test_sec_2_log_line_during_a_request_is_json_with_request_id_user_and_masked_personal_data(
    client: Client, log_stream: io.StringIO
) -> None:
    user: User = CustomerFactory()  # type: ignore[assignment]
    client.force_login(user)
    response = client.get("/ops-test/log-probe", HTTP_X_REQUEST_ID="req-abc-123")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-abc-123"
    (line,) = _lines(log_stream, "tests.operations.probe")
    assert line["request_id"] == "req-abc-123"
    assert line["user_id"] == user.pk
    assert line["level"] == "WARNING"
    assert line["ts"].endswith("+00:00")
    assert line["message"] == (
        f"customer {user.pk} called from 138****1234 about ID 110***********123X, mail z***@example.com"
    )
    assert "13812341234" not in log_stream.getvalue()
    assert "11010119900307123X" not in log_stream.getvalue()
    assert line["order_no"] == "ORD-2026-000042"  # extras are logged, and not mistaken for personal data
    assert line["contact"] == "+86********5678"


def test_ops_5_request_id_is_generated_when_absent_or_unsafe(client: Client) -> None:
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32
    unsafe = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n{injected}")["X-Request-ID"]
    assert unsafe != "bad id\n{injected}" and len(unsafe) == 32


def test_sec_2_masking_covers_ids_phones_and_emails_but_not_other_numbers() -> None:
    assert mask_personal_data("ID 110101199003071234 ok") == "ID 110***********1234 ok"
    assert mask_personal_data("tel:13812341234;") == "tel:138****1234;"
    assert mask_personal_data("call +8613812341234") == "call +86*******1234"
    assert mask_personal_data("li.si+shop@mail.example.cn") == "l***@mail.example.cn"
    assert mask_personal_data("order 202611270000123456789 amount 12345678901.00") == (
        "order 202611270000123456789 amount 12345678901.00"
    )  # 21-digit order numbers and amounts are not phones or IDs


@shared_task(name="tests.operations.log_in_task")
def log_in_task() -> None:
    logging.getLogger("tests.operations.task").info("task ran for 13912345678")


def test_ops_5_request_id_travels_into_tasks_in_the_message_headers(log_stream: io.StringIO) -> None:
    """Publishing side: the header is added; worker side: the run's log lines carry it and the task id."""
    headers: dict = {}
    token = request_id_var.set("req-from-web")
    try:
        signals.before_task_publish(sender="tests.operations.log_in_task", headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers[signals.REQUEST_ID_HEADER] == "req-from-web"

    class Request:  # what Celery's task.request looks like with our header
        platform_request_id = headers[signals.REQUEST_ID_HEADER]
        platform_published_at = headers[signals.PUBLISHED_AT_HEADER]

    class Task:
        name = "tests.operations.log_in_task"
        request = Request()

    assert request_id_var.get() is None
    signals.task_prerun(sender=Task, task_id="task-42", task=Task)
    try:
        log_in_task.run()
    finally:
        signals.task_postrun(sender=Task, task_id="task-42", task=Task, state="SUCCESS")
    assert request_id_var.get() is None and task_id_var.get() is None
    (line,) = _lines(log_stream, "tests.operations.task")
    assert line["request_id"] == "req-from-web"
    assert line["task_id"] == "task-42"
    assert line["message"] == "task ran for 139****5678"


def test_ops_5_eager_task_inside_a_request_keeps_the_request_id(log_stream: io.StringIO) -> None:
    token = request_id_var.set("req-eager")
    try:
        log_in_task.delay()
    finally:
        request_id_var.reset(token)
    (line,) = _lines(log_stream, "tests.operations.task")
    assert line["request_id"] == "req-eager"
    assert line["task_id"]  # eager runs get an id too


def test_ops_5_json_formatter_keeps_exceptions_masked(log_stream: io.StringIO) -> None:
    try:
        raise ValueError("customer 13812341234 not found")
    except ValueError:
        logging.getLogger("tests.operations.exc").exception("lookup failed")
    (line,) = _lines(log_stream, "tests.operations.exc")
    assert "ValueError: customer 138****1234 not found" in line["exc"]
    assert "13812341234" not in log_stream.getvalue()
