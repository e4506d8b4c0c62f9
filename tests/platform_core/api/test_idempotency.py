"""PAY-7: an Idempotency-Key replays the first response byte for byte and never acts twice."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.test import APIClient

from platform_core.api.models import IdempotencyKey
from platform_core.api.services import idempotency_keys_purge
from tests.factories.accounts import CustomerFactory

URL = "/test/groups/"
pytestmark = pytest.mark.urls("tests.platform_core.api.urls_for_tests")


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_pay_7_same_key_same_body_replays_first_response_byte_for_byte(customer_client):
    first = customer_client.post(URL, {"name": "g"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = customer_client.post(URL, {"name": "g"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert Group.objects.filter(name__startswith="g-").count() == 1


@pytest.mark.django_db
def test_pay_7_same_key_different_body_is_422_and_acts_not(customer_client):
    customer_client.post(URL, {"name": "g"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = customer_client.post(URL, {"name": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Group.objects.filter(name__startswith="other").exists()


@pytest.mark.django_db
def test_pay_7_keys_are_per_caller(customer_client):
    other = _client(CustomerFactory())
    customer_client.post(URL, {"name": "g"}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = other.post(URL, {"name": "g"}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Group.objects.filter(name__startswith="g-").count() == 2


@pytest.mark.django_db
def test_pay_7_money_endpoints_require_the_header(customer_client):
    response = customer_client.post(URL, {"name": "g"}, format="json")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


@pytest.mark.django_db
def test_pay_7_a_validation_error_is_kept_and_replayed(customer_client):
    first = customer_client.post(URL, {}, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    again = customer_client.post(URL, {}, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == again.status_code == 400
    assert again.content == first.content


@pytest.mark.django_db
def test_pay_7_keys_are_kept_24_hours_then_purged(customer_client, time_machine):
    time_machine.move_to("2026-03-01 10:00:00+08:00")
    customer_client.post(URL, {"name": "g"}, format="json", HTTP_IDEMPOTENCY_KEY="k-ttl")
    time_machine.move_to("2026-03-02 09:59:00+08:00")
    assert idempotency_keys_purge() == 0
    replay = customer_client.post(URL, {"name": "g"}, format="json", HTTP_IDEMPOTENCY_KEY="k-ttl")
    assert replay["Idempotent-Replayed"] == "true"
    time_machine.shift(timedelta(hours=1))
    assert idempotency_keys_purge() == 1
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_pay_7_an_expired_key_is_claimed_afresh_before_the_purge_runs(customer_client, time_machine):
    """Issue 26: the claim no longer deletes expired keys on every request; a key past its TTL that the
    purge has not reached yet is a new request, not a replay (nor a 422 for a different body)."""
    time_machine.move_to("2026-03-01 10:00:00+08:00")
    first = customer_client.post(URL, {"name": "g"}, format="json", HTTP_IDEMPOTENCY_KEY="k-old")
    time_machine.move_to("2026-03-02 10:01:00+08:00")
    again = customer_client.post(URL, {"name": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-old")
    assert "Idempotent-Replayed" not in again
    assert again.status_code == first.status_code
    assert again.content != first.content
    replay = customer_client.post(URL, {"name": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-old")
    assert replay["Idempotent-Replayed"] == "true" and replay.content == again.content
    assert IdempotencyKey.objects.filter(key="k-old").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pay_7_twenty_parallel_identical_requests_have_one_effect():
    user = CustomerFactory()
    barrier = threading.Barrier(20)
    responses: list = []

    def call() -> None:
        try:
            client = _client(user)
            barrier.wait()
            responses.append(client.post(URL, {"name": "p"}, format="json", HTTP_IDEMPOTENCY_KEY="parallel"))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(responses) == 20
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(1 for r in responses if "Idempotent-Replayed" not in r) == 1
    assert Group.objects.filter(name__startswith="p-").count() == 1
