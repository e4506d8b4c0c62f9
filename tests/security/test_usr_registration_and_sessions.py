"""Issue 20 (low): sign-up — the API's and the seller centre's form — does not reveal whether a mobile number
or email address is registered; sessions end after SESSION_IDLE_TIMEOUT without a request."""

from datetime import timedelta
from typing import Any, cast

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from platform_core.accounts.models import User
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
SELLER_CENTRE_REGISTER = "/merchant/register/"
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


def _seller_centre_signup(**fields: str) -> tuple[Client, Any]:
    """A fresh browser submits the seller centre's sign-up form: the browser and its first answer."""
    browser = Client()
    form = {"name": "试探者", "phone": "", "email": "", "password": PASSWORD} | fields
    return browser, browser.post(SELLER_CENTRE_REGISTER, form)


def test_usr_registration_seller_centre_signup_reveals_nothing(platform_default_language: str) -> None:
    """The attack: submit the seller centre's sign-up form with a taken number (and address) and a new one,
    and compare the answers. They must be the same redirect to the sign-in page, with the same message
    (the API's, translated), and sign no one in; only the new contact gets an account, and the taken
    account keeps its password."""
    taken = cast(User, CustomerFactory(email="taken@example.com", phone="13911112222"))
    users_before = User.objects.count()
    attempts = [
        _seller_centre_signup(phone="13911112222"),
        _seller_centre_signup(phone="139 1111 2222"),  # the same number, written differently
        _seller_centre_signup(email="TAKEN@example.com"),
        _seller_centre_signup(phone="13933334444"),  # new
        _seller_centre_signup(email="new@example.com"),  # new
    ]
    assert {(r.status_code, r["Location"]) for _, r in attempts} == {(302, "/merchant/login/")}
    shown = []
    for browser, _ in attempts:
        assert "_auth_user_id" not in browser.session  # nobody is signed in by signing up
        sign_in_page = browser.get("/merchant/login/")
        assert sign_in_page.status_code == 200
        shown.append([str(m) for m in sign_in_page.context["messages"]])
    api_answer = APIClient().post(REGISTER, {"phone": "13955556666", "password": PASSWORD}, format="json")
    assert shown == [[api_answer.json()["detail"]]] * len(attempts)  # one message, the API's words
    assert "请用它和您的密码登录" in shown[0][0]  # translated: the platform speaks Chinese by default

    assert User.objects.count() == users_before + 3  # the two new contacts here and the API's
    assert User.objects.filter(phone="13933334444").exists()
    assert User.objects.filter(email="new@example.com").exists()
    taken.refresh_from_db()
    assert taken.check_password(DEFAULT_PASSWORD) and not taken.check_password(PASSWORD)


def test_usr_registration_seller_centre_signup_still_shows_field_errors() -> None:
    browser, response = _seller_centre_signup(phone="12345", password="short")
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"phone", "password"}
    assert not User.objects.filter(name="试探者").exists()
    assert "_auth_user_id" not in browser.session


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
