"""API routes, under /api/v1/crossborder/."""

from django.urls import path

from . import api

urlpatterns = [
    path("crossborder/agreements/", api.AgreementListView.as_view(), name="crossborder-agreements"),
    path("crossborder/gates/", api.GateListView.as_view(), name="crossborder-gates"),
    path(
        "crossborder/requests/",
        api.RequestListCreateView.as_view(),
        name="crossborder-requests",
    ),
    path(
        "crossborder/requests/<uuid:request_id>/",
        api.RequestDetailView.as_view(),
        name="crossborder-request",
    ),
    path(
        "crossborder/requests/<uuid:request_id>/answer/",
        api.RequestAnswerView.as_view(),
        name="crossborder-request-answer",
    ),
    path(
        "crossborder/handovers/",
        api.HandoverListCreateView.as_view(),
        name="crossborder-handovers",
    ),
]
