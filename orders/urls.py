from django.conf import settings
from django.urls import path

from orders.api.callbacks import LogisticsCallbackApi, PaymentCallbackApi, SandboxCashierApi
from orders.api.cart import CartApi, CartItemApi, CheckoutApi
from orders.api.customer_orders import (
    OrderCancelApi,
    OrderConfirmReceiptApi,
    OrderContractApi,
    OrderDetailApi,
    OrderExtendConfirmationApi,
    OrderListApi,
    OrderPayApi,
    OrderTrackingApi,
)
from orders.api.delivery import (
    MerchantDeliveryCaseAgreeRefundApi,
    MerchantDeliveryCaseReshipApi,
    OrderDeliveryCaseApi,
    OrderDeliveryCaseRefundApi,
)
from orders.api.merchant import (
    MerchantDepositPayApi,
    MerchantOrderCancelApi,
    MerchantOrderListApi,
    MerchantOrderShipApi,
    MerchantOrderShipBulkApi,
    MerchantStatementCsvApi,
    MerchantStatementListApi,
)
from orders.api.payout_account import MerchantPayoutAccountApi
from orders.api.reviews import (
    ListingReviewListApi,
    MerchantReviewListApi,
    MerchantReviewReplyApi,
    OrderLineReviewApi,
    OrderLineReviewFollowUpApi,
    ReviewLikeApi,
    ReviewPhotoApi,
)

urlpatterns = [
    path("cart/", CartApi.as_view(), name="cart"),
    path("cart/items/<int:sku_id>/", CartItemApi.as_view(), name="cart-item"),
    path("checkout/", CheckoutApi.as_view(), name="checkout"),
    path("orders/", OrderListApi.as_view(), name="orders-list"),
    path("orders/<int:order_id>/", OrderDetailApi.as_view(), name="orders-detail"),
    path("orders/<int:order_id>/contract/", OrderContractApi.as_view(), name="orders-contract"),
    path("orders/<int:order_id>/tracking/", OrderTrackingApi.as_view(), name="orders-tracking"),
    path("orders/<int:order_id>/pay/", OrderPayApi.as_view(), name="orders-pay"),
    path("orders/<int:order_id>/cancel/", OrderCancelApi.as_view(), name="orders-cancel"),
    path("orders/<int:order_id>/delivery-case/", OrderDeliveryCaseApi.as_view(), name="orders-delivery-case"),
    path(
        "orders/<int:order_id>/delivery-case/refund/",
        OrderDeliveryCaseRefundApi.as_view(),
        name="orders-delivery-case-refund",
    ),
    path(
        "merchant/delivery-cases/<int:case_id>/reship/",
        MerchantDeliveryCaseReshipApi.as_view(),
        name="merchant-delivery-case-reship",
    ),
    path(
        "merchant/delivery-cases/<int:case_id>/agree-refund/",
        MerchantDeliveryCaseAgreeRefundApi.as_view(),
        name="merchant-delivery-case-agree-refund",
    ),
    path(
        "orders/<int:order_id>/confirm-receipt/",
        OrderConfirmReceiptApi.as_view(),
        name="orders-confirm-receipt",
    ),
    path(
        "orders/<int:order_id>/extend-confirmation/",
        OrderExtendConfirmationApi.as_view(),
        name="orders-extend-confirmation",
    ),
    path(
        "orders/<int:order_id>/lines/<int:line_id>/review/",
        OrderLineReviewApi.as_view(),
        name="orders-line-review",
    ),
    path(
        "orders/<int:order_id>/lines/<int:line_id>/review/follow-up/",
        OrderLineReviewFollowUpApi.as_view(),
        name="orders-line-review-follow-up",
    ),
    path("listings/<int:listing_id>/reviews/", ListingReviewListApi.as_view(), name="listings-reviews"),
    path("reviews/<int:review_id>/like/", ReviewLikeApi.as_view(), name="review-like"),
    path("reviews/photos/<int:photo_id>/", ReviewPhotoApi.as_view(), name="review-photo"),
    path("payments/callbacks/<str:provider>/", PaymentCallbackApi.as_view(), name="payments-callback"),
    path("logistics/callbacks/<str:carrier>/", LogisticsCallbackApi.as_view(), name="logistics-callback"),
    path("merchant/orders/", MerchantOrderListApi.as_view(), name="merchant-orders"),
    path("merchant/orders/ship/", MerchantOrderShipBulkApi.as_view(), name="merchant-orders-ship-bulk"),
    path("merchant/orders/<int:order_id>/ship/", MerchantOrderShipApi.as_view(), name="merchant-order-ship"),
    path(
        "merchant/orders/<int:order_id>/cancel/",
        MerchantOrderCancelApi.as_view(),
        name="merchant-order-cancel",
    ),
    path("merchant/reviews/", MerchantReviewListApi.as_view(), name="merchant-reviews"),
    path(
        "merchant/reviews/<int:review_id>/reply/",
        MerchantReviewReplyApi.as_view(),
        name="merchant-review-reply",
    ),
    path("merchant/deposits/pay/", MerchantDepositPayApi.as_view(), name="merchant-deposits-pay"),
    path("merchant/statements/", MerchantStatementListApi.as_view(), name="merchant-statements"),
    path("merchant/payout-account/", MerchantPayoutAccountApi.as_view(), name="merchant-payout-account"),
    path(
        "merchant/statements/<int:statement_id>/csv/",
        MerchantStatementCsvApi.as_view(),
        name="merchant-statement-csv",
    ),
]

if "sandbox" in settings.ORDERS_PAYMENT_PROVIDERS:
    # PAY-3 (decision 019): the sandbox cashier is mounted only where the sandbox is enabled: never in
    # production, where this path answers 404 and is absent from the schema
    urlpatterns.append(
        path(
            "payments/sandbox/<str:out_trade_no>/pay/",
            SandboxCashierApi.as_view(),
            name="payments-sandbox-pay",
        )
    )
