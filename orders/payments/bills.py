"""PAY-8 (decision 038): the providers' daily statements — downloaded, verified and parsed into lines.

- Alipay: ``alipay.data.dataservice.bill.downloadurl.query`` (``bill_type=trade``) answers, signed like every
  call, a short-lived ``bill_download_url``; the file there is a zip holding ``…_业务明细.csv`` (GBK): comment
  lines starting ``#``, the header (支付宝交易号, 商户订单号, 业务类型, 订单金额（元）, …, 退款批次号/请求号,
  服务费（元）, …), one row per movement (values end with a tab), the end marker and the totals. 业务类型
  ``交易`` is a payment, ``退款`` a refund (negative amount); 服务费 is negative when charged, positive when a
  refund returns it. ``isp.bill_not_exist`` means no bill (nothing happened that day).
- WeChat Pay: ``GET /v3/bill/tradebill?bill_date=…&bill_type=ALL`` answers (signed) ``hash_type``,
  ``hash_value`` and ``download_url``; the file is fetched with a signed GET and is *not* signed — its SHA1
  must equal ``hash_value`` (otherwise it counts as not received). Every value is prefixed with a backtick;
  交易状态 ``SUCCESS`` is a payment (应结订单金额), ``REFUND`` a refund (退款金额, 商户退款单号); 手续费 is
  the fee (negative on a refund); the summary section (总交易单数, …) ends the rows. ``NO_STATEMENT_EXIST``
  means no bill.

A statement that cannot be had (unreachable, not ready, a bad hash) raises ``ProviderUnreachable``: the
day's reconciliation of that provider waits for the next run rather than calling every payment missing.
"""

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.conf import settings

from orders.payments.alipay import BEIJING, AlipayClient
from orders.payments.http import ProviderRejected, ProviderUnreachable, http_call
from orders.payments.wechat_pay_client import WechatPayClient


@dataclass(frozen=True)
class StatementLine:
    """One movement on a provider's statement: ``reference`` is the provider's trade number for a payment
    and our refund number for a refund (what reconciliation matches on); ``fee`` is a magnitude."""

    kind: str  # payment | refund
    reference: str
    out_trade_no: str
    amount: Decimal
    fee: Decimal
    at: datetime


def _decimal(value: str) -> Decimal:
    try:
        return abs(Decimal(value.strip() or "0"))
    except InvalidOperation as exc:
        raise ProviderUnreachable(f"statement: unreadable amount {value!r}") from exc


def _moment(value: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError as exc:
        raise ProviderUnreachable(f"statement: unreadable time {value!r}") from exc


def _rows(text: str, header_first: str, *, strip: Callable[[str], str]) -> Iterable[dict[str, str]]:
    """The rows under the header line that starts with ``header_first``, up to a comment or summary line."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(header_first)), None)
    if start is None:
        raise ProviderUnreachable("statement: no detail header")
    header = [name.strip() for name in next(csv.reader([lines[start]]))]
    for line in lines[start + 1 :]:
        if not line.strip() or line.startswith("#"):
            break
        values = next(csv.reader([line]))
        if len(values) != len(header):  # the summary section (WeChat Pay) or the end of the details
            break
        yield {name: strip(value) for name, value in zip(header, values, strict=True)}


# --- Alipay -------------------------------------------------------------------------------------------------


def alipay_parse(archive: bytes) -> list[StatementLine]:
    """The detail rows of Alipay's ``trade`` bill zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
            name = next(n for n in bundle.namelist() if n.endswith("_业务明细.csv"))
            text = bundle.read(name).decode("gbk")
    except (zipfile.BadZipFile, StopIteration, UnicodeDecodeError, KeyError) as exc:
        raise ProviderUnreachable("alipay statement: not the documented zip") from exc
    lines = []
    for row in _rows(text, "支付宝交易号", strip=str.strip):
        kind = {"交易": "payment", "退款": "refund"}.get(row["业务类型"])
        if kind is None:
            continue
        lines.append(
            StatementLine(
                kind=kind,
                reference=row["退款批次号/请求号"] if kind == "refund" else row["支付宝交易号"],
                out_trade_no=row["商户订单号"],
                amount=_decimal(row["订单金额（元）"]),
                fee=_decimal(row["服务费（元）"]),
                at=_moment(row["完成时间"] or row["创建时间"]),
            )
        )
    return lines


def alipay_statement(day: date) -> list[StatementLine]:
    method = "alipay.data.dataservice.bill.downloadurl.query"
    try:
        node = AlipayClient().call(method, {"bill_type": "trade", "bill_date": day.isoformat()})
    except ProviderRejected as exc:
        if exc.code == "isp.bill_not_exist":
            return []
        raise ProviderUnreachable(f"alipay statement of {day}: {exc}") from exc
    url = str(node.get("bill_download_url", ""))
    if not url:
        raise ProviderUnreachable(f"alipay statement of {day}: no bill_download_url")
    answer = http_call("GET", url, headers={"Accept": "*/*"})
    if answer.status != 200:
        raise ProviderUnreachable(f"alipay statement of {day}: HTTP {answer.status}")
    return alipay_parse(answer.body)


# --- WeChat Pay -----------------------------------------------------------------------------------------------


def wechat_pay_parse(content: bytes) -> list[StatementLine]:
    """The rows of WeChat Pay's ``ALL`` trade bill (values prefixed with a backtick)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProviderUnreachable("wechat pay statement: not UTF-8") from exc
    lines = []
    for row in _rows(text, "交易时间", strip=lambda value: value.strip().lstrip("`")):
        refund = row["交易状态"] == "REFUND"
        if not refund and row["交易状态"] != "SUCCESS":
            continue
        if refund and row["退款状态"] != "SUCCESS":
            continue
        lines.append(
            StatementLine(
                kind="refund" if refund else "payment",
                reference=row["商户退款单号"] if refund else row["微信订单号"],
                out_trade_no=row["商户订单号"],
                amount=_decimal(row["退款金额"] if refund else row["应结订单金额"]),
                fee=_decimal(row["手续费"]),
                at=_moment(row["交易时间"]),
            )
        )
    return lines


def wechat_pay_statement(day: date) -> list[StatementLine]:
    client = WechatPayClient()
    try:
        answer = client.call("GET", f"/v3/bill/tradebill?bill_date={day.isoformat()}&bill_type=ALL")
    except ProviderRejected as exc:
        if exc.code == "NO_STATEMENT_EXIST":
            return []
        raise ProviderUnreachable(f"wechat pay statement of {day}: {exc}") from exc
    url, expected = str(answer.get("download_url", "")), str(answer.get("hash_value", "")).lower()
    if not url or answer.get("hash_type", "SHA1") != "SHA1" or not expected:
        raise ProviderUnreachable(f"wechat pay statement of {day}: no download_url or hash")
    parts = urlsplit(url)
    signed_path = parts.path + (f"?{parts.query}" if parts.query else "")
    file = http_call(
        "GET", url, headers={"Authorization": client.authorization("GET", signed_path, b""), "Accept": "*/*"}
    )
    if file.status != 200:
        raise ProviderUnreachable(f"wechat pay statement of {day}: HTTP {file.status}")
    if hashlib.sha1(file.body).hexdigest() != expected:  # noqa: S324 (the documented bill hash)
        raise ProviderUnreachable(f"wechat pay statement of {day}: the file does not match its SHA1")
    return wechat_pay_parse(file.body)


#: the providers that publish a daily statement, and how we read it
STATEMENTS: dict[str, Callable[[date], list[StatementLine]]] = {
    "alipay": alipay_statement,
    "wechat_pay": wechat_pay_statement,
}


def statement_providers() -> list[str]:
    """The enabled providers reconciled from their own statements (the rest from their settlement records)."""
    return [name for name in settings.ORDERS_PAYMENT_PROVIDERS if name in STATEMENTS]
