"""The project's URLs plus the merchant dashboard, until the lead mounts it in platform_core/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("merchant/", include("merchants.dashboard_urls")),
    path("", include("platform_core.urls")),
]
