"""The fake gateways' daily bills (PAY-8, decision 038), built from the fake's own record of what it did.

A fake records every money movement it makes (``BillBook.record``: a trade paid, a refund made) with its
time in Beijing and the service fee it charges (``fee_rate`` of the amount, rounded half up to the fen;
a refund returns the fee on its amount). ``lines(day)`` are that day's movements, with the differences
a test injected applied — each stands for one kind of mismatch reconciliation must find:

- ``drop(reference)``: the bill leaves the movement out (missing on the provider's side);
- ``add(...)``: a movement we never had (missing on our side);
- ``change_amount(reference, amount)``, ``change_fee(reference, fee)``: the amount or fee differs;
- ``book_at(reference, at)``: the provider books the movement at another moment (across midnight).

A reference is the provider's trade number for a payment and our refund number for a refund.

The files are the providers' documented layouts:

- Alipay (``alipay.data.dataservice.bill.downloadurl.query``, ``bill_type=trade``): a zip of two GBK CSV
  files, ``<pid>_<yyyymmdd>_业务明细.csv`` (comment lines ``#…``, the header, one row per movement with
  a tab after every value, the end marker, the totals) and ``…_业务明细(汇总).csv``;
- WeChat Pay (``GET /v3/bill/tradebill``, ``bill_type=ALL``): a UTF-8 CSV, every value prefixed with a
  backtick, then the summary header and its row; the answer names its SHA1 ``hash_value``.
"""

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from simulation.fakes.server import FakeRequest, FakeResponse, Handler

BEIJING = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

ALIPAY_COLUMNS = [
    "支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间", "门店编号", "门店名称",
    "操作员", "终端号", "对方账户", "订单金额（元）", "商家实收（元）", "支付宝红包（元）", "集分宝（元）",
    "支付宝优惠（元）", "商家优惠（元）", "券核销金额（元）", "券名称", "商家红包消费金额（元）",
    "卡消费金额（元）", "退款批次号/请求号", "服务费（元）", "分润（元）", "备注",
]  # fmt: skip
WECHAT_COLUMNS = [
    "交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识",
    "交易类型", "交易状态", "付款银行", "货币种类", "应结订单金额", "代金券金额", "微信退款单号",
    "商户退款单号", "退款金额", "充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包", "手续费",
    "费率", "订单金额", "申请退款金额", "费率备注",
]  # fmt: skip
WECHAT_SUMMARY = [
    "总交易单数", "应结订单总金额", "退款总金额", "充值券退款总金额", "手续费总金额", "订单总金额",
    "申请退款总金额",
]  # fmt: skip


@dataclass(frozen=True)
class Movement:
    """One line of a bill: a payment (``refund_no`` empty) or a refund of a trade."""

    kind: str  # payment | refund
    at: datetime
    trade_no: str  # the provider's trade number (Alipay trade_no, WeChat Pay transaction_id)
    out_trade_no: str
    amount: Decimal
    fee: Decimal  # charged on a payment, returned on a refund (a magnitude)
    subject: str = ""
    refund_no: str = ""  # our out_request_no / out_refund_no
    refund_id: str = ""  # the provider's refund id (WeChat Pay)
    payer: str = ""

    @property
    def reference(self) -> str:
        return self.refund_no if self.kind == "refund" else self.trade_no


class BillBook:
    """What a fake gateway did with money, day by day, and the differences a test injects into its bills."""

    def __init__(self, fee_rate: Decimal = Decimal("0.006")) -> None:
        self.fee_rate = fee_rate
        self.movements: list[Movement] = []
        self._dropped: set[str] = set()
        self._added: list[Movement] = []
        self._amounts: dict[str, Decimal] = {}
        self._fees: dict[str, Decimal] = {}
        self.corrupt_files = False  # WeChat Pay: the file downloaded does not match its hash

    def fee(self, amount: Decimal) -> Decimal:
        return (amount * self.fee_rate).quantize(CENT, rounding=ROUND_HALF_UP)

    def record(self, kind: str, *, trade_no: str, out_trade_no: str, amount: Decimal, **extra: str) -> None:
        self.movements.append(
            Movement(kind, datetime.now(BEIJING), trade_no, out_trade_no, amount, self.fee(amount), **extra)
        )

    # --- injected differences ----------------------------------------------------------------------------

    def drop(self, reference: str) -> None:
        self._dropped.add(reference)

    def add(
        self, kind: str, *, trade_no: str, out_trade_no: str, amount: Decimal, refund_no: str = ""
    ) -> None:
        refund_id = f"50300{refund_no}" if refund_no else ""
        moment = datetime.now(BEIJING)
        fee = self.fee(amount)
        self._added.append(
            Movement(
                kind, moment, trade_no, out_trade_no, amount, fee, refund_no=refund_no, refund_id=refund_id
            )
        )

    def book_at(self, reference: str, at: datetime) -> None:
        """The provider books the movement at ``at`` (its own clock or settlement cut-off: a payment made
        at 23:59:59 that lands on the next day's bill)."""
        self.movements = [replace(m, at=at) if m.reference == reference else m for m in self.movements]

    def change_amount(self, reference: str, amount: Decimal) -> None:
        self._amounts[reference] = amount

    def change_fee(self, reference: str, fee: Decimal) -> None:
        self._fees[reference] = fee

    def lines(self, day: date) -> list[Movement]:
        lines = []
        for movement in [*self.movements, *self._added]:
            if movement.at.astimezone(BEIJING).date() != day or movement.reference in self._dropped:
                continue
            amount = self._amounts.get(movement.reference, movement.amount)
            lines.append(
                replace(movement, amount=amount, fee=self._fees.get(movement.reference, movement.fee))
            )
        return lines


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT):.2f}"


def _moment(value: datetime) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def alipay_bill_zip(*, pid: str, day: date, lines: list[Movement], exported: datetime) -> bytes:
    """Alipay's ``trade`` bill for ``day``: a zip of the detail and summary CSV files, GBK."""
    stamp = day.strftime("%Y%m%d")
    rows = []
    for line in lines:
        sign = -1 if line.kind == "refund" else 1
        values = [""] * len(ALIPAY_COLUMNS)
        values[0], values[1] = line.trade_no, line.out_trade_no
        values[2] = "退款" if line.kind == "refund" else "交易"
        values[3], values[4], values[5] = line.subject, _moment(line.at), _moment(line.at)
        values[10] = line.payer
        values[11] = values[12] = _money(sign * line.amount)
        for column in (13, 14, 15, 16, 17, 19, 20, 23):
            values[column] = "0.00"
        values[21] = line.refund_no
        values[22] = _money(sign * -line.fee)  # charged on a payment, returned on a refund
        rows.append(",".join(f"{value}\t" for value in values))
    paid = [line for line in lines if line.kind == "payment"]
    refunded = [line for line in lines if line.kind == "refund"]
    detail = "\r\n".join(
        [
            "#支付宝业务明细查询",
            f"#账号：[{pid}0156]",
            f"#起始日期：[{day:%Y年%m月%d日} 00:00:00]   终止日期：[{day:%Y年%m月%d日} 23:59:59]",
            "#-----------------------------------------业务明细列表----------------------------------------",
            ",".join(ALIPAY_COLUMNS),
            *rows,
            "#-----------------------------------------业务明细列表结束------------------------------------",
            f"#交易合计：{len(paid)}笔，商家实收：{_money(sum((x.amount for x in paid), ZERO))}元，商家优惠：0.00元",
            f"#退款合计：{len(refunded)}笔，商家实收：-{_money(sum((x.amount for x in refunded), ZERO))}元，"
            "商家优惠：0.00元",
            f"#导出时间：[{exported.astimezone(BEIJING):%Y年%m月%d日 %H:%M:%S}]",
            "",
        ]
    )
    summary = "\r\n".join(
        [
            "#支付宝业务汇总查询",
            f"#账号：[{pid}0156]",
            "门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,服务费（元）",
            f"合计,,{len(paid)},{len(refunded)},"
            f"{_money(sum((x.amount for x in paid), ZERO) - sum((x.amount for x in refunded), ZERO))},,"
            f"{_money(sum((x.fee for x in refunded), ZERO) - sum((x.fee for x in paid), ZERO))}",
            "",
        ]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{pid}_{stamp}_业务明细.csv", detail.encode("gbk"))
        archive.writestr(f"{pid}_{stamp}_业务明细(汇总).csv", summary.encode("gbk"))
    return buffer.getvalue()


def wechat_trade_bill(*, appid: str, mchid: str, lines: list[Movement], fee_rate: Decimal) -> bytes:
    """WeChat Pay's ``ALL`` trade bill: backtick-prefixed values, then the summary section (UTF-8)."""
    rate = f"{fee_rate * 100:.2f}%"
    rows = []
    for line in lines:
        refund = line.kind == "refund"
        values = [
            _moment(line.at), appid, mchid, "0", "", line.trade_no, line.out_trade_no, line.payer, "NATIVE",
            "REFUND" if refund else "SUCCESS", "OTHERS", "CNY", "0.00" if refund else _money(line.amount),
            "0.00", line.refund_id if refund else "0", line.refund_no if refund else "0",
            _money(line.amount) if refund else "0.00", "0.00", "ORIGINAL" if refund else "",
            "SUCCESS" if refund else "", line.subject, "", _money(-line.fee if refund else line.fee), rate,
            "0.00" if refund else _money(line.amount), _money(line.amount) if refund else "0.00", "",
        ]  # fmt: skip
        rows.append(",".join(f"`{value}" for value in values))
    paid = sum((x.amount for x in lines if x.kind == "payment"), ZERO)
    refunded = sum((x.amount for x in lines if x.kind == "refund"), ZERO)
    fees = sum((x.fee for x in lines if x.kind == "payment"), ZERO) - sum(
        (x.fee for x in lines if x.kind == "refund"), ZERO
    )
    summary = [str(len(lines)), _money(paid), _money(refunded), "0.00", _money(fees), _money(paid),
               _money(refunded)]  # fmt: skip
    text = "\r\n".join(
        [",".join(WECHAT_COLUMNS), *rows, ",".join(WECHAT_SUMMARY), ",".join(f"`{v}" for v in summary), ""]
    )
    return text.encode("utf-8")


def sha1_hex(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()  # noqa: S324 (WeChat Pay's documented bill hash)


# --- the bill routes of the fake gateways -------------------------------------------------------------------

ALIPAY_BILL = "alipay.data.dataservice.bill.downloadurl.query"
ALIPAY_BILL_FILE = "/downloadBillFile.resource"
WECHAT_BILL = "GET /v3/bill/tradebill"
WECHAT_BILL_FILE = "GET /v3/billdownload/file"


def _bill_day(value: object) -> date | None:
    """A day whose bill exists: a valid date before today (the provider's bill comes the next morning)."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return None
    return day if day < datetime.now(BEIJING).date() else None


def alipay_bill_routes(fake: Any) -> dict[str, Handler]:
    """``alipay.data.dataservice.bill.downloadurl.query`` (signed like every call; the answer is a short-lived
    URL) and the file download at that URL (plain GET, no signature: the zip itself)."""

    def url_query(request: FakeRequest) -> FakeResponse:
        checked = fake._authentic(request)
        if isinstance(checked, FakeResponse):
            return checked
        _params, biz = checked
        if biz.get("bill_type") != "trade":
            return fake.rejected(ALIPAY_BILL, request, 400, "isv.invalid-parameter", "bill_type")
        day = _bill_day(biz.get("bill_date"))
        if day is None:
            return fake.rejected(ALIPAY_BILL, request, 400, "isp.bill_not_exist", "账单不存在")
        token = secrets.token_hex(12)
        fake.bill_files[token] = alipay_bill_zip(
            pid="2088102177846880", day=day, lines=fake.bills.lines(day), exported=datetime.now(BEIJING)
        )
        url = (
            f"{fake.url}{ALIPAY_BILL_FILE}?bizType=trade&fileType=csv.zip&bizDates={day:%Y%m%d}&token={token}"
        )
        return fake._ok(ALIPAY_BILL, bill_download_url=url)

    def download(request: FakeRequest) -> FakeResponse:
        token = dict(parse_qsl(urlsplit(request.path).query)).get("token", "")
        content = fake.bill_files.get(token)
        if content is None:
            return FakeResponse(404, b"file not found")
        return FakeResponse(200, content, {"Content-Type": "application/oct-stream"})

    return {ALIPAY_BILL: url_query, ALIPAY_BILL_FILE: download}


def wechat_bill_routes(fake: Any) -> dict[str, Handler]:
    """``GET /v3/bill/tradebill`` (signed answer: ``hash_type``, ``hash_value``, ``download_url``) and the file
    download (a signed request; the answer is the file, unsigned — its SHA1 is the proof)."""

    def url_query(request: FakeRequest) -> FakeResponse:
        if (refused := fake._authentic(request)) is not None:
            return refused
        query = dict(parse_qsl(urlsplit(request.path).query))
        day = _bill_day(query.get("bill_date"))
        if day is None or query.get("bill_type", "ALL") != "ALL":
            return fake._answer(400, {"code": "PARAM_ERROR", "message": "bill_date"})
        lines = fake.bills.lines(day)
        if not lines:
            return fake._answer(400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"})
        content = wechat_trade_bill(
            appid=fake.appid, mchid=fake.mchid, lines=lines, fee_rate=fake.bills.fee_rate
        )
        token = secrets.token_hex(12)
        fake.bill_files[token] = content
        return fake._answer(
            200,
            {
                "hash_type": "SHA1",
                "hash_value": sha1_hex(content),
                "download_url": f"{fake.url}/v3/billdownload/file?token={token}",
            },
        )

    def download(request: FakeRequest) -> FakeResponse:
        if (refused := fake._authentic(request)) is not None:
            return refused
        content = fake.bill_files.get(dict(parse_qsl(urlsplit(request.path).query)).get("token", ""))
        if content is None:
            return fake._answer(404, {"code": "RESOURCE_NOT_EXISTS", "message": "文件不存在"})
        if fake.bills.corrupt_files:
            content = content.replace(b"SUCCESS", b"SUCCES5", 1)
        return FakeResponse(200, content, {"Content-Type": "text/plain"})

    return {WECHAT_BILL: url_query, WECHAT_BILL_FILE: download}
