"""Production settings: refuse to start without real secrets, harden every cookie and header."""

import os

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS, MIDDLEWARE, STORAGES


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production.")
    return value


DEBUG = False
# Benchmarks and the demo never run in production (bench, seed_demo and quickstart use the
# default settings).
INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in ("benchmarks", "demo")]
SECRET_KEY = _required("DJANGO_SECRET_KEY")
LOIVE_MASTER_KEY = _required("LOIVE_MASTER_KEY")
# Blind-index root key (security app): never derived from the master key, never rotated with it.
LOIVE_INDEX_KEY = _required("LOIVE_INDEX_KEY")
LOIVE_REQUIRE_MASTER_KEY = True
ALLOWED_HOSTS = _required("DJANGO_ALLOWED_HOSTS").split(",")

SECURE_SSL_REDIRECT = os.environ.get("LOIVE_SSL_REDIRECT", "1") == "1"
# Probes and Prometheus reach pods over plain HTTP inside the cluster, never through the TLS
# terminator.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
MIDDLEWARE = [*MIDDLEWARE, "config.csp.ContentSecurityPolicyMiddleware"]
LOIVE_BENCH = False
# Static files from STATIC_ROOT (collectstatic in the image), compressed, cached for good.
WHITENOISE_USE_FINDERS = False
# The encrypted documents' store (data directory or S3) stays as config.settings chose it.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
