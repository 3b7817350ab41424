from django.urls import path

from . import api

urlpatterns = [
    path("reports/periodic/", api.PeriodicReportView.as_view(), name="reports-periodic"),
    path("reports/htcds/", api.HtcdsExportView.as_view(), name="reports-htcds"),
    path("reports/exports/", api.ExportJobsView.as_view(), name="reports-exports"),
    path("reports/exports/<uuid:job_id>/", api.ExportJobView.as_view(), name="reports-export"),
    path(
        "reports/exports/<uuid:job_id>/file/",
        api.ExportJobFileView.as_view(),
        name="reports-export-file",
    ),
]
