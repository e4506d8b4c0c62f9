"""Test stand-ins for Alipay's and WeChat Pay's signing sides: key pairs made here, notifications signed
(and, for WeChat Pay v3, encrypted) exactly as the providers do, so the adapters' verification is real."""

import base64
import json
import time
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from orders.payments.alipay import sign_string
from orders.payments.wechat_pay import signed_message

APIV3_KEY = "0123456789abcdef0123456789abcdef"  # 32 bytes, as WeChat Pay's merchant platform issues
PLATFORM_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"


@cache
def private_key(name: str) -> rsa.RSAPrivateKey:
    """One RSA-2048 key pair per name for the test run (``alipay``, ``wechat``, ``impostor``)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(name: str) -> str:
    return (
        private_key(name)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa_sign(name: str, message: bytes) -> str:
    return base64.b64encode(private_key(name).sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def configure(settings: Any) -> None:
    """Point the adapters at the test keys (``settings`` is pytest-django's fixture)."""
    settings.ORDERS_ALIPAY_PUBLIC_KEY = public_pem("alipay")
    settings.ORDERS_ALIPAY_APP_ID = "2021000000000001"
    settings.ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY = public_pem("wechat")
    settings.ORDERS_WECHAT_PAY_PLATFORM_SERIAL = PLATFORM_SERIAL
    settings.ORDERS_WECHAT_PAY_APIV3_KEY = APIV3_KEY
    settings.ORDERS_WECHAT_PAY_MCH_ID = "1900000001"


def alipay_notification(
    *,
    out_trade_no: str,
    amount: Decimal,
    trade_no: str = "2026031022001",
    signer: str = "alipay",
    buyer_id: str = "2088102177846880",
) -> dict[str, str]:
    """The form fields of an Alipay async notification (``trade_status=TRADE_SUCCESS``), signed RSA2;
    the payer is ``buyer_id`` (``buyer_logon_id`` comes masked, as Alipay sends it)."""
    params = {
        "notify_time": "2026-03-10 12:00:00",
        "notify_type": "trade_status_sync",
        "notify_id": "ac05099524730693a8b330c5ecf72da9786",
        "app_id": "2021000000000001",
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "trade_no": trade_no,
        "out_trade_no": out_trade_no,
        "trade_status": "TRADE_SUCCESS",
        "total_amount": str(amount),
        "subject": "订单",
        "buyer_id": buyer_id,
        "buyer_logon_id": "159****5620",
    }
    params["sign"] = rsa_sign(signer, sign_string(params).encode())
    return params


def alipay_body(params: dict[str, str]) -> bytes:
    return urlencode(params).encode()


def wechat_notification(
    *,
    out_trade_no: str,
    amount: Decimal,
    transaction_id: str = "4200001234202603100000000001",
    signer: str = "wechat",
    timestamp: int | None = None,
    openid: str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
) -> tuple[dict[str, str], bytes]:
    """A WeChat Pay v3 ``TRANSACTION.SUCCESS`` notification: ``(headers, body)``; the payer is ``openid``."""
    transaction = {
        "mchid": "1900000001",
        "appid": "wx0000000000000001",
        "out_trade_no": out_trade_no,
        "transaction_id": transaction_id,
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "success_time": "2026-03-10T12:00:00+08:00",
        "payer": {"openid": openid},
        "amount": {"total": int(amount * 100), "payer_total": int(amount * 100), "currency": "CNY"},
    }
    nonce = "fdasflkja484w"
    ciphertext = AESGCM(APIV3_KEY.encode()).encrypt(
        nonce.encode(), json.dumps(transaction).encode(), b"transaction"
    )
    body = json.dumps(
        {
            "id": "EV-2018022511223320873",
            "create_time": "2026-03-10T12:00:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": "transaction",
                "nonce": nonce,
            },
        }
    ).encode()
    stamp, header_nonce = str(timestamp if timestamp is not None else int(time.time())), "5K8264ILTKCH16CQ25"
    headers = {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": header_nonce,
        "Wechatpay-Serial": PLATFORM_SERIAL,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        "Wechatpay-Signature": rsa_sign(signer, signed_message(stamp, header_nonce, body)),
    }
    return headers, body
