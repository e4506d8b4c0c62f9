"""The sandbox clock's routes; ``platform_core.urls`` mounts them only outside production (decision 026)."""

from django.urls import path

from platform_core.sandbox import api

urlpatterns = [
    path("sandbox/clock/", api.ClockApi.as_view(), name="sandbox-clock"),
    path("sandbox/clock/advance/", api.ClockAdvanceApi.as_view(), name="sandbox-clock-advance"),
]
