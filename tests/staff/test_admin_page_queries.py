"""One admin page's statements, pinned: the question "may this person see the discipline screens?" (a
department-head query and a compliance/HR staff-profile query) is asked by both STF-9 admins, for the app
list's module and for each permission, and is answered once per request."""

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from staff.models import Department
from tests.factories.staff import staff_member
from tests.helpers.admin_otp import otp_admin_client

pytestmark = pytest.mark.django_db

#: the business calendar's list for a member of operations who may view it: session, user, second factor,
#: two permission reads, the discipline question (2), the two counts (filtered and in all), the rows, the year
#: filter's years
CALENDAR_LIST_QUERIES = 11


def _department_queries(queries: list[dict[str, Any]]) -> int:
    return sum('FROM "staff_department"' in query["sql"] for query in queries)


def _profile_queries(queries: list[dict[str, Any]]) -> int:
    return sum('FROM "staff_staffprofile"' in query["sql"] for query in queries)


def test_stf_9_an_admin_page_asks_the_department_and_staff_profile_once(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production
    member = staff_member(Department.Code.OPERATIONS)
    member.user_permissions.add(Permission.objects.get(codename="view_holiday"))
    client = otp_admin_client(member)
    url = "/admin/business_calendar/holiday/"
    assert client.get(url).status_code == 200

    with CaptureQueriesContext(connection) as index:
        assert client.get("/admin/").status_code == 200
    assert (_department_queries(index.captured_queries), _profile_queries(index.captured_queries)) == (1, 1)

    with CaptureQueriesContext(connection) as page:
        assert client.get(url).status_code == 200
    assert (_department_queries(page.captured_queries), _profile_queries(page.captured_queries)) == (1, 1)
    assert len(page.captured_queries) == CALENDAR_LIST_QUERIES, "\n".join(
        query["sql"][:160] for query in page.captured_queries
    )
