"""A fake Alipay open-platform gateway (``/gateway.do``) that keeps Alipay's documented contract:

- every request's RSA2 signature is verified with the merchant application's public key (``app_public``)
  over the sorted ``k=v`` string of every parameter but ``sign``; a foreign ``app_id`` or a bad signature
  is refused (``40002`` ``isv.invalid-signature``);
- every answer is ``{"<method>_response": {...}, "sign": "..."}``, the node signed with the fake's own
  key (``alipay_key``: the "Alipay public key" our settings hold is ``fake.alipay_key.public_pem``);
- trades: ``alipay.trade.precreate`` (a QR code; the same ``out_trade_no`` with another amount is
  ``ACQ.CONTEXT_INCONSISTENT``, a paid one ``ACQ.TRADE_HAS_SUCCESS``), ``alipay.trade.page.pay`` (GET, the
  cashier page), ``alipay.trade.query``, ``alipay.trade.close`` (only an unpaid trade);
- refunds: ``alipay.trade.refund`` only on a paid trade, never beyond what is left
  (``ACQ.REFUND_AMT_NOT_EQUAL_TOTAL``), idempotent on ``out_request_no`` (the same number again refunds
  nothing more: ``fund_change=N``; with another amount it is refused), and
  ``alipay.trade.fastpay.refund.query`` (no ``refund_amount`` when there is no such refund);
- ``pay(out_trade_no)`` is the customer paying: the trade succeeds and the signed asynchronous
  notification (form fields, RSA2 over the sign string without ``sign``/``sign_type``) is returned and,
  with ``deliver=True``, POSTed to the trade's ``notify_url``.

- bills (PAY-8, ``simulation.fakes.bills``): ``alipay.data.dataservice.bill.downloadurl.query`` and the
  zip at its URL, built from ``bills`` (the fake's record of payments and refunds, differences injectable).

- certificate mode (公钥证书模式, ``start_fake_alipay(certificate_mode=True)``: ``certificates``): every
  request must carry our ``app_cert_sn`` and the ``alipay_root_cert_sn`` of the root bundle as Alipay computes
  them (``simulation.fakes.keys.alipay_sn``), otherwise ``40002``; every answer names its ``alipay_cert_sn``.

Faults (``inject``) are named by the method, e.g. ``fake.inject("alipay.trade.refund", "drop")``.
"""

import itertools
import json
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from simulation.fakes.bills import BillBook, alipay_bill_routes
from simulation.fakes.keys import AlipayCertificates, KeyPair, verify
from simulation.fakes.server import FakeGateway, FakeRequest, FakeResponse

APP_ID = "2021000000000001"


@dataclass
class AlipayTrade:
    out_trade_no: str
    amount: Decimal
    subject: str
    notify_url: str
    status: str = "WAIT_BUYER_PAY"
    trade_no: str = ""
    buyer_id: str = ""
    refunds: dict[str, Decimal] = field(default_factory=dict)  # out_request_no -> amount

    @property
    def refunded(self) -> Decimal:
        return sum(self.refunds.values(), Decimal("0.00"))


class FakeAlipay(FakeGateway):
    def __init__(self, *, app_public: str, app_id: str = APP_ID, alipay_key: KeyPair | None = None) -> None:
        super().__init__()
        self.app_public, self.app_id = app_public, app_id
        self.alipay_key = alipay_key or KeyPair.generate()
        # certificate mode (公钥证书模式): the SNs every request must carry, the SN every answer names
        self.certificates: AlipayCertificates | None = None
        self.trades: dict[str, AlipayTrade] = {}
        self._numbers = itertools.count(1)
        self.bills, self.bill_files = BillBook(), dict[str, bytes]()
        self.routes.update(alipay_bill_routes(self))
        self.routes.update(
            {
                "alipay.trade.precreate": self._precreate,
                "alipay.trade.page.pay": self._page_pay,
                "alipay.trade.query": self._query,
                "alipay.trade.close": self._close,
                "alipay.trade.refund": self._refund,
                "alipay.trade.fastpay.refund.query": self._refund_query,
            }
        )

    @property
    def gateway_url(self) -> str:
        return f"{self.url}/gateway.do"

    # --- the protocol --------------------------------------------------------------------------------

    @staticmethod
    def params_of(request: FakeRequest) -> dict[str, str]:
        query = dict(parse_qsl(urlsplit(request.path).query, keep_blank_values=True))
        body = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)) if request.body else {}
        return {**query, **body}

    def route_of(self, request: FakeRequest) -> str:
        return self.params_of(request).get("method") or request.path_only

    def _answer(self, method: str, node: dict[str, Any], status: int = 200) -> FakeResponse:
        key = "error_response" if node.get("code") == "40002" else method.replace(".", "_") + "_response"
        raw = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        cert_sn = f',"alipay_cert_sn":"{self.certificates.alipay_cert_sn}"' if self.certificates else ""
        signature = self.alipay_key.sign(raw.encode("utf-8"))
        text = '{"' + key + '":' + raw + cert_sn + ',"sign":"' + signature + '"}'
        return FakeResponse(status, text.encode("utf-8"), {"Content-Type": "application/json;charset=utf-8"})

    def rejected(
        self, route: str, request: FakeRequest, status: int, code: str, message: str
    ) -> FakeResponse:
        return self._answer(
            route, {"code": "40004", "msg": "Business Failed", "sub_code": code, "sub_msg": message}
        )

    def _ok(self, method: str, **fields: Any) -> FakeResponse:
        return self._answer(method, {"code": "10000", "msg": "Success", **fields})

    def _authentic(self, request: FakeRequest) -> tuple[dict[str, str], dict[str, Any]] | FakeResponse:
        params = self.params_of(request)
        method = params.get("method", "")
        message = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] != "")
        if (
            params.get("app_id") != self.app_id
            or params.get("sign_type") != "RSA2"
            or not verify(self.app_public, message.encode("utf-8"), params.get("sign", ""))
        ):
            return self._answer(
                method,
                {
                    "code": "40002",
                    "msg": "Invalid Arguments",
                    "sub_code": "isv.invalid-signature",
                    "sub_msg": "验签出错",
                },
            )
        if self.certificates is not None and (
            params.get("app_cert_sn") != self.certificates.app_cert_sn
            or params.get("alipay_root_cert_sn") != self.certificates.root_cert_sn
        ):
            return self._answer(
                method,
                {
                    "code": "40002",
                    "msg": "Invalid Arguments",
                    "sub_code": "isv.invalid-cert-sn",
                    "sub_msg": "应用公钥证书序列号或支付宝根证书序列号不匹配",
                },
            )
        try:
            biz = json.loads(params.get("biz_content") or "{}")
        except ValueError:
            return self.rejected(method, request, 400, "isv.invalid-parameter", "biz_content")
        return params, biz

    @staticmethod
    def _amount(value: Any) -> Decimal | None:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return None
        return amount if amount > 0 and amount == amount.quantize(Decimal("0.01")) else None

    # --- trades --------------------------------------------------------------------------------------

    def _open(self, method: str, request: FakeRequest) -> AlipayTrade | FakeResponse:
        checked = self._authentic(request)
        if isinstance(checked, FakeResponse):
            return checked
        params, biz = checked
        amount = self._amount(biz.get("total_amount"))
        if amount is None or not biz.get("out_trade_no"):
            return self.rejected(method, request, 400, "ACQ.INVALID_PARAMETER", "total_amount")
        trade = self.trades.get(biz["out_trade_no"])
        if trade is not None:
            if trade.amount != amount:
                return self.rejected(method, request, 400, "ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
            if trade.status != "WAIT_BUYER_PAY":
                return self.rejected(method, request, 400, "ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
            return trade
        trade = AlipayTrade(
            biz["out_trade_no"], amount, str(biz.get("subject", "")), params.get("notify_url", "")
        )
        self.trades[trade.out_trade_no] = trade
        return trade

    def _precreate(self, request: FakeRequest) -> FakeResponse:
        trade = self._open("alipay.trade.precreate", request)
        if isinstance(trade, FakeResponse):
            return trade
        return self._ok(
            "alipay.trade.precreate",
            out_trade_no=trade.out_trade_no,
            qr_code=f"https://qr.alipay.com/fake{trade.out_trade_no}",
        )

    def _page_pay(self, request: FakeRequest) -> FakeResponse:
        trade = self._open("alipay.trade.page.pay", request)
        if isinstance(trade, FakeResponse):
            return trade
        page = f"<html><body>Fake Alipay cashier: {trade.out_trade_no} ¥{trade.amount}</body></html>"
        return FakeResponse(200, page.encode(), {"Content-Type": "text/html;charset=utf-8"})

    def _trade_for(
        self, method: str, request: FakeRequest
    ) -> tuple[AlipayTrade, dict[str, Any]] | FakeResponse:
        checked = self._authentic(request)
        if isinstance(checked, FakeResponse):
            return checked
        _params, biz = checked
        trade = self.trades.get(str(biz.get("out_trade_no", "")))
        if trade is None:
            return self.rejected(method, request, 400, "ACQ.TRADE_NOT_EXIST", "交易不存在")
        return trade, biz

    def _query(self, request: FakeRequest) -> FakeResponse:
        found = self._trade_for("alipay.trade.query", request)
        if isinstance(found, FakeResponse):
            return found
        trade, _biz = found
        return self._ok(
            "alipay.trade.query",
            out_trade_no=trade.out_trade_no,
            trade_no=trade.trade_no,
            trade_status=trade.status,
            total_amount=str(trade.amount),
            buyer_user_id=trade.buyer_id,
        )

    def _close(self, request: FakeRequest) -> FakeResponse:
        found = self._trade_for("alipay.trade.close", request)
        if isinstance(found, FakeResponse):
            return found
        trade, _biz = found
        if trade.status != "WAIT_BUYER_PAY":
            return self.rejected(
                "alipay.trade.close", request, 400, "ACQ.TRADE_STATUS_ERROR", "交易状态不合法"
            )
        trade.status = "TRADE_CLOSED"
        return self._ok("alipay.trade.close", out_trade_no=trade.out_trade_no, trade_no=trade.trade_no)

    def _refund(self, request: FakeRequest) -> FakeResponse:
        method = "alipay.trade.refund"
        found = self._trade_for(method, request)
        if isinstance(found, FakeResponse):
            return found
        trade, biz = found
        amount = self._amount(biz.get("refund_amount"))
        number = str(biz.get("out_request_no") or trade.out_trade_no)
        if amount is None:
            return self.rejected(method, request, 400, "ACQ.INVALID_PARAMETER", "refund_amount")
        if trade.status not in ("TRADE_SUCCESS",):
            return self.rejected(method, request, 400, "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        fund_change = "N"
        if number in trade.refunds:
            if trade.refunds[number] != amount:
                return self.rejected(
                    method, request, 400, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额与原请求不一致"
                )
        else:
            if trade.refunded + amount > trade.amount:
                return self.rejected(method, request, 400, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
            trade.refunds[number] = amount
            fund_change = "Y"
            self.bills.record("refund", trade_no=trade.trade_no, out_trade_no=trade.out_trade_no,
                              amount=amount, subject=trade.subject, refund_no=number)  # fmt: skip
        return self._ok(
            method,
            out_trade_no=trade.out_trade_no,
            trade_no=trade.trade_no,
            refund_fee=str(trade.refunded),
            fund_change=fund_change,
        )

    def _refund_query(self, request: FakeRequest) -> FakeResponse:
        method = "alipay.trade.fastpay.refund.query"
        found = self._trade_for(method, request)
        if isinstance(found, FakeResponse):
            return found
        trade, biz = found
        number = str(biz.get("out_request_no", ""))
        if number not in trade.refunds:
            return self._ok(method, out_trade_no=trade.out_trade_no, trade_no=trade.trade_no)
        return self._ok(
            method,
            out_trade_no=trade.out_trade_no,
            trade_no=trade.trade_no,
            out_request_no=number,
            total_amount=str(trade.amount),
            refund_amount=str(trade.refunds[number]),
            refund_status="REFUND_SUCCESS",
        )

    # --- the customer's side -------------------------------------------------------------------------

    def pay(self, out_trade_no: str, *, buyer_id: str = "2088102177846880", deliver: bool = False) -> bytes:
        """The customer pays the trade: it succeeds; the signed notification's form body (POSTed to the
        trade's ``notify_url`` too with ``deliver=True``)."""
        with self._lock:
            trade = self.trades[out_trade_no]
            if trade.status == "WAIT_BUYER_PAY":
                trade.status, trade.buyer_id = "TRADE_SUCCESS", buyer_id
                trade.trade_no = f"2026{next(self._numbers):012d}"
                self.bills.record("payment", trade_no=trade.trade_no, out_trade_no=out_trade_no,
                                  amount=trade.amount, subject=trade.subject, payer=buyer_id)  # fmt: skip
            body = self.notification(out_trade_no)
        if deliver:
            self.deliver(trade.notify_url, body)
        return body

    def notification(self, out_trade_no: str) -> bytes:
        trade = self.trades[out_trade_no]
        params = {
            "notify_time": "2026-03-10 12:00:00",
            "notify_type": "trade_status_sync",
            "notify_id": f"fake{trade.trade_no}",
            "app_id": self.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "sign_type": "RSA2",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "trade_status": trade.status,
            "total_amount": str(trade.amount),
            "subject": trade.subject,
            "buyer_id": trade.buyer_id,
            "buyer_logon_id": "159****5620",
        }
        message = "&".join(
            f"{k}={params[k]}" for k in sorted(params) if k not in ("sign", "sign_type") and params[k] != ""
        )
        params["sign"] = self.alipay_key.sign(message.encode("utf-8"))
        return urlencode(params).encode()

    @staticmethod
    def deliver(notify_url: str, body: bytes, *, copies: int = 1) -> list[int]:
        """POST the notification ``copies`` times (Alipay repeats until it reads ``success``)."""
        statuses = []
        for _copy in range(copies):
            request = urllib.request.Request(  # noqa: S310 (the configured notify URL)
                notify_url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                statuses.append(response.status)
        return statuses


def start_fake_alipay(
    *,
    notify_url: str = "https://marketplace.example/api/v1/payments/callbacks/alipay/",
    certificate_mode: bool = False,
) -> tuple["FakeAlipay", dict[str, Any]]:
    """A started fake and the settings that point the Alipay provider at it (our key pair made here). With
    ``certificate_mode`` a test CA issues our application's and Alipay's certificates: the settings hold the
    three files instead of Alipay's public key, and the fake enforces their SNs."""
    ours = KeyPair.generate()
    fake = FakeAlipay(app_public=ours.public_pem)
    keys: dict[str, str] = {"ORDERS_ALIPAY_PUBLIC_KEY": fake.alipay_key.public_pem}
    if certificate_mode:
        fake.certificates = AlipayCertificates.issue(
            app_key=ours, alipay_key=fake.alipay_key, app_id=fake.app_id
        )
        keys = {
            "ORDERS_ALIPAY_PUBLIC_KEY": "",
            "ORDERS_ALIPAY_APP_CERT": fake.certificates.app_cert,
            "ORDERS_ALIPAY_PUBLIC_CERT": fake.certificates.alipay_cert,
            "ORDERS_ALIPAY_ROOT_CERT": fake.certificates.root_bundle,
        }
    fake.start()
    return fake, {
        "ORDERS_ALIPAY_GATEWAY": fake.gateway_url,
        "ORDERS_ALIPAY_APP_ID": fake.app_id,
        "ORDERS_ALIPAY_APP_PRIVATE_KEY": ours.private_pem,
        "ORDERS_ALIPAY_NOTIFY_URL": notify_url,
        **keys,
    }
