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

urlpatterns = [
    path("admin/", admin.site.urls),
    path("merchant/", include("merchants.dashboard_urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("platform_core.operations.urls")),
]
