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
    path(
        "orders/<int:order_id>/lines/<int:line_id>/review/",
        api.OrderLineReviewApi.as_view(),
        name="orders-line-review",
    ),
    path(
        "orders/<int:order_id>/lines/<int:line_id>/review/follow-up/",
        api.OrderLineReviewFollowUpApi.as_view(),
        name="orders-line-review-follow-up",
    ),
    path("listings/<int:listing_id>/reviews/", api.ListingReviewListApi.as_view(), name="listings-reviews"),
    path("reviews/<int:review_id>/like/", api.ReviewLikeApi.as_view(), name="review-like"),
    path("reviews/photos/<int:photo_id>/", api.ReviewPhotoApi.as_view(), name="review-photo"),
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
    path("merchant/reviews/", api.MerchantReviewListApi.as_view(), name="merchant-reviews"),
    path(
        "merchant/reviews/<int:review_id>/reply/",
        api.MerchantReviewReplyApi.as_view(),
        name="merchant-review-reply",
    ),
    path("merchant/deposits/pay/", api.MerchantDepositPayApi.as_view(), name="merchant-deposits-pay"),
    path("merchant/statements/", api.MerchantStatementListApi.as_view(), name="merchant-statements"),
    path(
        "merchant/statements/<int:statement_id>/csv/",
        api.MerchantStatementCsvApi.as_view(),
        name="merchant-statement-csv",
    ),
]
