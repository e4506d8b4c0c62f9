from django.urls import path

from orders import api

urlpatterns = [
    path("cart/", api.CartApi.as_view(), name="cart"),
    path("cart/items/<int:sku_id>/", api.CartItemApi.as_view(), name="cart-item"),
    path("checkout/", api.CheckoutApi.as_view(), name="checkout"),
    path("orders/", api.OrderListApi.as_view(), name="orders-list"),
    path("orders/<int:order_id>/", api.OrderDetailApi.as_view(), name="orders-detail"),
    path("orders/<int:order_id>/contract/", api.OrderContractApi.as_view(), name="orders-contract"),
    path("orders/<int:order_id>/tracking/", api.OrderTrackingApi.as_view(), name="orders-tracking"),
    path("orders/<int:order_id>/pay/", api.OrderPayApi.as_view(), name="orders-pay"),
    path("orders/<int:order_id>/cancel/", api.OrderCancelApi.as_view(), name="orders-cancel"),
    path(
        "orders/<int:order_id>/confirm-receipt/",
        api.OrderConfirmReceiptApi.as_view(),
        name="orders-confirm-receipt",
    ),
    path(
        "orders/<int:order_id>/extend-confirmation/",
        api.OrderExtendConfirmationApi.as_view(),
        name="orders-extend-confirmation",
    ),
    path("payments/callbacks/<str:provider>/", api.PaymentCallbackApi.as_view(), name="payments-callback"),
    path(
        "payments/sandbox/<str:out_trade_no>/pay/",
        api.SandboxCashierApi.as_view(),
        name="payments-sandbox-pay",
    ),
    path("logistics/callbacks/<str:carrier>/", api.LogisticsCallbackApi.as_view(), name="logistics-callback"),
    path("merchant/orders/", api.MerchantOrderListApi.as_view(), name="merchant-orders"),
    path("merchant/orders/ship/", api.MerchantOrderShipBulkApi.as_view(), name="merchant-orders-ship-bulk"),
    path(
        "merchant/orders/<int:order_id>/ship/", api.MerchantOrderShipApi.as_view(), name="merchant-order-ship"
    ),
    path(
        "merchant/orders/<int:order_id>/cancel/",
        api.MerchantOrderCancelApi.as_view(),
        name="merchant-order-cancel",
    ),
    path("merchant/deposits/pay/", api.MerchantDepositPayApi.as_view(), name="merchant-deposits-pay"),
    path("merchant/statements/", api.MerchantStatementListApi.as_view(), name="merchant-statements"),
    path(
        "merchant/statements/<int:statement_id>/csv/",
        api.MerchantStatementCsvApi.as_view(),
        name="merchant-statement-csv",
    ),
]
