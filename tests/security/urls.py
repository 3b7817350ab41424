"""The project's URLs plus the security app's, until config/urls.py includes them."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

included = any(getattr(p, "namespace", None) == "security" for p in project_urlpatterns)
urlpatterns = [
    *project_urlpatterns,
    *([] if included else [path("security/", include("security.urls"))]),
]
