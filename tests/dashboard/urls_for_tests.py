"""The project's URLs: ``platform_core/urls.py`` mounts the merchant dashboard (kept for the tests' marks)."""

from platform_core.urls import urlpatterns

__all__ = ["urlpatterns"]
