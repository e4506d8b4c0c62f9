"""The merchant dashboard's orders and money pages: orders by state, the order's timeline, shipping with
carrier and tracking number (one or a CSV of many), the packing slip; escrow held with the hold reasons,
the payable balance, the deposit, and statements (CSV); the home page's sales card (today and the last 30 days).

Thin views over ``orders.services`` / ``orders.selectors`` (and the merchants deposit selectors).
"""

import csv
import io
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from merchants.dashboard.base import (
    AFTERSALES_PAYERS,
    ALL_ROLES,
    MONEY_ROLES,
    ORDER_SHIPPERS,
    SERVICE_ERRORS,
    countdown,
    merchant_required,
    not_found,
    order_action_annotations,
    order_actions,
    page,
    run_action,
    shop_object,
    show_error,
)
from merchants.models import Merchant, MerchantMember
from merchants.permissions import merchant_for_request, merchant_role_for_request
from merchants.selectors.standing import merchant_required_deposit
from orders.models import DeliveryCase, Order, PayoutAccount
from orders.payments import providers_enabled
from orders.selectors.delivery import (
    delivery_case_events,
    delivery_case_get_for_merchant,
    delivery_cases_for_order,
    orders_needing_action_for_merchant,
)
from orders.selectors.money import (
    deposit_payment_get_for_merchant,
    merchant_escrow_held,
    merchant_ledger_balances,
    order_holds_open,
)
from orders.selectors.orders import (
    merchant_daily_sales,
    order_events,
    order_get_for_merchant,
    order_list_for_merchant,
    order_tracking,
    statement_get_for_merchant,
    statement_list_for_merchant,
)
from orders.selectors.payout_accounts import payout_account_current, payout_account_display
from orders.services.delivery_resolution import delivery_case_agree_refund, delivery_case_reship
from orders.services.fulfilment import order_ship, order_ship_bulk
from orders.services.payments import deposit_pay_start, sandbox_cashier_pay
from orders.services.payout_accounts import payout_account_set
from orders.services.refunds import order_cancel
from platform_core.accounts.acting import request_user
from platform_core.errors import NotFound
from platform_core.ledger.models import AccountKind

PAGE_SIZE = 20

#: The filter tabs of the orders page: name -> (label, selector arguments).
#: ORD-2 (issue 22): a tab for every state of an order, after the most urgent one.
FILTERS: dict[str, tuple[Any, dict[str, Any]]] = {
    "to_ship": (_("To ship"), {"to_ship": True}),
    **{status.value: (status.label, {"status": status.value}) for status in Order.Status},
    "all": (_("All"), {}),
}

#: ORD-5: the carriers of the bulk-ship dropdown, by their 快递100 company code (what tracking subscribes
#: with); the single-order form still takes any carrier's code.
CARRIERS: list[tuple[str, Any]] = [
    ("shunfeng", _("SF Express")),
    ("zhongtong", _("ZTO Express")),
    ("yuantong", _("YTO Express")),
    ("yunda", _("Yunda Express")),
    ("shentong", _("STO Express")),
    ("jtexpress", _("J&T Express")),
    ("jd", _("JD Logistics")),
    ("ems", _("EMS")),
    ("youzhengguonei", _("China Post parcel")),
    ("debangkuaidi", _("Deppon Express")),
]


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=32)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the shop cancels (the customer sees it)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BulkShipForm(forms.Form):
    file = forms.FileField(label=_("CSV file with the columns order_number,carrier,tracking_number"))


# --- home: orders waiting to ship, with the ship-by countdown ------------------------------------------


def orders_to_ship_actions(request: HttpRequest, merchant: Merchant) -> list[dict[str, Any]]:
    """ORD-4: the paid orders to ship, soonest deadline first (the home page's first concern); ORD-10:
    and the orders with an open delivery case to resolve (one query for both)."""
    actions = []
    for order, case_due in orders_needing_action_for_merchant(merchant=merchant):
        if case_due is not None:
            title = _("Resolve the delivery problem of order %(number)s") % {"number": order.number}
            actions.append({"due": case_due, "kind": "delivery_case", "title": title})
        else:
            title = _("Ship order %(number)s") % {"number": order.number}
            actions.append({"due": order.ship_by, "kind": "ship", "title": title})
        actions[-1]["url"] = reverse("merchant:order", kwargs={"order_id": order.pk})
    return actions


# --- orders ----------------------------------------------------------------------------------------------


@merchant_required(ALL_ROLES)
def orders(request: HttpRequest) -> HttpResponse:
    """ORD-2, ORD-4: orders by state; "to ship" is ordered by the ship-by deadline."""
    current = request.GET.get("filter", "to_ship")
    if current not in FILTERS:
        current = "to_ship"
    search = request.GET.get("q", "")[:64]
    queryset = order_list_for_merchant(
        merchant=merchant_for_request(request), search=search, **FILTERS[current][1]
    )
    order_page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    may_ship = merchant_role_for_request(request) in ORDER_SHIPPERS
    context = {
        "page_obj": order_page,
        "rows": [(order, countdown(order.ship_by)) for order in order_page.object_list],
        "filters": [(name, label) for name, (label, _args) in FILTERS.items()],
        "current": current,
        "search": search,
        "may_ship": may_ship,
        # ORD-4 (issue 22): tick the paid orders, pick the carrier, type each tracking number, ship them
        "select_to_ship": may_ship and current == "to_ship",
        "carriers": CARRIERS,
    }
    return page(request, "merchant/orders/list.html", context)


def _order_or_none(request: HttpRequest, order_id: int) -> Order | None:
    return shop_object(request, order_get_for_merchant, order_id=order_id)


@merchant_required(ALL_ROLES)
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    """ORD-2, ORD-5, PAY-6: the order, its timeline, tracking, escrow holds, and the ship form; what other
    apps offer on it (DSP-1: open a dispute) read with the order."""
    annotations = order_action_annotations(request, OuterRef("pk"))
    try:
        order: Order | None = order_get_for_merchant(
            merchant=merchant_for_request(request), order_id=order_id, annotations=annotations
        )
    except NotFound:
        order = None
    if order is None:
        return not_found(request)
    role = merchant_role_for_request(request)
    cases = list(delivery_cases_for_order(order=order))
    case = cases[0] if cases else None
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "delivery_case": case,
        "delivery_case_events": list(delivery_case_events(case=case)) if case else [],
        "delivery_countdown": countdown(case.respond_by) if case and case.status == "open" else None,
        "may_reship": case is not None and case.status == DeliveryCase.Status.OPEN and role in ORDER_SHIPPERS,
        "may_agree_refund": case is not None
        and case.status == DeliveryCase.Status.OPEN
        and role in AFTERSALES_PAYERS,
        "reship_form": ShipForm(),
        "events": list(order_events(order=order)),
        "tracking": list(order_tracking(order=order)),
        "holds": list(order_holds_open(order=order)),
        "ship_form": ShipForm(),
        "countdown": countdown(order.ship_by),
        "may_ship": role in ORDER_SHIPPERS and order.status == Order.Status.PAID,
        "may_cancel": role in ORDER_SHIPPERS
        and order.status in (Order.Status.PENDING_PAYMENT, Order.Status.PAID),
        "cancel_form": CancelForm(),
        "order_actions": order_actions(request, order.pk, order, annotations),  # e.g. DSP-1: open a dispute
    }
    return page(request, "merchant/orders/detail.html", context)


@merchant_required(ORDER_SHIPPERS)
@require_POST
def order_ship_view(request: HttpRequest, order_id: int) -> HttpResponse:
    """ORD-4, ORD-5: hand the parcel to a carrier."""
    order = _order_or_none(request, order_id)
    if order is None:
        return not_found(request)
    form = ShipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Carrier and tracking number are required."))
        return redirect("merchant:order", order_id=order.pk)
    return run_action(
        request,
        lambda: order_ship(order=order, actor=request_user(request), **form.cleaned_data),
        success=_("Order %(number)s shipped.") % {"number": order.number},
        redirect_to="merchant:order",
        order_id=order.pk,
    )


def _case_or_none(request: HttpRequest, case_id: int) -> DeliveryCase | None:
    return shop_object(request, delivery_case_get_for_merchant, case_id=case_id)


@merchant_required(ORDER_SHIPPERS)
@require_POST
def delivery_case_reship_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """ORD-10: resolve a delivery case by sending the parcel again under a new tracking number."""
    case = _case_or_none(request, case_id)
    if case is None:
        return not_found(request)
    form = ShipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Carrier and tracking number are required."))
        return redirect("merchant:order", order_id=case.order_id)
    return run_action(
        request,
        lambda: delivery_case_reship(case=case, actor=request_user(request), **form.cleaned_data),
        success=_("Order %(number)s sent again.") % {"number": case.order.number},
        redirect_to="merchant:order",
        order_id=case.order_id,
    )


@merchant_required(AFTERSALES_PAYERS)
@require_POST
def delivery_case_agree_refund_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """ORD-10: resolve a delivery case by refunding the customer in full."""
    case = _case_or_none(request, case_id)
    if case is None:
        return not_found(request)
    return run_action(
        request,
        lambda: delivery_case_agree_refund(case=case, actor=request_user(request)),
        success=_("Order %(number)s refunded in full.") % {"number": case.order.number},
        redirect_to="merchant:order",
        order_id=case.order_id,
    )


@merchant_required(ORDER_SHIPPERS)
@require_http_methods(["GET", "POST"])
def orders_ship_bulk(request: HttpRequest) -> HttpResponse:
    """ORD-4: ship many orders from a CSV; each order succeeds or fails on its own."""
    merchant = merchant_for_request(request)
    if request.method == "POST" and "selected" in request.POST:
        return _ship_selected(request, merchant)
    form = BulkShipForm(request.POST or None, request.FILES or None)
    results: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        rows, problems = _parse_ship_csv(form.cleaned_data["file"])
        for problem in problems:
            form.add_error("file", problem)
        if rows and not problems:
            numbers = [row["order_number"] for row in rows]
            ids = dict(
                order_list_for_merchant(merchant=merchant)
                .filter(number__in=numbers)
                .values_list("number", "pk")
            )
            unknown = [n for n in numbers if n not in ids]
            items = [
                {
                    "order_id": ids[row["order_number"]],
                    "carrier": row["carrier"],
                    "tracking_number": row["tracking_number"],
                }
                for row in rows
                if row["order_number"] in ids
            ]
            numbers_by_id = {pk: number for number, pk in ids.items()}
            results = [
                {**r, "number": numbers_by_id.get(r["order_id"], "")}
                for r in order_ship_bulk(merchant=merchant, items=items, actor=request_user(request))
            ]
            results += [
                {"order_id": None, "number": n, "ok": False, "error": str(_("No such order."))}
                for n in unknown
            ]
            shipped = sum(1 for r in results if r["ok"])
            messages.info(
                request, _("%(ok)d of %(total)d orders shipped.") % {"ok": shipped, "total": len(results)}
            )
    return page(request, "merchant/orders/ship_bulk.html", {"form": form, "results": results})


def _ship_selected(request: HttpRequest, merchant: Merchant) -> HttpResponse:
    """ORD-4: the orders ticked on the "to ship" tab, one carrier from the dropdown, each its own tracking
    number; each order succeeds or fails on its own, and the page says which."""
    carrier = request.POST.get("carrier", "")
    ids = [int(v) for v in request.POST.getlist("selected")[:PAGE_SIZE] if v.isdigit() and len(v) <= 18]
    if carrier not in dict(CARRIERS) or not ids:
        messages.error(request, _("Tick the orders to ship and choose the carrier."))
        return redirect(f"{reverse('merchant:orders')}?filter=to_ship")
    items = [
        {
            "order_id": pk,
            "carrier": carrier,
            "tracking_number": request.POST.get(f"tracking-{pk}", "").strip(),
        }
        for pk in ids
    ]
    results = order_ship_bulk(merchant=merchant, items=items, actor=request_user(request))
    shipped = sum(1 for r in results if r["ok"])
    messages.info(request, _("%(ok)d of %(total)d orders shipped.") % {"ok": shipped, "total": len(results)})
    for r in results:
        if not r["ok"]:
            messages.error(request, f"#{r['order_id']}: {r['error']}")
    return redirect(f"{reverse('merchant:orders')}?filter=to_ship")


@merchant_required(ORDER_SHIPPERS)
@require_POST
def order_cancel_view(request: HttpRequest, order_id: int) -> HttpResponse:
    """ORD-2: the shop cancels an order it cannot ship, with the reason; a paid one is refunded in full."""
    order = _order_or_none(request, order_id)
    if order is None:
        return not_found(request)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the order is cancelled."))
        return redirect("merchant:order", order_id=order.pk)
    return run_action(
        request,
        lambda: order_cancel(
            order=order, reason=form.cleaned_data["reason"], actor=request_user(request), as_merchant=True
        ),
        success=_("Order %(number)s cancelled.") % {"number": order.number},
        redirect_to="merchant:order",
        order_id=order.pk,
    )


def _parse_ship_csv(file: Any) -> tuple[list[dict[str, str]], list[str]]:
    text = file.read().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    wanted = {"order_number", "carrier", "tracking_number"}
    if not reader.fieldnames or not wanted <= {f.strip() for f in reader.fieldnames}:
        return [], [str(_("The first line must name the columns order_number, carrier and tracking_number."))]
    rows = []
    for row in reader:
        clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if any(clean.get(k) for k in wanted):
            rows.append({k: clean.get(k, "") for k in wanted})
    return rows, ([] if rows else [str(_("The file has no rows."))])


@merchant_required(ALL_ROLES)
def packing_slip(request: HttpRequest, order_id: int) -> HttpResponse:
    """ORD-4: a printable packing slip (print stylesheet; no navigation)."""
    order = _order_or_none(request, order_id)
    if order is None:
        return not_found(request)
    return page(
        request, "merchant/orders/packing_slip.html", {"order": order, "lines": list(order.lines.all())}
    )


# --- money -----------------------------------------------------------------------------------------------


class PayoutAccountForm(forms.Form):
    """PAY-4 (decision 037): the owner sets the payout account, confirmed with their authenticator."""

    kind = forms.ChoiceField(label=_("Kind of account"), choices=PayoutAccount.Kind.choices)
    holder_name = forms.CharField(
        label=_("Account holder"), max_length=200, help_text=_("Exactly the shop's registered entity.")
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    number = forms.CharField(
        label=_("Account number"),
        max_length=64,
        help_text=_(
            "A bank account number, the Alipay account (mobile number or email), or the WeChat openid."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    code = forms.RegexField(
        label=_("Code shown by your authenticator app"),
        regex=r"^\s*\d{6,8}\s*$",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@merchant_required(MONEY_ROLES)
def money(request: HttpRequest) -> HttpResponse:
    """PAY-2, PAY-4, PAY-6, MER-5: escrow held (and why), payable, deposit, statements; the payout
    account is a linked page of its own (the money page keeps its query budget)."""
    merchant = merchant_for_request(request)
    balances = merchant_ledger_balances(merchant=merchant)
    escrow_total, holds = merchant_escrow_held(merchant=merchant)
    statement_page = Paginator(statement_list_for_merchant(merchant=merchant), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "escrow_total": escrow_total,
        "holds": holds,
        "payable": balances.get(AccountKind.MERCHANT_PAYABLE, Decimal("0.00")),
        "deposit": balances.get(AccountKind.MERCHANT_DEPOSIT, Decimal("0.00")),
        "deposit_required": merchant_required_deposit(merchant=merchant),
        "page_obj": statement_page,
    }
    return page(request, "merchant/money.html", context)


@merchant_required(MONEY_ROLES)
@require_http_methods(["GET", "POST"])
def payout_account(request: HttpRequest) -> HttpResponse:
    """PAY-4 (decision 037): the payout account, masked; the owner sets or changes it with the code of
    their authenticator (finance only sees it)."""
    merchant = merchant_for_request(request)
    is_owner = merchant_role_for_request(request) == MerchantMember.Role.OWNER
    form = PayoutAccountForm(request.POST or None) if is_owner else None
    status = 200
    if request.method == "POST":
        if form is None:
            return page(request, "merchant/403.html", status=403)
        if form.is_valid():
            try:
                payout_account_set(merchant=merchant, actor=request_user(request), **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                show_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Payout account saved. It receives payouts once the cooling-off period is over."),
                )
                return redirect("merchant:payout-account")
        status = 400
    context = {
        "payout_account": payout_account_display(payout_account_current(merchant=merchant)),
        "form": form,
    }
    return page(request, "merchant/payout_account.html", context, status=status)


@merchant_required(MONEY_ROLES)
@require_POST
def deposit_pay(request: HttpRequest) -> HttpResponse:
    """MER-5: start paying a category's deposit through the gateway and go to its cashier."""
    category = request.POST.get("category", "")
    enabled = providers_enabled()  # PAY-3: the first enabled provider (the sandbox only outside production)
    try:
        payment = deposit_pay_start(
            merchant=merchant_for_request(request),
            category_id=int(category) if category.isdigit() else 0,
            provider=enabled[0] if enabled else "",
            actor=request_user(request),
        )
    except SERVICE_ERRORS as exc:
        show_error(None, exc, request)
        return redirect("merchant:onboarding")
    return redirect("merchant:deposit-cashier", out_trade_no=payment.out_trade_no)


@merchant_required(MONEY_ROLES)
@require_http_methods(["GET", "POST"])
def deposit_cashier(request: HttpRequest, out_trade_no: str) -> HttpResponse:
    """PAY-3 (sandbox): the provider's cashier for a deposit payment; paying queues the signed callback."""
    try:
        payment = deposit_payment_get_for_merchant(
            merchant=merchant_for_request(request), out_trade_no=out_trade_no
        )
    except NotFound:
        return not_found(request)
    if request.method == "POST":
        return run_action(
            request,
            lambda: sandbox_cashier_pay(out_trade_no=payment.out_trade_no, actor=request_user(request)),
            success=_("Paid. Your deposit is credited as soon as the provider confirms."),
            redirect_to="merchant:onboarding",
        )
    return page(request, "merchant/deposit_cashier.html", {"payment": payment})


@merchant_required(MONEY_ROLES)
def statement_csv(request: HttpRequest, statement_id: int) -> HttpResponse:
    """PAY-4: one statement's lines as CSV."""
    try:
        statement = statement_get_for_merchant(
            merchant=merchant_for_request(request), statement_id=statement_id
        )
    except NotFound:
        return not_found(request)
    out = io.StringIO()
    out.write("\ufeff")
    columns = ["at", "kind", "order", "gross", "commission", "amount", "transaction"]
    writer = csv.writer(out)
    writer.writerow(columns)
    for line in statement.lines:
        writer.writerow([line.get(c, "") for c in columns])
    writer.writerow([])
    writer.writerow(
        [
            "gross",
            statement.gross,
            "commission",
            statement.commission,
            "refunds",
            statement.refunds,
            "net",
            statement.net,
        ]
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{statement.period.isoformat()}.csv"'
    return response


# --- the home page's sales card ------------------------------------------------------------------------


@merchant_required(ALL_ROLES)
def home_sales(request: HttpRequest) -> HttpResponse:
    """Today's sales and the last 30 days as an inline-SVG bar chart. The home page loads it into its
    sales card (htmx, so the home page keeps its query budget); without JavaScript it is a page."""
    sales = merchant_daily_sales(merchant=merchant_for_request(request), days=30)
    context = {"today": sales[-1], "chart": sales_chart(sales)}
    if getattr(request, "htmx", False):
        return render(request, "merchant/_sales.html", context)
    return page(request, "merchant/sales.html", context)


def sales_chart(series: list[dict[str, Any]], *, width: int = 300, height: int = 80) -> dict[str, Any]:
    """The home page's 30-day sales chart as inline-SVG geometry (no JavaScript, no library): one bar
    per day scaled to the best day, each with its date and figures as its accessible title."""
    best = max((row["amount"] for row in series), default=Decimal(0)) or Decimal(1)
    slot = width / max(len(series), 1)
    bars = []
    for i, row in enumerate(series):
        h = round(float(row["amount"] / best) * (height - 2), 1)
        bars.append(
            {
                "x": round(i * slot + 1, 1),
                "y": round(height - h, 1),
                "w": round(max(slot - 2, 1), 1),
                "h": h,
                "day": row["day"],
                "amount": row["amount"],
                "orders": row["orders"],
            }
        )
    total = sum((row["amount"] for row in series), Decimal(0))
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "total": total,
        "orders": sum(row["orders"] for row in series),
        "best": best if total else Decimal(0),
    }
