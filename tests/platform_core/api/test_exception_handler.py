"""Domain errors map to clear HTTP answers: 400 with field messages, 404, 409."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

pytestmark = [pytest.mark.urls("tests.platform_core.api.urls_for_tests"), pytest.mark.django_db]


def test_not_found_is_404_with_code(api_client):
    response = api_client.get("/test/errors/notfound/")
    assert response.status_code == 404
    body = response.json()
    assert body.pop("request_id") == response["X-Request-ID"]  # issue 24: quote it to support
    assert body == {"code": "not_found", "detail": "No such order."}


def test_conflict_is_409_with_its_code(api_client):
    response = api_client.get("/test/errors/conflict/")
    assert response.status_code == 409
    assert response.json()["code"] == "escrow_held"


def test_django_validation_error_is_400_with_field_messages(api_client):
    response = api_client.get("/test/errors/django-validation/")
    assert response.status_code == 400
    assert response.json()["errors"] == {"amount": ["Must be positive."]}


def test_serializer_errors_are_400_with_field_messages(customer_client):
    response = customer_client.post("/test/groups/", {}, format="json", HTTP_IDEMPOTENCY_KEY="x")
    assert response.status_code == 400
    assert "name" in response.json()["errors"]
    assert not Group.objects.filter(name__contains="-").exists()


def test_unauthenticated_is_401_json(api_client):
    response = api_client.get(reverse("me"))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
