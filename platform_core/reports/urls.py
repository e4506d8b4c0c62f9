from django.urls import path

from platform_core.reports import api

urlpatterns = [
    path("reports/", api.ReportListApi.as_view(), name="reports-list"),
    path("reports/monthly/", api.MonthlyReportListApi.as_view(), name="reports-monthly-list"),
    path(
        "reports/monthly/<int:report_id>/download/",
        api.MonthlyReportDownloadApi.as_view(),
        name="reports-monthly-download",
    ),
    path("reports/exports/<int:export_id>/", api.ExportStatusApi.as_view(), name="reports-export-status"),
    path(
        "reports/exports/<int:export_id>/download/",
        api.ExportDownloadApi.as_view(),
        name="reports-export-download",
    ),
    path("reports/<str:code>/export/", api.ReportExportApi.as_view(), name="reports-export"),
]
