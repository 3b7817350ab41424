from django.urls import path

from . import api

urlpatterns = [
    path("cases/<uuid:case_id>/documents/", api.CaseDocumentsView.as_view(), name="case-documents"),
    path(
        "cases/<uuid:case_id>/documents/<uuid:document_id>/",
        api.DocumentDownloadView.as_view(),
        name="case-document",
    ),
]
