"""PAY-3, ORD-5, PAY-4 (issue 20 item 1, decision 019): production has no sandbox.

The attack: under production settings, pay a ¥8,999 order (or a merchant's deposit) through the sandbox
provider's cashier, or post a callback signed with the key published in the code
(``sandbox-payments-not-secret``), or a carrier webhook signed with ``sandbox-carrier-not-secret`` that
marks the order delivered. Each must be refused: the sandbox is not enabled, routed, or offered in the
schema. The first tests attack in-process with production's provider lists; the others boot the
production settings in a fresh process, as a deployment would.
"""

import json

import pytest
from django.urls import NoReverseMatch, get_resolver, reverse
from pytest_django.fixtures import Settings
from rest_framework.fields import ChoiceField

from merchants.selectors.standing import merchant_deposit_balance
from orders.logistics import sandbox_webhook
from orders.models import Order, Payment
from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_complete
from orders.services.payments import deposit_pay_start
from platform_core.settings._dev_defaults import DEV_SECRETS
from tests.conftest import client_for
from tests.factories.merchants import MerchantFactory
from tests.factories.orders import pending_order, shipped_order, shop_category, start_payment
from tests.security.production import production_env, run, this_database_url

PRODUCTION_PROVIDERS = ["alipay", "wechat_pay"]


def _production_lists(settings: Settings) -> None:
    """Production's provider lists, in this (development) process: its URLconf is loaded first, as the
    process started it, so the cashier route stays mounted and the services' own refusal is what is tested
    (the production URLconf, without the route, is tested in a fresh process below)."""
    get_resolver().url_patterns  # noqa: B018  (loading the URLconf is the point)
    settings.ORDERS_PAYMENT_PROVIDERS = PRODUCTION_PROVIDERS
    settings.ORDERS_LOGISTICS_CARRIERS = []
    settings.ORDERS_PAYOUT_PROVIDER = "manual"


def _signed_post(client, url: str, header: str, headers: dict[str, str], body: bytes):
    meta = "HTTP_" + header.upper().replace("-", "_")
    return client.generic("POST", url, body, content_type="application/json", **{meta: headers[header]})


# --- in-process: the services and the API refuse a provider that is not enabled ----------------------


@pytest.mark.django_db
def test_pay_3_order_pay_with_the_sandbox_is_refused_when_it_is_not_enabled(settings, api_client) -> None:
    order = pending_order()
    _production_lists(settings)
    response = client_for(order.customer).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "sandbox"}, format="json", HTTP_IDEMPOTENCY_KEY="x1"
    )
    assert response.status_code == 400, response.content
    assert "provider" in response.json()["errors"]
    assert not Payment.objects.filter(order=order).exists()


@pytest.mark.django_db
def test_pay_3_sandbox_cashier_and_forged_callback_leave_the_order_unpaid(settings, api_client) -> None:
    """A sandbox payment opened before the switch (or forged into the table) cannot be paid or called back."""
    order = pending_order()
    payment = start_payment(order)
    headers, body = sandbox_complete(payment)  # signed with the published development key
    _production_lists(settings)

    cashier = client_for(order.customer).post(f"/api/v1/payments/sandbox/{payment.out_trade_no}/pay/")
    callback = _signed_post(
        api_client, "/api/v1/payments/callbacks/sandbox/", SIGNATURE_HEADER, headers, body
    )

    assert (cashier.status_code, callback.status_code) == (404, 404), (cashier.content, callback.content)
    assert callback["Content-Type"].startswith("application/json")
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


@pytest.mark.django_db
def test_pay_3_forged_deposit_callback_credits_nothing(settings, api_client) -> None:
    category = shop_category(deposit="1000.00")
    merchant = MerchantFactory.create(categories=[category])
    payment = deposit_pay_start(
        merchant=merchant, category_id=category.pk, provider="sandbox", actor=merchant.owner
    )
    headers, body = sandbox_complete(payment)
    _production_lists(settings)

    start = client_for(merchant.owner).post(
        "/api/v1/merchant/deposits/pay/",
        {"category": category.pk, "provider": "sandbox"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="d1",
    )
    callback = _signed_post(
        api_client, "/api/v1/payments/callbacks/sandbox/", SIGNATURE_HEADER, headers, body
    )

    assert start.status_code == 400, start.content
    assert callback.status_code == 404, callback.content
    assert merchant_deposit_balance(merchant=merchant) == 0


@pytest.mark.django_db
def test_ord_5_forged_sandbox_carrier_webhook_does_not_deliver(settings, api_client) -> None:
    from django.utils import timezone

    order = shipped_order()
    headers, body = sandbox_webhook(
        event_id="forged-1", tracking_number=order.tracking_number, kind="delivered", at=timezone.now()
    )
    _production_lists(settings)
    response = _signed_post(
        api_client, "/api/v1/logistics/callbacks/sandbox/", "X-Carrier-Signature", headers, body
    )
    assert response.status_code == 404, response.content
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED


def test_pay_3_the_schema_enum_follows_the_enabled_providers(settings) -> None:
    from orders.api.customer_orders import OrderPayApi

    def provider_field() -> ChoiceField:
        field = OrderPayApi.InputSerializer().fields["provider"]
        assert isinstance(field, ChoiceField)
        return field

    assert "sandbox" in provider_field().choices
    _production_lists(settings)
    field = provider_field()
    assert list(field.choices) == PRODUCTION_PROVIDERS
    assert field.default == "alipay"


# --- the production settings, booted in a fresh process ---------------------------------------------

ATTACK = r"""
import hashlib, hmac, json, sys
import django
django.setup()
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse

key = sys.argv[1].encode()
carrier_key = sys.argv[2].encode()
client = Client(HTTP_HOST="marketplace.example")
answers = {}
answers["cashier"] = client.post("/api/v1/payments/sandbox/ORDER1P1/pay/", secure=True).status_code
body = json.dumps({"out_trade_no": "ORDER1P1", "trade_no": "SBX1", "total_amount": "8999.00",
                   "trade_status": "TRADE_SUCCESS"}).encode()
answers["callback"] = client.post(
    "/api/v1/payments/callbacks/sandbox/", body, content_type="application/json", secure=True,
    HTTP_X_SANDBOX_SIGNATURE=hmac.new(key, body, hashlib.sha256).hexdigest(),
).status_code
body = json.dumps({"event_id": "e1", "tracking_number": "SF1", "kind": "delivered",
                   "at": "2026-01-01T00:00:00+08:00", "location": "", "description": ""}).encode()
answers["carrier"] = client.post(
    "/api/v1/logistics/callbacks/sandbox/", body, content_type="application/json", secure=True,
    HTTP_X_CARRIER_SIGNATURE=hmac.new(carrier_key, body, hashlib.sha256).hexdigest(),
).status_code
answers["metrics_without_token"] = client.get("/metrics", secure=True).status_code
answers["metrics_wrong_token"] = client.get("/metrics", secure=True, HTTP_AUTHORIZATION="Bearer x").status_code
try:
    reverse("payments-sandbox-pay", kwargs={"out_trade_no": "X"})
    answers["cashier_route"] = "mounted"
except NoReverseMatch:
    answers["cashier_route"] = "absent"
print(json.dumps(answers))
"""


@pytest.mark.django_db
def test_pay_3_production_answers_404_to_every_sandbox_attack_path() -> None:
    """Signed with the keys published in the code: the paths do not exist in production."""
    env = production_env(DATABASE_URL=this_database_url(), DJANGO_SETTINGS_MODULE="platform_core.settings")
    result = run(
        [
            "-c",
            ATTACK,
            DEV_SECRETS["ORDERS_PAYMENT_SANDBOX_KEY"],
            DEV_SECRETS["ORDERS_LOGISTICS_SANDBOX_KEY"],
        ],
        env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers == {
        "cashier": 404,
        "callback": 404,
        "carrier": 404,
        "metrics_without_token": 401,
        "metrics_wrong_token": 401,
        "cashier_route": "absent",
    }


def _schema(env: dict[str, str]) -> dict:
    result = run(["manage.py", "spectacular", "--format", "openapi-json"], env)
    assert result.returncode == 0, result.stderr
    schema: dict = json.loads(result.stdout)
    return schema


def _provider_enums(schema: dict) -> list[list[str]]:
    return [
        component["enum"]
        for component in schema["components"]["schemas"].values()
        # the payment providers' enums (not, e.g., the payout account's kind: bank or alipay)
        if "alipay" in component.get("enum", []) and {"wechat_pay", "sandbox"} & set(component["enum"])
    ]


def test_pay_3_production_schema_offers_no_sandbox() -> None:
    production = _schema(production_env())
    assert not [path for path in production["paths"] if "sandbox" in path]
    enums = _provider_enums(production)
    assert enums and all(enum == PRODUCTION_PROVIDERS for enum in enums), enums
    # the same test sees the sandbox where it is enabled (it can fail)
    development = _schema(production_env(ORDERS_PAYMENT_PROVIDERS="sandbox,alipay,wechat_pay"))
    assert "/api/v1/payments/sandbox/{out_trade_no}/pay/" in development["paths"]
    assert all("sandbox" in enum for enum in _provider_enums(development))


def test_pay_3_reverse_of_the_cashier_exists_outside_production() -> None:
    """The development URLconf (this process) mounts the cashier; production's (above) does not."""
    try:
        reverse("payments-sandbox-pay", kwargs={"out_trade_no": "X"})
    except NoReverseMatch:  # pragma: no cover - the assertion below explains
        pytest.fail("the development settings should mount the sandbox cashier")
