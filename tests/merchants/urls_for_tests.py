"""The project's URLs plus this app's, until the lead includes merchants.urls in platform_core/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("merchants.urls")),
    path("", include("platform_core.urls")),
]
