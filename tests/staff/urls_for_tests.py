"""The project's URLs plus the staff API, until the lead includes ``staff.urls`` in platform_core/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("platform_core.urls")),
    path("api/v1/", include("staff.urls")),
]
