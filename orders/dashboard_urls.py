"""The merchant dashboard's orders and money pages (ORD-2..ORD-5, PAY-2, PAY-4, PAY-6, MER-5) and the
home page's sales card.

Mounted by the root URLconf (``platform_core/urls.py``) under /merchant/ in the ``merchant`` namespace,
with the other apps' dashboard URLs.
"""

from django.urls import path

from orders import dashboard, dashboard_reviews

urlpatterns = [
    path("home/sales/", dashboard.home_sales, name="home-sales"),
    # orders (ORD-2..ORD-5)
    path("orders/", dashboard.orders, name="orders"),
    path("orders/ship/", dashboard.orders_ship_bulk, name="orders-ship-bulk"),
    path("orders/<int:order_id>/", dashboard.order_detail, name="order"),
    path("orders/<int:order_id>/ship/", dashboard.order_ship_view, name="order-ship"),
    path("orders/<int:order_id>/cancel/", dashboard.order_cancel_view, name="order-cancel"),
    path("orders/<int:order_id>/packing-slip/", dashboard.packing_slip, name="packing-slip"),
    # delivery cases (ORD-10)
    path(
        "delivery-cases/<int:case_id>/reship/",
        dashboard.delivery_case_reship_view,
        name="delivery-case-reship",
    ),
    path(
        "delivery-cases/<int:case_id>/agree-refund/",
        dashboard.delivery_case_agree_refund_view,
        name="delivery-case-agree-refund",
    ),
    # money (PAY-2, PAY-4, PAY-6, MER-5)
    path("money/", dashboard.money, name="money"),
    path("money/statements/<int:statement_id>.csv", dashboard.statement_csv, name="statement-csv"),
    path("money/deposit/pay/", dashboard.deposit_pay, name="deposit-pay"),
    path("money/payout-account/", dashboard.payout_account, name="payout-account"),
    path("money/deposit/<str:out_trade_no>/", dashboard.deposit_cashier, name="deposit-cashier"),
    # reviews (REP-1, REP-2)
    path("reviews/", dashboard_reviews.reviews, name="reviews"),
    path("reviews/<int:review_id>/", dashboard_reviews.review, name="review"),
    path("reviews/<int:review_id>/reply/", dashboard_reviews.review_reply_view, name="review-reply"),
    path("reviews/<int:review_id>/report/", dashboard_reviews.review_report_view, name="review-report"),
]
