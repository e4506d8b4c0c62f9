"""PAY-3: Alipay in certificate mode (公钥证书模式) through the fake gateway — a test CA issues our
application's and Alipay's public-key certificates; every request carries ``app_cert_sn`` and
``alipay_root_cert_sn`` as Alipay computes them (the fake computes them its own way and refuses a mismatch);
every answer names the ``alipay_cert_sn`` it was signed under, checked against Alipay's configured
certificate, whose key verifies answers and notifications. Production starts in exactly one mode."""

import dataclasses
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest
from cryptography import x509

from orders.models import Order
from orders.payments.alipay_certs import cert_sn, certificates, root_cert_sn
from orders.selectors.money import order_paid_amount
from platform_core.deploy_checks import production_errors
from simulation.fakes.keys import AlipayCertificates, KeyPair
from tests.conftest import client_for
from tests.factories.orders import pending_order, sku_for_sale
from tests.fakes.alipay import FakeAlipay, start_fake_alipay
from tests.orders.test_gateways import _merchant_cancels, _notify, _pay_start
from tests.security.test_sec_5_production_refuses_to_start import _safe_production

pytestmark = pytest.mark.django_db


@pytest.fixture
def cert_alipay(settings) -> Iterator[FakeAlipay]:
    fake, configured = start_fake_alipay(certificate_mode=True)
    for name, value in configured.items():
        setattr(settings, name, value)
    settings.ORDERS_PAYMENT_PROVIDERS = ["sandbox", "alipay"]
    yield fake
    fake.stop()


def _params(fake: FakeAlipay, method: str) -> dict[str, str]:
    (request, *_rest) = fake.calls_to(method)
    return dict(parse_qsl(request.body.decode()))


def test_pay_3_alipay_certificate_sn_is_md5_of_the_issuer_dn_and_serial_and_the_root_joins_rsa_roots() -> (
    None
):
    files = AlipayCertificates.issue(app_key=KeyPair.generate(), alipay_key=KeyPair.generate(), app_id="2021")
    app = certificates(files.app_cert)[0]  # the file holds the chain: the SN is the first certificate's
    expected = hashlib.md5(  # noqa: S324
        f"CN=Fake Class 2 R1,OU=Certification Authority,O=Fake Ant Financial,C=CN{app.serial_number}".encode()
    ).hexdigest()
    assert cert_sn(app) == expected == files.app_cert_sn
    # the root bundle: two RSA roots and an EC root (Alipay's holds an SM2 one) — only the RSA ones count
    roots = x509.load_pem_x509_certificates(files.root_bundle.encode())
    assert len(roots) == 3
    assert root_cert_sn(files.root_bundle) == f"{cert_sn(roots[0])}_{cert_sn(roots[2])}" == files.root_cert_sn


def test_pay_3_alipay_certificate_mode_pay_notification_paid_and_refund(
    api_client, cert_alipay: FakeAlipay, django_capture_on_commit_callbacks
) -> None:
    order = pending_order(sku=sku_for_sale(price="88.50"))
    started = _pay_start(order, "alipay")
    sent = _params(cert_alipay, "alipay.trade.precreate")
    assert cert_alipay.certificates is not None
    assert (sent["app_cert_sn"], sent["alipay_root_cert_sn"]) == (
        cert_alipay.certificates.app_cert_sn,
        cert_alipay.certificates.root_cert_sn,
    )
    response = _notify(api_client, cert_alipay, started["out_trade_no"])
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order_paid_amount(order=order) == Decimal("88.50")
    refund = _merchant_cancels(order, django_capture_on_commit_callbacks)
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert list(cert_alipay.trades[started["out_trade_no"]].refunds.values()) == [Decimal("88.50")]


def test_pay_3_alipay_certificate_mode_refuses_an_answer_under_another_certificate_or_a_wrong_sn(
    settings, cert_alipay: FakeAlipay
) -> None:
    assert cert_alipay.certificates is not None
    configured = cert_alipay.certificates
    # Alipay signs under a certificate we have not configured (it rotated): the answer is not trusted
    rotated = AlipayCertificates.issue(
        app_key=KeyPair.generate(), alipay_key=cert_alipay.alipay_key, app_id="x"
    )
    cert_alipay.certificates = dataclasses.replace(configured, alipay_cert=rotated.alipay_cert)
    order = pending_order(sku=sku_for_sale(price="20.00"))
    refused = client_for(order.customer).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "alipay"}, format="json", HTTP_IDEMPOTENCY_KEY="p1"
    )
    assert refused.status_code == 422, refused.content
    # our root bundle is not the one Alipay issued: Alipay refuses the request
    cert_alipay.certificates = configured
    settings.ORDERS_ALIPAY_ROOT_CERT = rotated.root_bundle
    refused = client_for(order.customer).post(
        f"/api/v1/orders/{order.pk}/pay/", {"provider": "alipay"}, format="json", HTTP_IDEMPOTENCY_KEY="p2"
    )
    assert refused.status_code == 422, refused.content
    assert len(cert_alipay.calls_to("alipay.trade.precreate")) == 2  # both reached Alipay and were refused
    settings.ORDERS_ALIPAY_ROOT_CERT = configured.root_bundle
    assert _pay_start(order, "alipay")["out_trade_no"]


def test_pay_3_production_runs_alipay_in_exactly_one_mode(settings) -> None:
    _safe_production(settings)  # public-key mode
    assert production_errors() == []
    files = AlipayCertificates.issue(app_key=KeyPair.generate(), alipay_key=KeyPair.generate(), app_id="2021")
    settings.ORDERS_ALIPAY_APP_CERT = files.app_cert
    settings.ORDERS_ALIPAY_PUBLIC_CERT = files.alipay_cert
    settings.ORDERS_ALIPAY_ROOT_CERT = files.root_bundle
    assert [e.id for e in production_errors()] == ["platform.E106"]  # both modes
    settings.ORDERS_ALIPAY_PUBLIC_KEY = ""
    assert production_errors() == []  # certificate mode
    settings.ORDERS_ALIPAY_ROOT_CERT = ""
    missing = [e.msg.split(" ")[0] for e in production_errors() if e.id == "platform.E102"]
    assert missing == ["ORDERS_ALIPAY_ROOT_CERT"]
    settings.ORDERS_ALIPAY_ROOT_CERT = "/nonexistent/alipayRootCert.crt"
    assert [e.id for e in production_errors()] == ["platform.E106"]  # cannot be read
    settings.ORDERS_ALIPAY_APP_CERT = settings.ORDERS_ALIPAY_PUBLIC_CERT = (
        settings.ORDERS_ALIPAY_ROOT_CERT
    ) = ""
    missing = [e.msg.split(" ")[0] for e in production_errors() if e.id == "platform.E102"]
    assert missing == ["ORDERS_ALIPAY_PUBLIC_KEY"]  # neither mode
