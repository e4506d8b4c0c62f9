"""Issue 24: the schema says exactly what the server does, for every operation (generic: a new route is held
to the same contract the moment it exists — no list of routes here).

- every operation has a summary and a description of its own (never a docstring), translated;
- every operation documents its error answers, all in the one ``Error`` shape, with the ``code`` values;
- a handler that enforces ``Idempotency-Key`` (``@idempotent``) declares it, required as enforced (PAY-7);
- a view that paginates documents the page envelope; an invalid ``page_size`` is a 400;
- every tag has a description.
"""

import re
from typing import Any

import pytest
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from platform_core.api.schema import handler_idempotency
from tests.factories.accounts import CustomerFactory

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def schema_and_endpoints() -> tuple[dict[str, Any], dict[tuple[str, str], Any]]:
    generator = SchemaGenerator()
    with translation.override("en"):
        schema = generator.get_schema(request=None, public=True)
    found: list[Any] = list(generator.endpoints or [])
    endpoints = {(path, method.lower()): view for path, _regex, method, view in found}
    return schema, endpoints


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]


def test_api_contract_every_operation_has_its_own_summary_and_description(schema_and_endpoints):
    schema, _endpoints = schema_and_endpoints
    lacking = [
        op["operationId"]
        for _path, _method, op in _operations(schema)
        if not str(op.get("summary", "")).strip() or not str(op.get("description", "")).strip()
    ]
    assert lacking == []


def test_api_contract_every_operation_documents_its_errors_in_the_one_shape(schema_and_endpoints):
    schema, _endpoints = schema_and_endpoints
    assert {"code", "detail"} <= set(schema["components"]["schemas"]["Error"]["required"])
    assert "request_id" in schema["components"]["schemas"]["Error"]["properties"]
    without_errors = []
    for _path, method, op in _operations(schema):
        errors = {status: r for status, r in op["responses"].items() if status.startswith("4")}
        if not errors or "429" not in errors:
            without_errors.append(op["operationId"])
        for status, response in errors.items():
            assert response["content"]["application/json"]["schema"]["$ref"] == ERROR_REF, (
                op["operationId"],
                status,
            )
            assert "`code`: `" in response["description"], (op["operationId"], status)
        if method in ("post", "put", "patch") and "security" in op and op.get("security") != [{}]:
            assert {"400", "409"} <= set(errors), op["operationId"]
        if "{" in _path:
            assert "404" in errors, op["operationId"]
    assert without_errors == []


def test_api_contract_lists_domain_error_codes_under_their_status(schema_and_endpoints):
    schema, _endpoints = schema_and_endpoints
    checkout = schema["paths"]["/api/v1/checkout/"]["post"]["responses"]
    assert "`price_changed`" in checkout["409"]["description"]
    assert "`idempotency_key_required`" in checkout["400"]["description"]
    assert "`idempotency_key_reused`" in checkout["422"]["description"]


def test_pay_7_every_idempotent_handler_declares_the_header_as_it_enforces_it(schema_and_endpoints):
    schema, endpoints = schema_and_endpoints
    enforced = 0
    for path, method, op in _operations(schema):
        view = endpoints[(path, method)].cls
        mode = handler_idempotency(view, method)
        declared = [
            p for p in op.get("parameters", []) if p["in"] == "header" and p["name"] == "Idempotency-Key"
        ]
        if mode is None:
            assert declared == [], op["operationId"]
            continue
        enforced += 1
        assert len(declared) == 1, op["operationId"]
        assert declared[0].get("required", False) is (mode == "required"), op["operationId"]
    assert enforced >= 13  # the six of issue 24 among them
    for operation_path in (
        "/api/v1/merchant/aftersales/{request_id}/approve/",
        "/api/v1/merchant/aftersales/{request_id}/confirm-receipt/",
        "/api/v1/merchant/aftersales/{request_id}/refund/",
        "/api/v1/disputes/{dispute_id}/proposals/{proposal_id}/accept/",
        "/api/v1/merchant/disputes/{dispute_id}/proposals/{proposal_id}/accept/",
        "/api/v1/merchant/disputes/{dispute_id}/return/receive/",
    ):
        parameters = schema["paths"][operation_path]["post"]["parameters"]
        assert any(p["name"] == "Idempotency-Key" and p["required"] for p in parameters), operation_path


def test_api_contract_paginated_lists_are_documented_as_pages(schema_and_endpoints):
    schema, endpoints = schema_and_endpoints
    for path in ("/api/v1/me/favourites/", "/api/v1/me/follows/", "/api/v1/disputes/", "/api/v1/jury/cases/"):
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["$ref"].startswith("#/components/schemas/Paginated"), path
    for path, method, op in _operations(schema):
        view = endpoints[(path, method)].cls
        if method != "get" or getattr(view, "pagination_class", None) is None:
            continue
        body = op["responses"]["200"]["content"].get("application/json", {}).get("schema", {})
        assert body.get("type") != "array", op["operationId"]


def test_api_contract_page_size_must_be_a_whole_number(api_client):
    client = api_client
    client.force_authenticate(CustomerFactory())
    for bad in ("null", "0", "-1", "abc", "1.5"):
        response = client.get(f"/api/v1/me/favourites/?page_size={bad}")
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid"
        assert "page_size" in response.json()["errors"]
    answer = client.get("/api/v1/me/favourites/?page_size=5")
    assert answer.status_code == 200
    assert set(answer.json()) == {"count", "next", "previous", "results"}


def test_api_contract_every_tag_has_a_description(schema_and_endpoints):
    schema, _endpoints = schema_and_endpoints
    used = {tag for _p, _m, op in _operations(schema) for tag in op.get("tags", [])}
    described = {tag["name"] for tag in schema["tags"] if str(tag.get("description", "")).strip()}
    assert used - described == set()
    assert not ({"merchant", "merchants"} <= used)  # one name per resource


def test_api_contract_money_is_not_negative_in_the_schema(schema_and_endpoints):
    schema, _endpoints = schema_and_endpoints
    patterns = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("format") == "decimal" and str(node.get("pattern", "")).startswith("^-"):
                patterns.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema["components"])
    assert patterns == []


def test_api_contract_the_schema_speaks_chinese(api_client):
    response = api_client.get("/api/schema/?format=json&lang=zh-hans")
    assert response.status_code == 200
    schema = response.json()
    untranslated = [
        op["operationId"]
        for item in schema["paths"].values()
        for op in item.values()
        if not CJK.search(op["summary"]) or not CJK.search(op["description"])
    ]
    assert untranslated == []
    assert all(CJK.search(tag["description"]) for tag in schema["tags"])
    assert CJK.search(schema["info"]["description"])
    checkout = schema["paths"]["/api/v1/checkout/"]["post"]
    assert checkout["summary"] == "结算下单"
    assert CJK.search(checkout["responses"]["409"]["description"])


def test_api_contract_one_request_schema_per_operation(schema_and_endpoints):
    """A generated client builds one body: two content types of the same schema would leave it guessing."""
    schema, _endpoints = schema_and_endpoints
    ambiguous = []
    for _path, _method, op in _operations(schema):
        content = op.get("requestBody", {}).get("content", {})
        refs = [str(media.get("schema")) for media in content.values()]
        if len(refs) != len(set(refs)):
            ambiguous.append(op["operationId"])
    assert ambiguous == []
