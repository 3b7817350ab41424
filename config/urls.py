from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from health.metrics import metrics
from health.views import ReadinessView, liveness
from web.views import home

urlpatterns = [
    path("", home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", liveness, name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Before cases.urls, whose cases/<id>/<record>/ would take cases/<id>/timeline/.
    path("api/v1/", include("supervision.api_urls")),
    path("api/v1/", include("documents.urls")),  # before cases.urls, like the timeline
    path("api/v1/", include("cases.urls")),
    path("api/v1/", include("referrals.urls")),
    path("api/v1/", include("providers.urls")),
    path("api/v1/", include("crossborder.urls")),
    path("api/v1/", include("proceedings.urls")),
    path("api/v1/", include("workflows.urls")),
    path("api/v1/", include("notifications.urls")),
    path("api/v1/", include("reports.urls")),
    path("supervision/", include("supervision.urls")),
    path("security/", include("security.urls")),
    path("", include("web.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # People reach the docs page from a browser: send them to sign in rather than a 401.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="schema")),
        name="api-docs",
    ),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"

if settings.LOIVE_BENCH:
    from benchmarks.views import bare_insert, signed_in

    urlpatterns += [path("bench/bare/", bare_insert), path("bench/signed-in/", signed_in)]
