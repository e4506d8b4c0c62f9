from django.urls import include, path

urlpatterns = [
    path("", include("platform_core.urls")),
    path("api/v1/", include("disputes.urls")),
]
