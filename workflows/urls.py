"""Task API routes, mounted under /api/v1/ by config.urls."""

from django.urls import path, re_path

from . import api

urlpatterns = [
    path("tasks/", api.TaskListView.as_view(), name="task-list"),
    path("tasks/<int:task_id>/", api.TaskDetailView.as_view(), name="task-detail"),
    re_path(
        r"^tasks/(?P<task_id>[0-9]+)/complete/?$",
        api.TaskCompleteView.as_view(),
        name="task-complete",
    ),
]
