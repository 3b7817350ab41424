"""API routes, under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("cases/<uuid:case_id>/timeline/", api.CaseTimelineView.as_view(), name="case-timeline"),
    path("supervision/overdue/", api.OverdueView.as_view(), name="supervision-overdue"),
    path("supervision/timeliness/", api.TimelinessView.as_view(), name="supervision-timeliness"),
]
