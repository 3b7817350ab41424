from django.urls import path

from . import api

urlpatterns = [
    path("reports/periodic/", api.PeriodicReportView.as_view(), name="reports-periodic"),
]
