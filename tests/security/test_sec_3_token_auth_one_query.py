"""Issue 26, SEC-3: a request with an API token costs one query to authenticate — the token, its user, its
second factor and whether the user holds a staff or auditor role, together. knox alone read the token and
then every token of the user; the second-factor check then read the roles and the ``TokenSecondFactor``."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories.accounts import CustomerFactory
from tests.factories.staff import staff_member
from tests.security.test_sec_3_staff_second_factor import VERIFY, code_of, token_client

pytestmark = pytest.mark.django_db

TOKEN_TABLES = ("knox_authtoken", "accounts_tokensecondfactor")


@pytest.fixture(autouse=True)
def _staff_otp_on(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production: the roles are read for every token


def _authentication_queries(api: Any, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in TOKEN_TABLES)]


def test_sec_3_customer_token_authenticates_in_one_query() -> None:
    customer = CustomerFactory()
    api, _ = token_client(customer.email)
    queries = _authentication_queries(api, "/api/v1/me/")
    assert len(queries) == 1, queries
    assert "_user_groups" in queries[0] and "accounts_tokensecondfactor" in queries[0]


def test_sec_3_staff_token_with_second_factor_authenticates_in_one_query() -> None:
    member = staff_member("operations")
    api, login = token_client(member.email)
    assert login["second_factor_required"] is True
    device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    assert api.post(VERIFY, {"code": code_of(device)}, format="json").status_code == 200
    queries = _authentication_queries(api, "/api/v1/me/")
    assert len(queries) == 1, queries
    assert "accounts_tokensecondfactor" in queries[0]
