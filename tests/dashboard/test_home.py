"""The home page: what needs action now across orders, after-sales and disputes, the most urgent first,
and the 30-day sales chart drawn as inline SVG on the server."""

from collections.abc import Callable

import pytest
from django.test import Client

from aftersales.models import AfterSalesRequest
from disputes.models import Dispute
from orders.models import Order

pytestmark = pytest.mark.django_db


def test_afs_3_dsp_2_home_orders_every_kind_of_action_by_deadline(
    owner_client: Client,
    make_paid_order: Callable[..., Order],
    make_request: Callable[..., AfterSalesRequest],
    make_dispute: Callable[[], Dispute],
) -> None:
    dispute = make_dispute()  # evidence due in 3 days
    found = make_request()  # response due in 24 hours
    order = make_paid_order()  # ship by in 72 hours
    response = owner_client.get("/merchant/")
    actions = response.context["actions"]
    kinds = [a["kind"] for a in actions]
    assert {"aftersales", "dispute", "ship"} <= set(kinds)
    dues = [a["due"] for a in actions]
    assert dues == sorted(dues)
    assert actions[0]["kind"] == "aftersales" and str(found.pk) in str(actions[0]["title"])
    html = response.content.decode()
    assert f"/merchant/aftersales/{found.pk}/" in html
    assert f"/merchant/disputes/{dispute.pk}/" in html
    assert f"/merchant/orders/{order.pk}/" in html


def test_home_draws_the_30_day_sales_chart_without_script(
    owner_client: Client, make_paid_order: Callable[..., Order]
) -> None:
    orders = [make_paid_order() for _ in range(2)]
    home = owner_client.get("/merchant/").content.decode()
    assert (
        'hx-get="/merchant/home/sales/"' in home and 'href="/merchant/home/sales/"' in home
    )  # no JS: a link
    response = owner_client.get("/merchant/home/sales/", HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates] == ["merchant/_sales.html"]  # the partial for htmx
    chart = response.context["chart"]
    assert len(chart["bars"]) == 30
    today = chart["bars"][-1]
    assert today["orders"] == 2 and today["amount"] == sum(o.total for o in orders)
    assert today["h"] == pytest.approx(chart["height"] - 2)  # the best day fills the chart
    assert all(bar["h"] == 0 for bar in chart["bars"][:-1])
    html = response.content.decode()
    assert '<svg viewBox="0 0 300 80"' in html and html.count('class="chart-bar') == 30
    assert f"¥{today['amount']}" in html
    assert "<script>" not in html and " style=" not in html
    full = owner_client.get("/merchant/home/sales/")
    assert full.status_code == 200 and "merchant/base.html" in [t.name for t in full.templates]
