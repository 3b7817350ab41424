"""The project's URLs plus the baseline endpoints: `bench` measures in its own process with
these (ROOT_URLCONF) without LOIVE_BENCH in its settings."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project

from .views import bare_insert, signed_in

BENCH = [path("bench/bare/", bare_insert), path("bench/signed-in/", signed_in)]
urlpatterns = [*project, *[p for p in BENCH if str(p.pattern) not in map(str, project)]]
