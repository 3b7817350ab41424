"""The pages of every role, at the root of the site."""

from django.urls import path

from . import providers, views

app_name = "web"
urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("intake/check/", views.intake_check, name="intake-check"),
    path("intake/<uuid:case_id>/", views.intake_done, name="intake-done"),
    path("inbox/", views.inbox, name="inbox"),
    path(
        "referrals/<uuid:referral_id>/<str:action>/",
        views.referral_action,
        name="referral-action",
    ),
    path("cases/", views.cases, name="cases"),
    path("cases/<uuid:case_id>/", views.case, name="case"),
    path("cases/<uuid:case_id>/records/<slug:record>/", views.case_record, name="case-record"),
    path(
        "cases/<uuid:case_id>/transitions/<slug:name>/",
        views.case_transition,
        name="case-transition",
    ),
    path("cases/<uuid:case_id>/referrals/", views.case_referral, name="case-referral"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notifications, name="notifications"),
    path("reports/", views.reports, name="reports"),
    path("providers/", providers.occupancy, name="providers-occupancy"),
]
