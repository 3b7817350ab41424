"""Settings for Lối Về, read from the environment with safe local defaults.

Everything local (the SQLite database, the development key file, uploads) lives in
LOIVE_DATA_DIR (default ./var). DATABASE_URL switches to PostgreSQL, REDIS_URL to a real
Celery broker. Production hardening lives in config.production.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from django_guid.integrations import CeleryIntegration

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("LOIVE_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def _development_secret_key() -> str:
    """A per-installation secret kept in the data directory, never a literal in code."""
    path = DATA_DIR / "secret_key.txt"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# Off unless asked for: DEBUG pages show settings, paths and every URL pattern.
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _development_secret_key()
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # WhiteNoise serves static files, also under runserver (the demo runs with DEBUG off).
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_guid",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "viewflow",
    "viewflow.workflow",
    # Lối Về's apps, lowest layer first: each imports only from the apps above it here.
    "places",
    "agencies",
    "security",
    "notifications",
    "rulebooks",
    "cases",
    "referrals",
    # Support-service providers, their places, and matching victims to them (above referrals:
    # a referral to a provider's unit takes a place).
    "providers",
    "proceedings",
    "documents",
    # Cooperation across the border: counterparts, agreements, requests, handovers at gates.
    "crossborder",
    "workflows",
    "supervision",
    "reports",
    "health",
    # Backups that prove themselves on restore (python manage.py backup / restore).
    "backups",
    # The web interface: pages for every role, on top of every other app.
    "web",
    # Benchmark fixtures (the bare endpoint's table); never in config.production.
    "benchmarks",
    # The demo: its organisation, its stories, seed_demo and quickstart; never in
    # config.production, and last, so that it may use every app above.
    "demo",
]

MIDDLEWARE = [
    # First and last: the request latency by view (/metrics, health/metrics.py).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id (X-Request-ID) of every log line written while answering.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # An API body over DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413 in JSON, unread.
    "config.limits.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django_otp's OTPMiddleware: the second factor the session was verified with.
    "security.middleware.VerifiedDeviceMiddleware",
    # Supervisors and administrators must pass TOTP two-factor verification, everywhere.
    "security.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # A DRF response's reference cycles cut once it is written (config/runtime.py).
    "config.runtime.ReleaseResponseMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'loive.sqlite3'}",
        # Persistent connections: a new PostgreSQL connection per request costs the database
        # more CPU than a whole intake (issue 15); health checks drop a broken one first.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, which inserts a few rows as VALUES (config/postgresql/compiler.py).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    # PostgreSQL's JIT compiler off for every connection (DATABASE_JIT=on to keep it). The
    # planner costs each row's visibility test (EXISTS over holdings) so high that ordinary
    # list and report queries cross jit_above_cost, and compiling then costs more than running:
    # 0.76 s of 0.92 s for one report query at 100,000 cases, which runs in 0.1 s without it.
    # JIT pays off only for long analytic scans, which this system does not run on requests.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c jit={'on' if os.environ.get('DATABASE_JIT') == 'on' else 'off'}"
    )
    # Parameters bound by the server, and a statement run a few times on a connection prepared
    # once (parsed and planned once): on persistent connections the intake's and transition's
    # statements repeat on every request, and parsing and planning them was most of their
    # PostgreSQL CPU (issue 15). DATABASE_PREPARED=off for a pooler in transaction mode.
    if os.environ.get("DATABASE_PREPARED", "on") != "off":
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and a worker share the file safely.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "agencies.backends.MemberBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_ENGINE = "security.sessions"  # Django's database sessions (security/sessions.py)
SESSION_COOKIE_AGE = int(os.environ.get("LOIVE_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout after repeated failed sign-ins (django-axes; see security/lockout.py). A username is
# locked from one address only, so nobody can lock a colleague out from elsewhere; an address
# trying many usernames is locked at a higher limit (hotline centres share one address).
AXES_HANDLER = "security.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOIVE_LOCKOUT_FAILURES", "5"))
LOIVE_LOCKOUT_IP_FAILURES = int(os.environ.get("LOIVE_LOCKOUT_IP_FAILURES", "30"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_COOLOFF_TIME = 1  # hours, counted from the failure that locked
# Attempts while locked are refused without being recorded: they cannot extend the cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "security.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Behind the TLS reverse proxy REMOTE_ADDR is the proxy's: set LOIVE_TRUSTED_PROXIES to the
# number of proxies that append to X-Forwarded-For (0: clients connect directly).
LOIVE_TRUSTED_PROXIES = int(os.environ.get("LOIVE_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "security.lockout.client_ip"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
# Dates as dd/mm/yyyy in every language (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # collectstatic fills it; WhiteNoise warns if it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development and the demo serve straight from the app and project static directories;
# production serves what collectstatic put in STATIC_ROOT (config.production).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Encrypted documents (documents app): the data directory, or an S3-compatible store.
    "documents": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": os.environ["LOIVE_DOCUMENTS_S3_BUCKET"],
                "endpoint_url": os.environ.get("LOIVE_DOCUMENTS_S3_ENDPOINT") or None,
                "location": "documents",
                "default_acl": "private",
                "file_overwrite": False,
            },
        }
        if os.environ.get("LOIVE_DOCUMENTS_S3_BUCKET")
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": DATA_DIR / "documents"},
        }
    ),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The largest request body read (the largest intake, with a 20,000-character account and
# every list at its limit, is well under it); an API body over it is answered 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens for integration accounts only; people use the session (and CSRF).
        "security.api_access.IntegrationTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["security.api_access.SignedInWithinScope"],
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
    # Every datetime as ISO 8601 in Viet Nam time (+07:00), in serializers and plain dicts.
    "DEFAULT_RENDERER_CLASSES": [
        "config.renderers.VietnamTimeJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.limits.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": [
        "config.limits.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# Integration accounts' API tokens (django-rest-knox): digests at rest, an expiry, no refresh.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("LOIVE_API_TOKEN_DAYS", "90"))),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": 5,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lối Về API",
    "DESCRIPTION": "Case management and inter-agency referrals for victims of human trafficking.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its browsable page are for signed-in users only (DESIGN.md §4).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI served by the application itself (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation's error statuses, in the API's one error shape (config/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.document_errors",
    ],
    # Choice sets whose field names other components share: name each after what it is.
    "ENUM_NAME_OVERRIDES": {
        "DocumentKindEnum": "documents.models.DocumentKind",
        "TipStateEnum": "proceedings.lifecycle.TipState",
        "ProceedingStateEnum": "proceedings.lifecycle.ProceedingState",
        "TipKindEnum": "proceedings.models.TipKind",
        "TargetStatusEnum": "reports.serializers.TARGET_STATUSES",
        "SupportServiceEnum": "rulebooks.models.SupportServiceKind",
        # The names these had before cross-border fields of the same names came.
        "ChannelEnum": "cases.models.Channel",
        "OutcomeEnum": "proceedings.models.TipOutcome",
        "CrossBorderRequestKindEnum": "crossborder.models.RequestKind",
        "CrossBorderOutcomeEnum": "crossborder.models.Outcome",
        "CrossBorderChannelEnum": "crossborder.models.Channel",
        "CrossBorderDirectionEnum": "crossborder.models.Direction",
        "HandoverDirectionEnum": "crossborder.models.HandoverDirection",
        "CrossBorderRequestStatusEnum": "crossborder.models.RequestStatus",
    },
}

# Celery: in-process (eager) without Redis, a real broker with it.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}


def _every(seconds: float, task: str) -> dict:
    """A beat entry run every `seconds`; a run not started within its period is dropped (the
    next one does the same job). LOIVE_SWEEP_QUEUE puts it on a test worker's own queue."""
    queue = {"queue": os.environ["LOIVE_SWEEP_QUEUE"]} if "LOIVE_SWEEP_QUEUE" in os.environ else {}
    return {"task": task, "schedule": seconds, "options": {"expires": seconds, **queue}}


if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("LOIVE_FROM_EMAIL", "loive@localhost")

# Keys: the master key-encryption key comes from the environment (base64, 32 bytes) or, in
# development only, from a key file generated in the data directory.
LOIVE_MASTER_KEY = os.environ.get("LOIVE_MASTER_KEY", "")
LOIVE_KEY_FILE = DATA_DIR / "dev-master-key.json"
LOIVE_KEY_PROVIDER = os.environ.get("LOIVE_KEY_PROVIDER", "security.keys.EnvironmentKeyProvider")
LOIVE_REQUIRE_MASTER_KEY = False

# Mounts the bare baseline endpoint of `manage.py bench`; never set in production.
LOIVE_BENCH = _env_bool("LOIVE_BENCH", False)

# Logs: one JSON object per line (LOIVE_LOG_FORMAT=plain for a person reading a terminal), each
# with the request's id: X-Request-ID from the proxy when it is a UUID, else a new one, returned
# in the response and handed on to the Celery tasks the request sends (django-guid).
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True)],
}
LOIVE_LOG_FORMAT = os.environ.get("LOIVE_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logging.json_formatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
    },
    "filters": {
        # A refused request (401, 403, 404...) is one line in the log, never a traceback.
        "refusals_on_one_line": {"()": "config.logging.RefusalsOnOneLine"},
        "request_id": {"()": "django_guid.log_filters.CorrelationId"},
        "scrub_identifiers": {"()": "config.logging.ScrubIdentifiers"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOIVE_LOG_FORMAT,
            "filters": ["request_id", "scrub_identifiers"],
        },
        "file": {
            "class": "logging.FileHandler",
            "filename": DATA_DIR / "loive.log",
            "formatter": LOIVE_LOG_FORMAT,
            "filters": ["request_id", "scrub_identifiers"],
        },
    },
    "loggers": {
        "django.request": {"filters": ["refusals_on_one_line"]},
        "django.security": {"filters": ["refusals_on_one_line"]},
        # Not a line per request saying that it made up an id.
        "django_guid": {"level": "WARNING"},
    },
    "root": {"handlers": ["console", "file"], "level": os.environ.get("LOIVE_LOG_LEVEL", "INFO")},
}

# --- security app (owned by security/) ------------------------------------------------------
# Previous master keys, still accepted to unwrap data keys during rotation (comma-separated,
# base64 of 32 bytes each); `manage.py rotate_keys` re-wraps everything under LOIVE_MASTER_KEY.
LOIVE_OLD_MASTER_KEYS = [
    key.strip() for key in os.environ.get("LOIVE_OLD_MASTER_KEYS", "").split(",") if key.strip()
]
# Root of the blind-index keys (base64 of 32 bytes). Never rotated with the master key.
# Empty in development: taken from the development key file.
LOIVE_INDEX_KEY = os.environ.get("LOIVE_INDEX_KEY", "")
# Issuer shown in authenticator apps for TOTP two-factor sign-in.
OTP_TOTP_ISSUER = "Lối Về"
# The audit sealer chains the events written since its last run (security.tasks.seal_audit);
# /readyz fails when an event has waited for it longer than the maximum lag.
LOIVE_AUDIT_SEAL_SECONDS = float(os.environ.get("LOIVE_AUDIT_SEAL_SECONDS", "3"))
LOIVE_AUDIT_SEAL_MAX_LAG_SECONDS = float(os.environ.get("LOIVE_AUDIT_SEAL_MAX_LAG_SECONDS", "120"))
CELERY_BEAT_SCHEDULE["seal-audit"] = _every(LOIVE_AUDIT_SEAL_SECONDS, "security.tasks.seal_audit")
# --- end security app ------------------------------------------------------------------------

# --- cases app ------------------------------------------------------------------------------
# How long a hotline operator still sees an intake they took after the hotline handed the case
# over to the responsible unit (to answer a call back); never their colleagues' intakes.
LOIVE_OPERATOR_SIGHT_AFTER_HANDOVER = timedelta(
    hours=float(os.environ.get("LOIVE_OPERATOR_SIGHT_HOURS", "24"))
)

# --- workflows app: the process dispatcher ------------------------------------------------
# An intake or a transition leaves its case's process to this dispatcher (workflows.services):
# the inbox shows the task of a case's new stage within about this many seconds.
LOIVE_PROCESS_SYNC_SECONDS = float(os.environ.get("LOIVE_PROCESS_SYNC_SECONDS", "2"))
# /readyz fails when a case has waited for the dispatcher longer than this (inboxes lag behind).
LOIVE_PROCESS_SYNC_MAX_LAG_SECONDS = float(
    os.environ.get("LOIVE_PROCESS_SYNC_MAX_LAG_SECONDS", "120")
)
CELERY_BEAT_SCHEDULE["sync-processes"] = _every(
    LOIVE_PROCESS_SYNC_SECONDS, "workflows.tasks.sync_processes"
)
# --- end workflows app -------------------------------------------------------------------------

# --- supervision and notifications apps: the deadline sweep and the outbox ------------------
# One beat entry sweeps every deadline: overdue referrals, viewflow timers, the outbox.
# Never long countdowns (DESIGN.md §3). LOIVE_SWEEP_SECONDS and LOIVE_SWEEP_QUEUE exist so that
# tests can run a real worker quickly on a queue of their own.
LOIVE_SWEEP_SECONDS = float(os.environ.get("LOIVE_SWEEP_SECONDS", "60"))
CELERY_BEAT_SCHEDULE["sweep-deadlines"] = _every(
    LOIVE_SWEEP_SECONDS, "supervision.tasks.sweep_deadlines"
)
# A notification that failed this many times stays in the outbox for an administrator.
LOIVE_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("LOIVE_OUTBOX_MAX_ATTEMPTS", "10"))
# --- end supervision and notifications apps ---------------------------------------------------

# --- documents app: uploads are held in memory only (no plaintext temporary file on disk) ---
LOIVE_DOCUMENT_MAX_BYTES = int(os.environ.get("LOIVE_DOCUMENT_MAX_MB", "10")) * 1_000_000
# A 48-megapixel phone photo passes; a decompression bomb does not get decoded.
LOIVE_DOCUMENT_MAX_PIXELS = 60_000_000
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = LOIVE_DOCUMENT_MAX_BYTES + 1_000_000

# --- health app: /metrics for Prometheus, from loopback only unless a bearer token is set -----
LOIVE_METRICS_TOKEN = os.environ.get("LOIVE_METRICS_TOKEN", "")
# A Celery worker's own metrics (task failures, successes, retries), served by the worker on
# this host:port (e.g. 0.0.0.0:9808) for Prometheus to scrape; empty: not served. With the
# prefork pool, set PROMETHEUS_MULTIPROC_DIR too (a directory of the worker's own), so that the
# pool processes' counts reach the worker's endpoint.
LOIVE_WORKER_METRICS_BIND = os.environ.get("LOIVE_WORKER_METRICS_BIND", "")

# --- health app: /readyz trusts the workers while this heartbeat keeps arriving --------------
LOIVE_HEARTBEAT_SECONDS = float(os.environ.get("LOIVE_HEARTBEAT_SECONDS", "20"))
CELERY_BEAT_SCHEDULE["heartbeat"] = _every(LOIVE_HEARTBEAT_SECONDS, "health.tasks.heartbeat")
