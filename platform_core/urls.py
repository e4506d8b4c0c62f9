"""The root URLconf: it mounts each app's API (``<app>/urls.py``) and merchant-dashboard pages
(``<app>/dashboard_urls.py``); the kernel names the apps only as dotted strings, never by import.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_v1 = [
    path("", include("platform_core.accounts.urls")),
    path("", include("platform_core.notifications.urls")),
    path("", include("merchants.urls")),
    path("", include("staff.urls")),
    path("", include("catalog.urls")),
    path("", include("platform_core.reports.urls")),
    path("", include("orders.urls")),
    path("", include("aftersales.urls")),
    path("", include("disputes.urls")),
    path("", include("jury.urls")),
    path("", include("fieldwork.urls")),
]
if not settings.IS_PRODUCTION:
    # decision 026: the sandbox clock (demo and staging); production has no such route
    api_v1.append(path("", include("platform_core.sandbox.urls")))

#: The merchant dashboard (``/merchant/``, namespace ``merchant``): each app mounts its own pages.
merchant_dashboard = [
    path("", include("merchants.dashboard_urls")),
    path("", include("catalog.dashboard_urls")),
    path("", include("orders.dashboard_urls")),
    path("", include("aftersales.dashboard_urls")),
    path("", include("disputes.dashboard_urls")),
    path("", include("staff.dashboard_urls")),
    path("", include("jury.dashboard_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("merchant/", include((merchant_dashboard, "merchant"))),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("platform_core.operations.urls")),
]

# SEC (issue 20, item 11): under /api/ a 404, 400 or 500 is the API's JSON error shape, DEBUG or not
handler400 = "platform_core.api.error_views.bad_request"
handler404 = "platform_core.api.error_views.page_not_found"
handler500 = "platform_core.api.error_views.server_error"
