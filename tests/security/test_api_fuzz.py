"""Input hardening (not object-level authorisation, SEC-1, which test_authorisation_matrix proves): schemathesis generates requests for every operation of /api/schema/.

No response may be a server error, and every documented response must match its schema. Runs in CI
(marked ``slow``: a few minutes); findings are fixed in the code, never excluded here.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from platform_core.accounts.services import user_token_issue
from platform_core.wsgi import application
from tests.factories.accounts import CustomerFactory

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def api_schema(django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock():  # generating the schema may touch the database (e.g. the session)
        return schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Like Django's test client: a request must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(db: None) -> dict[str, str]:
    customer = CustomerFactory.create()
    _token, clear = user_token_issue(user=customer)
    return {"Authorization": f"Token {clear}"}


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_fuzz_every_operation_answers_without_server_errors_and_to_its_schema(
    case: Any, auth_headers: dict[str, str]
) -> None:
    case.call_and_validate(
        headers=auth_headers,
        checks=[not_a_server_error, response_schema_conformance],
    )
