"""The merchant dashboard, mounted at /merchant/ (``path("merchant/", include("merchants.dashboard_urls"))``).

The pages live in each app's ``dashboard.py``; the URL names are in the ``merchant`` namespace.
"""

from django.urls import path

from aftersales import dashboard as aftersales_dashboard
from catalog import dashboard as catalog_dashboard
from disputes import dashboard as disputes_dashboard
from merchants import dashboard
from orders import dashboard as orders_dashboard

app_name = "merchant"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("home/sales/", dashboard.home_sales, name="home-sales"),
    path("login/", dashboard.MerchantLoginView.as_view(), name="login"),
    path("logout/", dashboard.MerchantLogoutView.as_view(), name="logout"),
    path("register/", dashboard.register, name="register"),
    # onboarding (MER-1..MER-5)
    path("onboarding/", dashboard.onboarding, name="onboarding"),
    path("onboarding/application/", dashboard.application_edit, name="application"),
    path("onboarding/documents/", dashboard.application_document_upload, name="application-document"),
    path("onboarding/submit/", dashboard.application_send, name="application-submit"),
    path("agreement/", dashboard.agreement, name="agreement"),
    # re-verification (MER-6)
    path("reverification/", dashboard.reverification, name="reverification"),
    path("reverification/documents/", dashboard.reverification_document, name="reverification-document"),
    path("reverification/submit/", dashboard.reverification_send, name="reverification-submit"),
    path("standing/", dashboard.standing, name="standing"),
    path(
        "standing/violations/<int:violation_id>/appeal/", dashboard.violation_appeal, name="violation-appeal"
    ),
    path("members/", dashboard.members, name="members"),
    path("members/<int:member_id>/remove/", dashboard.member_remove, name="member-remove"),
    # listings (CAT-1..CAT-5)
    path("listings/", catalog_dashboard.listings, name="listings"),
    path("listings/new/", catalog_dashboard.listing_new, name="listing-new"),
    path("listings/prescreen/", catalog_dashboard.listing_prescreen_check, name="listing-prescreen"),
    path("listings/stock/", catalog_dashboard.stock_upload, name="stock-upload"),
    path("listings/stock.csv", catalog_dashboard.stock_download, name="stock-download"),
    path("listings/<int:listing_id>/", catalog_dashboard.listing_detail, name="listing"),
    path("listings/<int:listing_id>/submit/", catalog_dashboard.listing_submit, name="listing-submit"),
    path("listings/<int:listing_id>/delist/", catalog_dashboard.listing_delist, name="listing-delist"),
    path("skus/<int:sku_id>/", catalog_dashboard.sku_edit, name="sku"),
    # orders (ORD-2..ORD-5)
    path("orders/", orders_dashboard.orders, name="orders"),
    path("orders/ship/", orders_dashboard.orders_ship_bulk, name="orders-ship-bulk"),
    path("orders/<int:order_id>/", orders_dashboard.order_detail, name="order"),
    path("orders/<int:order_id>/ship/", orders_dashboard.order_ship_view, name="order-ship"),
    path("orders/<int:order_id>/packing-slip/", orders_dashboard.packing_slip, name="packing-slip"),
    # money (PAY-2, PAY-4, PAY-6, MER-5)
    path("money/", orders_dashboard.money, name="money"),
    path("money/statements/<int:statement_id>.csv", orders_dashboard.statement_csv, name="statement-csv"),
    # after-sales and complaints (AFS-1..AFS-6, CMP-1..CMP-3)
    path("aftersales/", aftersales_dashboard.aftersales, name="aftersales"),
    path("aftersales/<int:request_id>/", aftersales_dashboard.aftersales_request, name="aftersales-request"),
    path(
        "aftersales/<int:request_id>/approve/",
        aftersales_dashboard.aftersales_approve,
        name="aftersales-approve",
    ),
    path(
        "aftersales/<int:request_id>/refuse/",
        aftersales_dashboard.aftersales_refuse,
        name="aftersales-refuse",
    ),
    path(
        "aftersales/<int:request_id>/confirm-receipt/",
        aftersales_dashboard.aftersales_confirm_receipt,
        name="aftersales-confirm-receipt",
    ),
    path(
        "aftersales/<int:request_id>/refund/",
        aftersales_dashboard.aftersales_refund,
        name="aftersales-refund",
    ),
    path(
        "aftersales/<int:request_id>/reship/",
        aftersales_dashboard.aftersales_reship,
        name="aftersales-reship",
    ),
    path("complaints/", aftersales_dashboard.complaints, name="complaints"),
    path("complaints/<int:complaint_id>/", aftersales_dashboard.complaint, name="complaint"),
    # disputes (DSP-1..DSP-5)
    path("disputes/", disputes_dashboard.disputes, name="disputes"),
    path("disputes/<int:dispute_id>/", disputes_dashboard.dispute, name="dispute"),
    path("disputes/<int:dispute_id>/evidence/", disputes_dashboard.dispute_evidence, name="dispute-evidence"),
    path(
        "disputes/<int:dispute_id>/proposals/<int:proposal_id>/accept/",
        disputes_dashboard.dispute_proposal_accept,
        name="dispute-proposal-accept",
    ),
    path(
        "disputes/<int:dispute_id>/proposals/<int:proposal_id>/reject/",
        disputes_dashboard.dispute_proposal_reject,
        name="dispute-proposal-reject",
    ),
    path("money/deposit/pay/", orders_dashboard.deposit_pay, name="deposit-pay"),
    path("money/deposit/<str:out_trade_no>/", orders_dashboard.deposit_cashier, name="deposit-cashier"),
]
