from django.urls import path

from catalog import api

urlpatterns = [
    path("listings/", api.ListingListApi.as_view(), name="listings-list"),
    path("listings/<int:listing_id>/", api.ListingDetailApi.as_view(), name="listings-detail"),
    path("merchant/listings/", api.MerchantListingListApi.as_view(), name="merchant-listings"),
    path(
        "merchant/listings/prescreen/", api.MerchantPrescreenApi.as_view(), name="merchant-listings-prescreen"
    ),
    path("merchant/listings/stock/", api.MerchantStockBulkApi.as_view(), name="merchant-listings-stock"),
    path(
        "merchant/listings/<int:listing_id>/", api.MerchantListingDetailApi.as_view(), name="merchant-listing"
    ),
    path(
        "merchant/listings/<int:listing_id>/submit/",
        api.MerchantListingSubmitApi.as_view(),
        name="merchant-listing-submit",
    ),
    path(
        "merchant/listings/<int:listing_id>/delist/",
        api.MerchantListingDelistApi.as_view(),
        name="merchant-listing-delist",
    ),
    path(
        "merchant/listings/<int:listing_id>/confirm-stock/",
        api.MerchantListingStockConfirmApi.as_view(),
        name="merchant-listing-confirm-stock",
    ),
    path("merchant/skus/<int:sku_id>/", api.MerchantSkuApi.as_view(), name="merchant-sku"),
    path("merchant/ip-notices/", api.MerchantIpNoticeListApi.as_view(), name="merchant-ip-notices"),
    path(
        "merchant/ip-notices/<int:notice_id>/counter-notice/",
        api.MerchantIpCounterNoticeApi.as_view(),
        name="merchant-ip-counter-notice",
    ),
    path("ip-notices/", api.IpNoticeListApi.as_view(), name="ip-notices"),
    path("ip-notices/published/", api.IpNoticePublishedApi.as_view(), name="ip-notices-published"),
    path(
        "ip-notices/<int:notice_id>/action-proof/",
        api.IpNoticeActionProofApi.as_view(),
        name="ip-notice-action-proof",
    ),
    path("me/favourites/", api.MyFavouritesApi.as_view(), name="me-favourites"),
    path("me/favourites/<int:listing_id>/", api.MyFavouriteApi.as_view(), name="me-favourite"),
    path("me/follows/", api.MyFollowsApi.as_view(), name="me-follows"),
    path("me/follows/<int:merchant_id>/", api.MyFollowApi.as_view(), name="me-follow"),
]
