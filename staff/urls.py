from django.urls import path

from staff import api

urlpatterns = [
    path(
        "staff/permission-applications/",
        api.PermissionApplicationListCreateApi.as_view(),
        name="staff-permission-applications",
    ),
    path(
        "staff/permission-applications/<int:application_id>/",
        api.PermissionApplicationDetailApi.as_view(),
        name="staff-permission-application",
    ),
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
    path(
        "staff/permission-applications/<int:application_id>/withdraw/",
        api.PermissionApplicationWithdrawApi.as_view(),
        name="staff-permission-application-withdraw",
    ),
]
