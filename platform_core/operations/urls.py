"""Included at the site root by platform_core/urls.py: ``path("", include("platform_core.operations.urls"))``.

Both ``/healthz`` and ``/healthz/`` answer directly (no APPEND_SLASH redirect for probes to follow).
"""

from django.urls import re_path

from platform_core.operations import views

urlpatterns = [
    re_path(r"^healthz/?$", views.healthz, name="healthz"),
    re_path(r"^readyz/?$", views.readyz, name="readyz"),
    re_path(r"^metrics/?$", views.metrics, name="metrics"),
]
