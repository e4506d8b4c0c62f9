from django.urls import path

from catalog.api.categories import CategoryListApi
from catalog.api.favourites import MyFavouriteApi, MyFavouritesApi, MyFollowApi, MyFollowsApi
from catalog.api.images import ListingImageApi, MerchantListingImageUploadApi
from catalog.api.ip_notices import (
    IpNoticeActionProofApi,
    IpNoticeListApi,
    IpNoticePublishedApi,
    MerchantIpCounterNoticeApi,
    MerchantIpNoticeListApi,
)
from catalog.api.listings import ListingDetailApi, ListingListApi
from catalog.api.merchant_listings import (
    MerchantListingDelistApi,
    MerchantListingDetailApi,
    MerchantListingListApi,
    MerchantListingStockConfirmApi,
    MerchantListingSubmitApi,
    MerchantPrescreenApi,
    MerchantSkuApi,
    MerchantStockBulkApi,
)

urlpatterns = [
    path("categories/", CategoryListApi.as_view(), name="categories-list"),
    path("listings/", ListingListApi.as_view(), name="listings-list"),
    path("listings/<int:listing_id>/", ListingDetailApi.as_view(), name="listings-detail"),
    path("merchant/listings/", MerchantListingListApi.as_view(), name="merchant-listings"),
    path("merchant/listings/prescreen/", MerchantPrescreenApi.as_view(), name="merchant-listings-prescreen"),
    path("merchant/listings/stock/", MerchantStockBulkApi.as_view(), name="merchant-listings-stock"),
    path("merchant/listings/<int:listing_id>/", MerchantListingDetailApi.as_view(), name="merchant-listing"),
    path(
        "merchant/listings/<int:listing_id>/submit/",
        MerchantListingSubmitApi.as_view(),
        name="merchant-listing-submit",
    ),
    path(
        "merchant/listings/<int:listing_id>/delist/",
        MerchantListingDelistApi.as_view(),
        name="merchant-listing-delist",
    ),
    path(
        "merchant/listings/<int:listing_id>/confirm-stock/",
        MerchantListingStockConfirmApi.as_view(),
        name="merchant-listing-confirm-stock",
    ),
    path(
        "merchant/listing-images/",
        MerchantListingImageUploadApi.as_view(),
        name="merchant-listing-images",
    ),
    path("listing-images/<int:image_id>/", ListingImageApi.as_view(), name="listing-image"),
    path("merchant/skus/<int:sku_id>/", MerchantSkuApi.as_view(), name="merchant-sku"),
    path("merchant/ip-notices/", MerchantIpNoticeListApi.as_view(), name="merchant-ip-notices"),
    path(
        "merchant/ip-notices/<int:notice_id>/counter-notice/",
        MerchantIpCounterNoticeApi.as_view(),
        name="merchant-ip-counter-notice",
    ),
    path("ip-notices/", IpNoticeListApi.as_view(), name="ip-notices"),
    path("ip-notices/published/", IpNoticePublishedApi.as_view(), name="ip-notices-published"),
    path(
        "ip-notices/<int:notice_id>/action-proof/",
        IpNoticeActionProofApi.as_view(),
        name="ip-notice-action-proof",
    ),
    path("me/favourites/", MyFavouritesApi.as_view(), name="me-favourites"),
    path("me/favourites/<int:listing_id>/", MyFavouriteApi.as_view(), name="me-favourite"),
    path("me/follows/", MyFollowsApi.as_view(), name="me-follows"),
    path("me/follows/<int:merchant_id>/", MyFollowApi.as_view(), name="me-follow"),
]
