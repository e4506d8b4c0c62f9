"""The project's URLs plus the reports API, until the lead includes ``platform_core.reports.urls``."""

from django.urls import include, path

urlpatterns = [
    path("", include("platform_core.urls")),
    path("api/v1/", include("platform_core.reports.urls")),
]
