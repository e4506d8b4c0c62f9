"""The project's URLs plus this app's, until the lead includes orders.urls in platform_core/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("orders.urls")),
    path("api/v1/", include("catalog.urls")),
    path("", include("platform_core.urls")),
]
