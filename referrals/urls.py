"""API routes, under /api/v1/. Actions answer with or without a trailing slash."""

from django.urls import path

from . import api

urlpatterns = [
    path("referrals/", api.ReferralListCreateView.as_view(), name="referral-list"),
    path("referrals/<uuid:referral_id>/", api.ReferralDetailView.as_view(), name="referral-detail"),
    *[
        path(
            f"referrals/<uuid:referral_id>/{action}/",
            api.ReferralActionView.as_view(action_name=action),
            name=f"referral-{action}",
        )
        for action in api.ACTIONS
    ],
    # DESIGN.md §4 writes the actions without the slash: the same views, documented once.
    *[
        path(
            f"referrals/<uuid:referral_id>/{action}",
            api.ReferralActionView.as_view(action_name=action, schema=None),
        )
        for action in api.ACTIONS
    ],
    path(
        "referrals/<uuid:referral_id>/route/",
        api.ReferralRouteView.as_view(),
        name="referral-route",
    ),
]
