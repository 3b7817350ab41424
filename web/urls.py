"""The pages of every role, at the root of the site."""

from django.urls import path

from . import providers, views, views_dashboard, views_proceedings

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
    path("routing/", views.routing, name="routing"),
    path("routing/<uuid:referral_id>/", views.route, name="route"),
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
    path("reports/dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("proceedings/tips/", views_proceedings.tips, name="tips"),
    path("proceedings/tips/<uuid:tip_id>/", views_proceedings.tip, name="tip"),
    path(
        "proceedings/tips/<uuid:tip_id>/<slug:step>/", views_proceedings.tip_step, name="tip-step"
    ),
    path("proceedings/cases/", views_proceedings.criminal_cases, name="criminal-cases"),
    path(
        "proceedings/cases/<uuid:case_id>/",
        views_proceedings.criminal_case,
        name="criminal-case",
    ),
    path(
        "proceedings/cases/<uuid:case_id>/<slug:step>/",
        views_proceedings.criminal_case_step,
        name="criminal-case-step",
    ),
    path("providers/", providers.occupancy, name="providers-occupancy"),
]
