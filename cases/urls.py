from django.urls import path

from . import api

urlpatterns = [
    path("intakes/", api.IntakeCreateView.as_view(), name="intake-create"),
    path("intakes/duplicates/", api.IntakeDuplicatesView.as_view(), name="intake-duplicates"),
    path("cases/", api.CaseListView.as_view(), name="case-list"),
    path("cases/<uuid:case_id>/", api.CaseDetailView.as_view(), name="case-detail"),
    path(
        "cases/<uuid:case_id>/transitions/",
        api.CaseTransitionsView.as_view(),
        name="case-transitions",
    ),
    path(
        "cases/<uuid:case_id>/services/<int:service_id>/",
        api.ServiceUpdateView.as_view(),
        name="case-service-update",
    ),
    path("cases/<uuid:case_id>/status/", api.CaseStatusView.as_view(), name="case-status"),
    path("cases/<uuid:case_id>/<slug:record>/", api.CaseRecordView.as_view(), name="case-record"),
]
