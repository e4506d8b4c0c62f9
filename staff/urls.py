from django.urls import URLPattern, path

from staff import api


def _application_routes(prefix: str, name: str) -> list[URLPattern]:
    """The application views under ``prefix``: one mechanism for staff tools and users' accounts (USR-2)."""
    return [
        path(f"{prefix}/", api.PermissionApplicationListCreateApi.as_view(), name=f"{name}s"),
        path(f"{prefix}/<int:application_id>/", api.PermissionApplicationDetailApi.as_view(), name=name),
        path(
            f"{prefix}/<int:application_id>/withdraw/",
            api.PermissionApplicationWithdrawApi.as_view(),
            name=f"{name}-withdraw",
        ),
    ]


urlpatterns = [
    *_application_routes("staff/permission-applications", "staff-permission-application"),
    path(
        "staff/permission-applications/<int:application_id>/approve/",
        api.PermissionApplicationApproveApi.as_view(),
        name="staff-permission-application-approve",
    ),
    path(
        "staff/permission-applications/<int:application_id>/reject/",
        api.PermissionApplicationRejectApi.as_view(),
        name="staff-permission-application-reject",
    ),
    # USR-1 … USR-3: the same mechanism from the user's account
    path("me/permissions/", api.MyPermissionsApi.as_view(), name="me-permissions"),
    *_application_routes("me/permission-applications", "me-permission-application"),
    path(
        "me/permission-grants/<int:grant_id>/give-up/",
        api.PermissionGrantGiveUpApi.as_view(),
        name="me-permission-grant-give-up",
    ),
    # STF-6: published announcements, for everyone
    path("announcements/", api.AnnouncementListApi.as_view(), name="announcements"),
    # STF-8
    path("me/learning-record/", api.MyLearningRecordApi.as_view(), name="me-learning-record"),
]
