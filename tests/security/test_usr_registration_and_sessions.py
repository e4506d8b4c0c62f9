"""Issue 20 (low): sign-up does not reveal whether a mobile number or email address is registered; sessions
end after SESSION_IDLE_TIMEOUT without a request."""

from datetime import timedelta
from typing import Any, cast

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from platform_core.accounts.models import User
from tests.factories.accounts import CustomerFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
PASSWORD = "a-long-enough-passphrase"


def test_usr_registration_answers_the_same_for_taken_and_new_contacts() -> None:
    taken = cast(User, CustomerFactory(email="taken@example.com", phone="13911112222"))
    api = APIClient()
    answers = [
        api.post(REGISTER, body, format="json")
        for body in (
            {"email": "TAKEN@example.com", "password": PASSWORD},
            {"phone": "13911112222", "password": PASSWORD},
            {"email": "new@example.com", "password": PASSWORD},
            {"phone": "13933334444", "password": PASSWORD},
        )
    ]
    assert {(a.status_code, a.content) for a in answers} == {(202, answers[0].content)}
    assert User.objects.filter(email="new@example.com").exists()
    assert User.objects.filter(phone="13933334444").exists()
    taken.refresh_from_db()
    assert taken.check_password("correct-horse-battery-9")  # the existing account is untouched


def test_usr_registration_still_validates_input() -> None:
    response = APIClient().post(REGISTER, {"phone": "12345", "password": "short"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"phone", "password"}


def test_sec_3_session_ends_after_idle_timeout(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = False
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    user = cast(User, CustomerFactory())
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        browser = Client()
        browser.force_login(user)
        assert browser.get("/api/v1/me/").status_code == 200
        clock.shift(timedelta(minutes=29))
        assert browser.get("/api/v1/me/").status_code == 200  # activity keeps it alive
        clock.shift(timedelta(minutes=29))
        assert browser.get("/api/v1/me/").status_code == 200
        clock.shift(timedelta(minutes=31))
        assert browser.get("/api/v1/me/").status_code in (401, 403)  # idle too long: signed out
