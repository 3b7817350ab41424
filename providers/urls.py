"""API routes, under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("providers/", api.ProviderListView.as_view(), name="provider-list"),
    path(
        "providers/suggestions/",
        api.ProviderSuggestionsView.as_view(),
        name="provider-suggestions",
    ),
    path(
        "providers/placements/",
        api.PlacementListCreateView.as_view(),
        name="provider-placements",
    ),
    path("providers/occupancy/", api.OccupancyView.as_view(), name="provider-occupancy"),
]
