"""The staff chapter's seller-centre pages (mounted under /merchant/ by the root URLconf): STF-6."""

from django.urls import path

from staff.dashboard import announcements

urlpatterns = [
    path("announcements/", announcements, name="announcements"),
]
