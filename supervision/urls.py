"""Supervisor pages, under /supervision/."""

from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("overdue/", views.overdue, name="overdue"),
    path("timeliness/", views.timeliness, name="timeliness"),
    path("cases/<uuid:case_id>/timeline/", views.case_timeline, name="case-timeline"),
]
