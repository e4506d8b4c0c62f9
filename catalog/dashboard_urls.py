"""The merchant dashboard's listing pages (CAT-1..CAT-5).

Mounted by the root URLconf (``platform_core/urls.py``) under /merchant/ in the ``merchant`` namespace,
with the other apps' dashboard URLs.
"""

from django.urls import path

from catalog import dashboard, dashboard_ip_notices

urlpatterns = [
    path("listings/", dashboard.listings, name="listings"),
    path("listings/new/", dashboard.listing_new, name="listing-new"),
    path("listings/prescreen/", dashboard.listing_prescreen_check, name="listing-prescreen"),
    path("listings/stock/", dashboard.stock_upload, name="stock-upload"),
    path("listings/stock.csv", dashboard.stock_download, name="stock-download"),
    path("listings/<int:listing_id>/", dashboard.listing_detail, name="listing"),
    path("listings/<int:listing_id>/submit/", dashboard.listing_submit, name="listing-submit"),
    path("listings/<int:listing_id>/delist/", dashboard.listing_delist, name="listing-delist"),
    path("skus/<int:sku_id>/", dashboard.sku_edit, name="sku"),
    # IP notices (CAT-7)
    path("ip-notices/", dashboard_ip_notices.ip_notices, name="ip-notices"),
    path("ip-notices/<int:notice_id>/", dashboard_ip_notices.ip_notice, name="ip-notice"),
    path(
        "ip-notices/<int:notice_id>/counter/",
        dashboard_ip_notices.ip_notice_counter_view,
        name="ip-notice-counter",
    ),
    path(
        "ip-notices/<int:notice_id>/evidence/<int:file_number>/",
        dashboard_ip_notices.ip_notice_evidence,
        name="ip-notice-evidence",
    ),
]
