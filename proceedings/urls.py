"""API routes, under /api/v1/proceedings/."""

from django.urls import path

from . import api
from .serializers import TIP_ACTIONS

urlpatterns = [
    path("proceedings/tips/", api.TipListCreateView.as_view(), name="tip-list"),
    path("proceedings/tips/<uuid:tip_id>/", api.TipDetailView.as_view(), name="tip-detail"),
    *[
        path(
            f"proceedings/tips/<uuid:tip_id>/{action}/",
            api.TipActionView.as_view(action_name=action),
            name=f"tip-{action}",
        )
        for action in TIP_ACTIONS
    ],
    path(
        "proceedings/criminal-cases/",
        api.CriminalCaseListView.as_view(),
        name="criminal-case-list",
    ),
    path(
        "proceedings/criminal-cases/<uuid:case_id>/",
        api.CriminalCaseDetailView.as_view(),
        name="criminal-case-detail",
    ),
    path(
        "proceedings/criminal-cases/<uuid:case_id>/transitions/",
        api.CriminalCaseTransitionView.as_view(),
        name="criminal-case-transition",
    ),
    *[
        path(
            f"proceedings/criminal-cases/<uuid:case_id>/{record}/",
            api.CriminalCaseRecordView.as_view(record=record),
            name=f"criminal-case-{record}",
        )
        for record in api.CriminalCaseRecordView.INPUTS
    ],
]
