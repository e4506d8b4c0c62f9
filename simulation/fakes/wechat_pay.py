"""A fake WeChat Pay API v3 that keeps WeChat Pay's documented contract:

- every request's ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,
  serial_no=…`` is verified with the merchant's API public key (``mch_public``, serial ``mch_serial``)
  over ``"<METHOD>\\n<path?query>\\n<timestamp>\\n<nonce>\\n<body>\\n"`` (401 ``SIGN_ERROR`` otherwise);
- every answer, errors included, carries ``Wechatpay-Timestamp/-Nonce/-Serial/-Signature`` signed with the
  current platform key; ``GET /v3/certificates`` publishes the platform certificates encrypted
  (AEAD_AES_256_GCM) with the merchant's APIv3 key; ``rotate()`` publishes a new certificate and signs
  with it from then on (the old one stays published until it expires);
- ``POST /v3/pay/transactions/native`` (``code_url``; the same ``out_trade_no`` with other amounts is
  refused, a paid one is ``ORDERPAID``), ``GET /v3/pay/transactions/out-trade-no/{no}`` (404
  ``ORDER_NOT_EXIST``), ``POST …/{no}/close`` (204; a paid one ``ORDERPAID``);
- ``POST /v3/refund/domestic/refunds``: only on a paid trade, ``amount.total`` must be the trade's,
  never beyond what is left, idempotent on ``out_refund_no`` (the same number answers the same refund);
  a new refund is ``PROCESSING`` until ``complete_refunds()`` (or at once with
  ``refunds_complete_at_once``); ``GET /v3/refund/domestic/refunds/{out_refund_no}`` (404
  ``RESOURCE_NOT_EXISTS``);
- ``pay(out_trade_no)`` is the customer paying: the trade succeeds and the ``TRANSACTION.SUCCESS``
  notification (encrypted resource, signed headers) is returned (and POSTed with ``deliver=True``).

- bills (PAY-8, ``simulation.fakes.bills``): ``GET /v3/bill/tradebill`` and the file at its
  ``download_url``, built from ``bills`` (payments, and refunds once ``SUCCESS``; differences injectable).

- transfers (decision 045, ``simulation.fakes.wechat_pay_transfer``): ``WechatTransfers.install(fake)``.

Faults (``inject``) are named ``"<METHOD> <route>"``, e.g. ``"POST /v3/refund/domestic/refunds"``.
"""

import base64
import itertools
import json
import re
import secrets
import time
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from simulation.fakes.bills import BillBook, wechat_bill_routes
from simulation.fakes.keys import KeyPair, verify
from simulation.fakes.server import FakeGateway, FakeRequest, FakeResponse

MCH_ID = "1900000001"
APPID = "wx0000000000000001"
APIV3_KEY = "0123456789abcdef0123456789abcdef"

NATIVE = "POST /v3/pay/transactions/native"
QUERY = "GET /v3/pay/transactions/out-trade-no/{no}"
CLOSE = "POST /v3/pay/transactions/out-trade-no/{no}/close"
REFUND = "POST /v3/refund/domestic/refunds"
REFUND_QUERY = "GET /v3/refund/domestic/refunds/{no}"
CERTIFICATES = "GET /v3/certificates"
PATTERNS = [
    (CLOSE, re.compile(r"^POST /v3/pay/transactions/out-trade-no/([^/]+)/close$")),
    (QUERY, re.compile(r"^GET /v3/pay/transactions/out-trade-no/([^/]+)$")),
    (REFUND_QUERY, re.compile(r"^GET /v3/refund/domestic/refunds/([^/]+)$")),
]
AUTH = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class WechatTrade:
    out_trade_no: str
    total: int  # fen
    description: str
    notify_url: str
    state: str = "NOTPAY"
    transaction_id: str = ""
    openid: str = ""


@dataclass
class WechatRefund:
    out_refund_no: str
    out_trade_no: str
    refund: int
    total: int
    refund_id: str
    status: str = "PROCESSING"
    extra: dict[str, Any] = field(default_factory=dict)


class FakeWechatPay(FakeGateway):
    def __init__(self, *, mch_public: str, mch_serial: str, mchid: str = MCH_ID, appid: str = APPID,
                 apiv3_key: str = APIV3_KEY) -> None:  # fmt: skip
        super().__init__()
        self.mch_public, self.mch_serial, self.mchid, self.appid = mch_public, mch_serial, mchid, appid
        self.apiv3_key = apiv3_key
        self.certificates: list[tuple[str, KeyPair, str]] = []  # (serial, key, certificate PEM)
        self.trades: dict[str, WechatTrade] = {}
        self.refunds: dict[str, WechatRefund] = {}
        self.refunds_complete_at_once = False
        self.patterns = list(PATTERNS)  # routes with a path parameter (more installed: transfers)
        self._numbers = itertools.count(1)
        self.bills, self.bill_files = BillBook(), dict[str, bytes]()
        self.rotate()
        self.routes.update(wechat_bill_routes(self))
        self.routes.update(
            {
                NATIVE: self._native,
                QUERY: self._query,
                CLOSE: self._close,
                REFUND: self._refund,
                REFUND_QUERY: self._refund_query,
                CERTIFICATES: self._certificates,
            }
        )

    # --- platform certificates -------------------------------------------------------------------------

    def rotate(self) -> str:
        """A new platform certificate, published and used to sign from now on; its serial."""
        number = secrets.randbits(64) | 1
        key = KeyPair.generate()
        self.certificates.append((f"{number:X}", key, key.certificate(number)))
        return self.serial

    @property
    def serial(self) -> str:
        return self.certificates[-1][0]

    @property
    def platform_key(self) -> KeyPair:
        return self.certificates[-1][1]

    def _encrypt(self, plaintext: bytes, associated_data: str) -> dict[str, str]:
        nonce = secrets.token_hex(6)
        ciphertext = AESGCM(self.apiv3_key.encode()).encrypt(
            nonce.encode(), plaintext, associated_data.encode()
        )
        return {
            "algorithm": "AEAD_AES_256_GCM",
            "nonce": nonce,
            "associated_data": associated_data,
            "ciphertext": base64.b64encode(ciphertext).decode(),
        }

    def signed_headers(self, body: bytes) -> dict[str, str]:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
        return {
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Serial": self.serial,
            "Wechatpay-Signature": self.platform_key.sign(message),
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    # --- the protocol ------------------------------------------------------------------------------------

    def route_of(self, request: FakeRequest) -> str:
        line = f"{request.method} {request.path_only}"
        for name, pattern in self.patterns:
            if pattern.match(line):
                return name
        return line

    def _answer(self, status: int, data: dict[str, Any] | None) -> FakeResponse:
        body = json.dumps(data, ensure_ascii=False).encode() if data is not None else b""
        return FakeResponse(status, body, {"Content-Type": "application/json", **self.signed_headers(body)})

    def rejected(
        self, route: str, request: FakeRequest, status: int, code: str, message: str
    ) -> FakeResponse:
        return self._answer(status, {"code": code, "message": message})

    def _authentic(self, request: FakeRequest) -> FakeResponse | None:
        header = request.headers.get("Authorization", "")
        fields = dict(AUTH.findall(header))
        message = (
            f"{request.method}\n{request.path}\n{fields.get('timestamp', '')}\n{fields.get('nonce_str', '')}\n".encode()
            + request.body
            + b"\n"
        )
        if (
            not header.startswith("WECHATPAY2-SHA256-RSA2048 ")
            or fields.get("mchid") != self.mchid
            or fields.get("serial_no") != self.mch_serial
            or not verify(self.mch_public, message, fields.get("signature", ""))
        ):
            return self._answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        return None

    def _json(self, request: FakeRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _tail(self, request: FakeRequest, route: str) -> str:
        for name, pattern in self.patterns:
            if name == route:
                found = pattern.match(f"{request.method} {request.path_only}")
                if found:
                    return found.group(1)
        return ""

    # --- trades ----------------------------------------------------------------------------------------

    def _native(self, request: FakeRequest) -> FakeResponse:
        if (refused := self._authentic(request)) is not None:
            return refused
        data = self._json(request)
        amount = data.get("amount") or {}
        total = amount.get("total")
        if (
            data.get("mchid") != self.mchid
            or data.get("appid") != self.appid
            or not isinstance(total, int)
            or total <= 0
            or not data.get("out_trade_no")
            or not data.get("notify_url")
        ):
            return self._answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
        trade = self.trades.get(data["out_trade_no"])
        if trade is None:
            trade = WechatTrade(
                data["out_trade_no"], total, str(data.get("description", "")), data["notify_url"]
            )
            self.trades[trade.out_trade_no] = trade
        elif trade.total != total:
            return self._answer(400, {"code": "INVALID_REQUEST", "message": "201 商户订单号重复"})
        elif trade.state == "SUCCESS":
            return self._answer(400, {"code": "ORDERPAID", "message": "该订单已支付"})
        return self._answer(200, {"code_url": f"weixin://wxpay/bizpayurl?pr=fake{trade.out_trade_no}"})

    def _transaction(self, trade: WechatTrade) -> dict[str, Any]:
        data: dict[str, Any] = {
            "appid": self.appid,
            "mchid": self.mchid,
            "out_trade_no": trade.out_trade_no,
            "trade_state": trade.state,
            "trade_type": "NATIVE",
            "amount": {"total": trade.total, "currency": "CNY"},
        }
        if trade.state == "SUCCESS":
            data.update(
                transaction_id=trade.transaction_id,
                payer={"openid": trade.openid},
                success_time="2026-03-10T12:00:00+08:00",
            )
            data["amount"]["payer_total"] = trade.total
        return data

    def _query(self, request: FakeRequest) -> FakeResponse:
        if (refused := self._authentic(request)) is not None:
            return refused
        query = dict(parse_qsl(urlsplit(request.path).query))
        trade = self.trades.get(self._tail(request, QUERY))
        if query.get("mchid") != self.mchid:
            return self._answer(400, {"code": "PARAM_ERROR", "message": "mchid"})
        if trade is None:
            return self._answer(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
        return self._answer(200, self._transaction(trade))

    def _close(self, request: FakeRequest) -> FakeResponse:
        if (refused := self._authentic(request)) is not None:
            return refused
        trade = self.trades.get(self._tail(request, CLOSE))
        if trade is None:
            return self._answer(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
        if trade.state == "SUCCESS":
            return self._answer(400, {"code": "ORDERPAID", "message": "该订单已支付"})
        trade.state = "CLOSED"
        return self._answer(204, None)

    # --- refunds ---------------------------------------------------------------------------------------

    def _refund_view(self, refund: WechatRefund) -> dict[str, Any]:
        return {
            "refund_id": refund.refund_id,
            "out_refund_no": refund.out_refund_no,
            "out_trade_no": refund.out_trade_no,
            "transaction_id": self.trades[refund.out_trade_no].transaction_id,
            "channel": "ORIGINAL",
            "status": refund.status,
            "amount": {"refund": refund.refund, "total": refund.total, "currency": "CNY"},
        }

    def _refund(self, request: FakeRequest) -> FakeResponse:
        if (refused := self._authentic(request)) is not None:
            return refused
        data = self._json(request)
        amount = data.get("amount") or {}
        trade = self.trades.get(str(data.get("out_trade_no", "")))
        number = str(data.get("out_refund_no", ""))
        if trade is None or trade.state != "SUCCESS":
            return self._answer(404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在或未支付"})
        asked = amount.get("refund")
        if not number or not isinstance(asked, int) or asked <= 0:
            return self._answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
        if amount.get("total") != trade.total:
            return self._answer(400, {"code": "PARAM_ERROR", "message": "订单金额与原订单不一致"})
        existing = self.refunds.get(number)
        if existing is not None:
            if existing.refund != amount["refund"] or existing.out_trade_no != trade.out_trade_no:
                return self._answer(400, {"code": "INVALID_REQUEST", "message": "退款单号重复"})
            return self._answer(200, self._refund_view(existing))
        refunded = sum(r.refund for r in self.refunds.values() if r.out_trade_no == trade.out_trade_no)
        if refunded + amount["refund"] > trade.total:
            return self._answer(400, {"code": "INVALID_REQUEST", "message": "申请退款金额超过订单可退金额"})
        refund = WechatRefund(
            number, trade.out_trade_no, amount["refund"], trade.total, f"5030{next(self._numbers):024d}"
        )
        self.refunds[number] = refund
        if self.refunds_complete_at_once:
            self._refund_succeeds(refund)
        return self._answer(200, self._refund_view(refund))

    def _refund_query(self, request: FakeRequest) -> FakeResponse:
        if (refused := self._authentic(request)) is not None:
            return refused
        refund = self.refunds.get(self._tail(request, REFUND_QUERY))
        if refund is None:
            return self._answer(404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"})
        return self._answer(200, self._refund_view(refund))

    def complete_refunds(self) -> None:
        """WeChat Pay finishes processing every refund (the money is back with the customers)."""
        with self._lock:
            for refund in self.refunds.values():
                if refund.status == "PROCESSING":
                    self._refund_succeeds(refund)

    def _refund_succeeds(self, refund: WechatRefund) -> None:
        refund.status = "SUCCESS"
        trade = self.trades[refund.out_trade_no]
        self.bills.record("refund", trade_no=trade.transaction_id, out_trade_no=trade.out_trade_no,
                          amount=Decimal(refund.refund) / 100, subject=trade.description,
                          refund_no=refund.out_refund_no, refund_id=refund.refund_id)  # fmt: skip

    def _certificates(self, request: FakeRequest) -> FakeResponse:
        if (refused := self._authentic(request)) is not None:
            return refused
        data = [
            {
                "serial_no": serial,
                "effective_time": "2026-01-01T00:00:00+08:00",
                "expire_time": "2031-01-01T00:00:00+08:00",
                "encrypt_certificate": self._encrypt(certificate.encode(), "certificate"),
            }
            for serial, _key, certificate in self.certificates
        ]
        return self._answer(200, {"data": data})

    # --- the customer's side ---------------------------------------------------------------------------

    def pay(
        self, out_trade_no: str, *, openid: str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", deliver: bool = False
    ) -> tuple[dict[str, str], bytes]:
        """The customer pays: the trade succeeds; the signed ``TRANSACTION.SUCCESS`` notification
        ``(headers, body)`` (POSTed to the trade's ``notify_url`` too with ``deliver=True``)."""
        with self._lock:
            trade = self.trades[out_trade_no]
            if trade.state == "NOTPAY":
                trade.state, trade.openid = "SUCCESS", openid
                trade.transaction_id = f"4200{next(self._numbers):024d}"
                self.bills.record("payment", trade_no=trade.transaction_id, out_trade_no=out_trade_no,
                                  amount=Decimal(trade.total) / 100, subject=trade.description, payer=openid)  # fmt: skip
            headers, body = self.notification(out_trade_no)
        if deliver:
            self.deliver(trade.notify_url, headers, body)
        return headers, body

    def notification(self, out_trade_no: str) -> tuple[dict[str, str], bytes]:
        trade = self.trades[out_trade_no]
        body = json.dumps(
            {
                "id": f"EV-{trade.transaction_id}",
                "create_time": "2026-03-10T12:00:00+08:00",
                "resource_type": "encrypt-resource",
                "event_type": "TRANSACTION.SUCCESS",
                "summary": "支付成功",
                "resource": {
                    "original_type": "transaction",
                    **self._encrypt(json.dumps(self._transaction(trade)).encode(), "transaction"),
                },
            },
            ensure_ascii=False,
        ).encode()
        return {"Content-Type": "application/json", **self.signed_headers(body)}, body

    @staticmethod
    def deliver(notify_url: str, headers: dict[str, str], body: bytes, *, copies: int = 1) -> list[int]:
        statuses = []
        for _copy in range(copies):
            request = urllib.request.Request(notify_url, data=body, headers=headers)  # noqa: S310
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                statuses.append(response.status)
        return statuses


def start_fake_wechat_pay(
    *, notify_url: str = "https://marketplace.example/api/v1/payments/callbacks/wechat_pay/"
) -> tuple["FakeWechatPay", dict[str, Any]]:
    """A started fake and the settings that point the WeChat Pay provider at it (our key pair made here)."""
    ours, our_serial = KeyPair.generate(), "3775B6A45ACD588826D15E583A95F5DD********".replace("*", "0")
    fake = FakeWechatPay(mch_public=ours.public_pem, mch_serial=our_serial)
    fake.start()
    return fake, {
        "ORDERS_WECHAT_PAY_GATEWAY": fake.url,
        "ORDERS_WECHAT_PAY_MCH_ID": fake.mchid,
        "ORDERS_WECHAT_PAY_APPID": fake.appid,
        "ORDERS_WECHAT_PAY_MCH_PRIVATE_KEY": ours.private_pem,
        "ORDERS_WECHAT_PAY_MCH_SERIAL": our_serial,
        "ORDERS_WECHAT_PAY_APIV3_KEY": fake.apiv3_key,
        "ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY": fake.platform_key.public_pem,
        "ORDERS_WECHAT_PAY_PLATFORM_SERIAL": fake.serial,
        "ORDERS_WECHAT_PAY_NOTIFY_URL": notify_url,
    }
