from django.urls import path

from platform_core.notifications import api

urlpatterns = [
    path("me/notifications/", api.NotificationListApi.as_view(), name="notifications-list"),
    path(
        "me/notifications/<int:notification_id>/read/",
        api.NotificationReadApi.as_view(),
        name="notifications-read",
    ),
    path("me/notifications/read-all/", api.NotificationReadAllApi.as_view(), name="notifications-read-all"),
]
