"""Issue 24: a client generated from ``/api/schema/`` at test time runs the customer's and the merchant's
journeys with no hand-written request. Every answer must be a status the schema documents
(``raise_on_unexpected_status``) and parse into the generated model (``from_dict``: a missing required
field or an unknown enum value raises); an ``Error`` where a model was expected fails the step.

The package is generated once per session into a temporary directory (openapi-python-client, offline).
Requests reach Django through its test client (``tests.helpers.generated_client.DjangoTransport``).
"""

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from django.utils import timezone
from knox.models import AuthToken

from orders.logistics import sandbox_sign
from tests.factories.orders import shop, shop_category, sku_for_sale
from tests.helpers.generated_client import DjangoTransport, generate_client

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase"


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory, django_db_blocker: Any) -> Iterator[ModuleType]:
    with django_db_blocker.unblock():
        yield generate_client(Path(tmp_path_factory.mktemp("generated_client")))


def _module(api: ModuleType, tag: str, operation: str) -> Any:
    import importlib

    return importlib.import_module(f"{api.__name__}.api.{tag}.{operation}")


class Caller:
    """One person's generated client: ``call("cart", "checkout_create", body=…)`` → the parsed model."""

    def __init__(self, api: ModuleType, token: str | None = None) -> None:
        self.api = api
        options: dict[str, Any] = {
            "base_url": "http://testserver",
            "raise_on_unexpected_status": True,
            "httpx_args": {"transport": DjangoTransport()},
        }
        self.client = (
            api.AuthenticatedClient(token=token, prefix="Token", **options)
            if token
            else api.Client(**options)
        )

    def model(self, name: str) -> Any:
        import importlib

        return getattr(importlib.import_module(f"{self.api.__name__}.models"), name)

    def call(self, tag: str, operation: str, expected: int, **kwargs: Any) -> Any:
        response = _module(self.api, tag, operation).sync_detailed(client=self.client, **kwargs)
        error_model = self.model("Error")
        assert response.status_code == expected, (operation, response.status_code, response.content[:500])
        assert not isinstance(response.parsed, error_model), (operation, response.parsed)
        return response.parsed


def _sign_in(api: ModuleType, login: str) -> Caller:
    anonymous = Caller(api)
    token = anonymous.call(
        "accounts",
        "auth_login_create",
        200,
        body=anonymous.model("LoginInputRequest")(login=login, password=PASSWORD),
    ).token
    return Caller(api, token)


def test_issue24_generated_client_runs_the_customer_and_merchant_journeys(
    api: ModuleType, django_capture_on_commit_callbacks: Any
) -> None:
    category = shop_category(commission_rate="0.0600")
    merchant = shop(category)
    sku_for_sale(merchant=merchant, price="150.00", stock=5, title="生成客户端保温杯")
    _owner_token, owner_key = AuthToken.objects.create(user=merchant.owner)
    merchant_api = Caller(api, owner_key)

    # register, sign in, search
    anonymous = Caller(api)
    anonymous.call(
        "accounts",
        "auth_register_create",
        202,
        body=anonymous.model("RegisterInputRequest")(email="gen@example.com", password=PASSWORD, name="顾客"),
    )
    customer = _sign_in(api, "gen@example.com")
    found = anonymous.call("listings", "listings_list", 200, q="生成客户端").results
    assert len(found) == 1
    listing = anonymous.call("listings", "listings_retrieve", 200, listing_id=found[0].id)
    sku_id = listing.skus[0].id

    # cart, checkout, pay at the sandbox (its signed notification is verified and posted to escrow)
    customer.call("cart", "cart_create", 200, body=customer.model("CartInputRequest")(sku=sku_id, quantity=1))
    cart = customer.call("cart", "cart_retrieve", 200)
    orders = customer.call(
        "cart",
        "checkout_create",
        201,
        idempotency_key="gen-checkout",
        body=customer.model("CheckoutInputRequest")(
            shipping_name="顾客",
            shipping_phone="13800000000",
            shipping_address="北京市1号",
            expected_total=cart.total,
        ),
    )
    order_id = orders[0].id
    payment = customer.call(
        "payments",
        "orders_pay_create",
        201,
        order_id=order_id,
        idempotency_key="gen-pay",
        body=customer.model("OrderPayInputRequest")(provider=customer.model("ProviderEnum").SANDBOX),
    )
    with django_capture_on_commit_callbacks(execute=True):
        customer.call("payments", "payments_sandbox_pay_create", 202, out_trade_no=payment.out_trade_no)
    assert customer.call("orders", "orders_retrieve", 200, order_id=order_id).status.value == "paid"

    # the merchant ships; the carrier's signed webhook delivers; the customer confirms
    merchant_orders = merchant_api.call("orders", "merchant_orders_list", 200, to_ship=True).results
    assert [o.id for o in merchant_orders] == [order_id]
    merchant_api.call(
        "orders",
        "merchant_orders_ship_create",
        200,
        order_id=order_id,
        body=merchant_api.model("MerchantOrderShipInputRequest")(
            carrier="sandbox", tracking_number="GEN0001"
        ),
    )
    webhook = anonymous.model("CarrierWebhookRequest")(
        event_id="gen-1",
        tracking_number="GEN0001",
        kind=anonymous.model("TrackingEventKindEnum")("delivered"),
        at=timezone.now(),
        location="北京",
    )
    sent = httpx.Request("POST", "http://testserver/", json=webhook.to_dict()).content  # the bytes it sends
    anonymous.call(
        "logistics",
        "logistics_callbacks_create",
        200,
        carrier="sandbox",
        body=webhook,
        x_carrier_signature=sandbox_sign(sent),
    )
    assert (
        customer.call("orders", "orders_confirm_receipt_create", 200, order_id=order_id).status.value
        == "completed"
    )
    detail = customer.call("orders", "orders_retrieve", 200, order_id=order_id)
    line_id = detail.lines[0].id

    # review, and the merchant's reply
    customer.call(
        "reviews",
        "orders_lines_review_create",
        201,
        order_id=order_id,
        line_id=line_id,
        body=customer.model("ReviewInputRequest")(
            rating=5,
            description_rating=5,
            service_rating=5,
            logistics_rating=5,
            text="很好用，保温效果不错。",
        ),
    )
    review = merchant_api.call("reviews", "merchant_reviews_list", 200).results[0]
    merchant_api.call(
        "reviews",
        "merchant_reviews_reply_create",
        200,
        review_id=review.id,
        body=merchant_api.model("MerchantReviewReplyInputRequest")(text="谢谢支持！"),
    )

    # after-sales: a partial refund asked, refused by the shop, escalated to a dispute
    request = customer.call(
        "aftersales",
        "aftersales_create",
        201,
        body=customer.model("RequestListCreateInputRequest")(
            order=order_id,
            line=line_id,
            kind=customer.model("AfterSalesKindEnum").REFUND_ONLY,
            reason_kind=customer.model("ReasonKindEnum").QUALITY,
            reason="杯盖漏水。",
            amount="50.00",
        ),
    )
    assert [r.id for r in merchant_api.call("aftersales", "merchant_aftersales_list", 200).results] == [
        request.id
    ]
    merchant_api.call(
        "aftersales",
        "merchant_aftersales_refuse_create",
        200,
        request_id=request.id,
        body=merchant_api.model("ReasonInputRequest")(reason="使用痕迹明显，非质量问题。"),
    )
    customer.call(
        "aftersales",
        "aftersales_escalate_create",
        200,
        request_id=request.id,
        body=customer.model("ReasonInputRequest")(reason="确实是质量问题，请平台处理。"),
    )
    disputes = customer.call("disputes", "disputes_list", 200).results
    assert len(disputes) == 1
    customer.call("disputes", "disputes_retrieve", 200, dispute_id=disputes[0].id)
    assert [d.id for d in merchant_api.call("disputes", "merchant_disputes_list", 200).results] == [
        disputes[0].id
    ]
    merchant_api.call("disputes", "merchant_disputes_retrieve", 200, dispute_id=disputes[0].id)

    # a complaint about the shop
    complaint = customer.call(
        "complaints",
        "complaints_create",
        201,
        body=customer.model("ComplaintListCreateInputRequest")(
            target_kind=customer.model("TargetKindEnum").MERCHANT,
            category=customer.model("CategoryEnum").SERVICE_ATTITUDE,
            description="客服回复很慢。",
            merchant=merchant.pk,
        ),
    )
    customer.call("complaints", "complaints_retrieve", 200, complaint_id=complaint.id)

    # the merchant's own API: the shop, a new listing submitted for review, statements
    merchant_api.call("merchants", "merchant_retrieve", 200)
    draft = merchant_api.call(
        "listings",
        "merchant_listings_create",
        201,
        body=merchant_api.model("MerchantListingListInputRequest")(
            category=category.slug,
            title="生成客户端新品",
            description="双层不锈钢，保温十二小时。",
            skus=[merchant_api.model("SkuInputRequest")(code="GEN-NEW-1", price="88.00", stock=3)],
        ),
    )
    submitted = merchant_api.call("listings", "merchant_listings_submit_create", 200, listing_id=draft.id)
    assert submitted.id == draft.id
    assert [item.id for item in merchant_api.call("listings", "merchant_listings_list", 200).results]
    merchant_api.call("statements", "merchant_statements_list", 200)
