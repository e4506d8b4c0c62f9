"""ORD-5, ORD-10 (decision 024): parcels tracked by 快递100. Shipping (seller centre API) subscribes the parcel
at the aggregator, a local fake that checks the documented subscription; 快递100's signed pushes reach our
callback, each state maps to a tracking event, and 疑难 / 退回 / 拒签 open a delivery case. Staff entry
stays the fallback when the aggregator refuses a parcel."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from orders.models import DeliveryCase, Order, OrderEvent, TrackingEvent
from platform_core.accounts.models import User
from platform_core.celery import app as celery_app
from platform_core.notifications.models import Notification
from tests.conftest import client_for
from tests.factories.accounts import StaffFactory
from tests.factories.orders import paid_order, sku_for_sale
from tests.fakes.kuaidi100 import FakeKuaidi100

pytestmark = pytest.mark.django_db

KEY, SALT = "k100-key-of-this-test", "k100-salt-of-this-test"
CALLBACK = "https://marketplace.example/api/v1/logistics/callbacks/kuaidi100/"


@pytest.fixture
def kuaidi100(settings: Settings) -> Iterator[FakeKuaidi100]:
    fake = FakeKuaidi100(key=KEY).start()
    settings.ORDERS_LOGISTICS_CARRIERS = ["sandbox", "kuaidi100"]
    settings.ORDERS_KUAIDI100_KEY = KEY
    settings.ORDERS_KUAIDI100_SALT = SALT
    settings.ORDERS_KUAIDI100_CALLBACK_URL = CALLBACK
    settings.ORDERS_KUAIDI100_GATEWAY_URL = fake.gateway_url
    settings.ORDERS_KUAIDI100_TIMEOUT = 2.0
    yield fake
    fake.stop()


@pytest.fixture
def staff_client(client: Client) -> Client:
    user = StaffFactory.create()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_order", "add_trackingevent", "view_trackingevent"])
    )
    client.force_login(User.objects.get(pk=user.pk))
    return client


def _ship(
    order: Order, django_capture_on_commit_callbacks, *, carrier: str = "zhongtong", number: str = ""
) -> Order:
    number = number or f"7500{order.pk:08d}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(order.merchant.owner).post(
            f"/api/v1/merchant/orders/{order.pk}/ship/",
            {"carrier": carrier, "tracking_number": number},
            format="json",
        )
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    return order


def _deliver_push(
    fake: FakeKuaidi100, order: Order, *, monitor: str = "polling", message: str = "", salt: str | None = None
) -> tuple[int, bytes]:
    path, body = fake.push(order.carrier, order.tracking_number, monitor=monitor, message=message, salt=salt)
    response = Client().post(path, data=body, content_type="application/x-www-form-urlencoded")
    return response.status_code, response.content


def _timeline(order: Order) -> list[str]:
    return list(OrderEvent.objects.filter(order=order).values_list("action", flat=True))


def test_ord_5_shipping_subscribes_the_parcel_at_kuaidi100(
    kuaidi100, django_capture_on_commit_callbacks
) -> None:
    order = _ship(paid_order(sku=sku_for_sale()), django_capture_on_commit_callbacks)
    sub = kuaidi100.subscriptions[("zhongtong", order.tracking_number)]
    assert (sub.callbackurl, sub.salt, sub.resultv2) == (CALLBACK, SALT, "4")
    assert kuaidi100.requests[-1]["key"] == KEY
    assert "tracking_subscribed" in _timeline(order)


def test_ord_5_kuaidi100_pushes_record_events_oldest_first_and_deliver(
    kuaidi100, django_capture_on_commit_callbacks
) -> None:
    order = _ship(paid_order(sku=sku_for_sale()), django_capture_on_commit_callbacks)
    now = timezone.now()
    scans = [
        ("103", "揽收", "【杭州市】快件已揽收"),
        ("1002", "在途", "【杭州转运中心】已发出"),
        ("501", "派件", "【上海市】快件已放入驿站"),
    ]
    for minutes, (state, status, context) in enumerate(scans):
        kuaidi100.scan(
            "zhongtong",
            order.tracking_number,
            at=now + timedelta(minutes=minutes),
            state=state,
            status=status,
            context=context,
        )
    code, content = _deliver_push(kuaidi100, order)
    assert code == 200 and b'"returnCode": "200"' in content  # 快递100's acknowledgement
    kinds = list(TrackingEvent.objects.filter(order=order).order_by("at").values_list("kind", flat=True))
    assert kinds == ["picked_up", "in_transit", "out_for_delivery"]
    assert order.status == Order.Status.SHIPPED

    kuaidi100.scan(
        "zhongtong",
        order.tracking_number,
        at=now + timedelta(hours=1),
        state="301",
        status="签收",
        context="本人签收",
    )
    assert _deliver_push(kuaidi100, order)[0] == 200
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
    assert TrackingEvent.objects.filter(order=order).count() == 4


def test_ord_5_kuaidi100_repeated_push_records_each_event_once(
    kuaidi100, django_capture_on_commit_callbacks
) -> None:
    order = _ship(paid_order(sku=sku_for_sale()), django_capture_on_commit_callbacks)
    kuaidi100.scan(
        "zhongtong", order.tracking_number, at=timezone.now(), state="103", status="揽收", context="已揽收"
    )
    for _attempt in range(3):  # 快递100 pushes again when unsure we got it; full history every time
        assert _deliver_push(kuaidi100, order)[0] == 200
    assert TrackingEvent.objects.filter(order=order).count() == 1


def test_ord_5_kuaidi100_push_with_a_wrong_sign_is_refused(
    kuaidi100, django_capture_on_commit_callbacks
) -> None:
    order = _ship(paid_order(sku=sku_for_sale()), django_capture_on_commit_callbacks)
    kuaidi100.scan(
        "zhongtong", order.tracking_number, at=timezone.now(), state="301", status="签收", context="本人签收"
    )
    code, _content = _deliver_push(kuaidi100, order, salt="a-guessed-salt")
    assert code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED and not TrackingEvent.objects.filter(order=order).exists()


@pytest.mark.parametrize(
    ("state", "status", "context"),
    [
        ("204", "疑难", "派件异常：收件人地址不详"),
        ("6", "退回", "快件退回寄件人"),
        ("14", "拒签", "收件人拒收"),
    ],
)
def test_ord_10_kuaidi100_exception_states_open_a_delivery_case(
    kuaidi100, django_capture_on_commit_callbacks, state: str, status: str, context: str
) -> None:
    order = _ship(paid_order(sku=sku_for_sale()), django_capture_on_commit_callbacks)
    kuaidi100.scan(
        "zhongtong", order.tracking_number, at=timezone.now(), state=state, status=status, context=context
    )
    assert _deliver_push(kuaidi100, order)[0] == 200
    assert _deliver_push(kuaidi100, order)[0] == 200  # a repeated push opens nothing more
    case = DeliveryCase.objects.get(order=order)
    assert case.cause == DeliveryCase.Cause.EXCEPTION and case.status == DeliveryCase.Status.OPEN
    assert case.tracking_event is not None and case.tracking_event.description == context
    # OPS-3: the shop is told by SMS too (48 hours run), once
    assert (
        Notification.objects.filter(
            recipient=order.merchant.owner, event="delivery_case_opened", channel="sms"
        ).count()
        == 1
    )


def test_ord_10_kuaidi100_gives_up_watching_opens_a_delivery_case(
    kuaidi100, django_capture_on_commit_callbacks
) -> None:
    order = _ship(paid_order(sku=sku_for_sale()), django_capture_on_commit_callbacks)
    assert _deliver_push(kuaidi100, order, monitor="abort", message="3天查询无记录")[0] == 200
    case = DeliveryCase.objects.get(order=order)
    assert case.cause == DeliveryCase.Cause.EXCEPTION and "3天查询无记录" in case.note


def test_ord_10_reshipment_is_subscribed_and_tracked_like_the_first_parcel(
    kuaidi100, django_capture_on_commit_callbacks
) -> None:
    order = _ship(paid_order(sku=sku_for_sale()), django_capture_on_commit_callbacks)
    kuaidi100.scan(
        "zhongtong", order.tracking_number, at=timezone.now(), state="209", status="疑难", context="破损"
    )
    assert _deliver_push(kuaidi100, order)[0] == 200
    case = DeliveryCase.objects.get(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(order.merchant.owner).post(
            f"/api/v1/merchant/delivery-cases/{case.pk}/reship/",
            {"carrier": "yuantong", "tracking_number": "YT0000000001"},
            format="json",
        )
    assert response.status_code == 200, response.content
    assert ("yuantong", "YT0000000001") in kuaidi100.subscriptions
    order.refresh_from_db()
    kuaidi100.scan(
        "yuantong", "YT0000000001", at=timezone.now(), state="301", status="签收", context="本人签收"
    )
    assert _deliver_push(kuaidi100, order)[0] == 200
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED


@pytest.fixture
def worker_retries() -> Iterator[None]:
    """Eager tasks that ask to be retried run again at once (Celery's eager retry) instead of raising into
    the shipping request; the countdown each retry asked for is in the log."""
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = previous


def test_ord_5_kuaidi100_subscription_retries_server_errors_with_back_off(
    kuaidi100, django_capture_on_commit_callbacks, worker_retries, caplog: pytest.LogCaptureFixture
) -> None:
    kuaidi100.fail_next = 2  # 500 服务器错误, twice
    order = _ship(paid_order(sku=sku_for_sale()), django_capture_on_commit_callbacks)
    assert len(kuaidi100.requests) == 3
    assert ("zhongtong", order.tracking_number) in kuaidi100.subscriptions
    assert _timeline(order).count("tracking_subscribed") == 1
    assert "Retry in 60.0s" in caplog.text and "Retry in 120.0s" in caplog.text  # 1 min, then 2, …


def test_ord_5_kuaidi100_unreachable_after_every_attempt_leaves_staff_entry(
    kuaidi100, django_capture_on_commit_callbacks, worker_retries, settings: Settings
) -> None:
    settings.ORDERS_TRACKING_SUBSCRIBE_ATTEMPTS = 3
    kuaidi100.fail_next = 10
    order = _ship(paid_order(sku=sku_for_sale()), django_capture_on_commit_callbacks)
    assert len(kuaidi100.requests) == 3
    assert "tracking_subscription_failed" in _timeline(order) and "tracking_subscribed" not in _timeline(
        order
    )


def test_ord_5_kuaidi100_refused_courier_falls_back_to_staff_entry(
    kuaidi100, django_capture_on_commit_callbacks, staff_client
) -> None:
    order = _ship(
        paid_order(sku=sku_for_sale()), django_capture_on_commit_callbacks, carrier="a-local-courier"
    )
    assert len(kuaidi100.requests) == 1  # 701 拒绝订阅的快递公司: asked once, never again
    refused = OrderEvent.objects.get(order=order, action="tracking_refused")
    assert "701" in refused.reason
    response = staff_client.post(
        "/admin/orders/trackingevent/add/",
        {
            "order": order.pk,
            "kind": "delivered",
            "at_0": timezone.localdate().isoformat(),
            "at_1": "10:00:00",
            "location": "上海",
            "description": "客服电话确认已签收",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED


def test_ord_5_kuaidi100_pushes_are_not_throttled_per_address(
    kuaidi100, django_capture_on_commit_callbacks, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    rates = {"anon": "2/min", "user": "2/min", "login": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    order = _ship(paid_order(sku=sku_for_sale()), django_capture_on_commit_callbacks)
    kuaidi100.scan(
        "zhongtong", order.tracking_number, at=timezone.now(), state="103", status="揽收", context="揽收"
    )
    assert [_deliver_push(kuaidi100, order)[0] for _ in range(5)] == [200] * 5
