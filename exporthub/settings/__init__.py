"""ExportHub settings, all read from the environment (or a `.env` file) through django-environ.

Defaults are the embedded ones `make run` uses: a SQLite file and a filesystem Celery broker
under `var/`. Production sets `DATABASE_URL` and `REDIS_URL`, and must supply real secrets:
with `DEBUG` off the process refuses to start without them.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from exporthub import queues

# Lets admin/form classes be subscripted for the type checker at runtime.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
ENV_FILE = Path(os.environ.get("ENV_FILE", BASE_DIR / ".env"))
if ENV_FILE.is_file():
    # Values already in the process environment win over the file.
    env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
FIELD_ENCRYPTION_KEYS: list[str] = env.list("FIELD_ENCRYPTION_KEYS", default=[])


def _check_secrets() -> None:
    """Refuse to start without usable secrets; never echo their values."""
    hint = (
        "Run `make run` once to generate a development .env, or set it in the environment "
        "(see README, Configuration)."
    )
    if not SECRET_KEY:
        raise ImproperlyConfigured(f"SECRET_KEY is not set. {hint}")
    weak = (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure-")
    )
    if weak and not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak for DEBUG=false: use at least 50 random characters."
        )
    if not FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS is not set. {hint}")
    for position, key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None


_check_secrets()

ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "exporthub.tenancy",
    "exporthub.outbox",
    "exporthub.bulkheads",
    "integrations",
    "feeds",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a second factor given
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "exporthub.urls"
WSGI_APPLICATION = "exporthub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "exporthub.tenancy.context.tenancy",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
_default_sqlite = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db("DATABASE_URL", default=_default_sqlite)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Web, worker and beat share the file: WAL lets readers run beside the one writer, and
    # IMMEDIATE transactions queue writers instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "tenancy.User"
# Login throttling (django-axes): after 10 failures for one email from one address, that pair
# waits 15 minutes. Keyed on the pair so an attacker cannot lock a user out from elsewhere; the
# address is ours (`client_ip`: REMOTE_ADDR, or what TRUSTED_PROXY_COUNT proxies saw).
# The email is counted as the login compares it (trimmed, case-folded), and one address may fail
# LOGIN_ADDRESS_FAILURE_LIMIT times in LOGIN_ADDRESS_WINDOW_MINUTES whatever the emails
# (password spraying) before every login from it waits out the window.
AUTHENTICATION_BACKENDS = [
    "exporthub.tenancy.throttling.LoginThrottleBackend",  # refuses locked-out attempts only
    "django.contrib.auth.backends.ModelBackend",
]
AXES_USERNAME_CALLABLE = "exporthub.tenancy.throttling.login_name"
OTP_TOTP_ISSUER = "ExportHub"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
LOGIN_ADDRESS_WINDOW_MINUTES = 15
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (it holds the email)
AXES_CLIENT_IP_CALLABLE = "exporthub.tenancy.auditlog.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Content Security Policy: only our own scripts, styles and images; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation: everything the product writes is in UTC ------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (development, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email --------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ExportHub <exporthub@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (on by default whenever DEBUG is off) ---------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API: per-tenant bearer keys, JSON only ----------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["exporthub.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["exporthub.api.permissions.TenantKeyPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "exporthub.api.schema.document_errors",
    ],
    "TITLE": "ExportHub API",
    "DESCRIPTION": "Configure cloud exports of your event data. Authenticate with "
    "`Authorization: Bearer <API key>`.",
    "VERSION": "1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Cache: shared by every web process (the API throttles count there) -------------------
# A per-process cache would give each process its own count. Redis when REDIS_URL is set, else a
# table of the database (created by a migration); CACHE_URL overrides (django-environ syntax).
_shared_cache = env.str("REDIS_URL", default="") or "dbcache://exporthub_cache"
CACHES = {"default": env.cache_url("CACHE_URL", default=_shared_cache)}
CACHES["default"].setdefault("KEY_PREFIX", "exporthub")

# --- Throttles (DRF rates: "N/s", "N/min", "N/hour", "N/day"; empty: off) --------------------
# Per API key and per tenant (all its keys and its users' pages together), on ingestion and on
# the write actions (Verify, reprocess, backfill, webhook test); past them the answer is 429
# with Retry-After. Generous enough for demo traffic and the benchmarks (docs/operations.md).
THROTTLE_INGEST_RATE = env.str("THROTTLE_INGEST_RATE", default="600/min")
THROTTLE_TENANT_INGEST_RATE = env.str("THROTTLE_TENANT_INGEST_RATE", default="1200/min")
THROTTLE_WRITE_RATE = env.str("THROTTLE_WRITE_RATE", default="60/min")
THROTTLE_TENANT_WRITE_RATE = env.str("THROTTLE_TENANT_WRITE_RATE", default="120/min")
# Backfills and reprocessed hours one tenant may have waiting or running at once.
MAX_QUEUED_RUNS_PER_TENANT = env.int("MAX_QUEUED_RUNS_PER_TENANT", default=20)

# --- Celery -------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = Path(env.str("BROKER_DIR", default=str(VAR_DIR / "broker")))

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=REDIS_URL or f"file://{BROKER_DIR / 'results'}"
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Embedded broker: producer and consumers meet in one folder, no server needed.
    for folder in ("queue", "processed", "results", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # Broadcasts (worker control) too, or kombu writes them to ./control.
        "control_folder": str(BROKER_DIR / "control"),
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat only schedules; each run is its own task. A tick a minute after every 15-minute window,
# ten minutes after every hour, a catch-up/retry sweep every 5 minutes, the archive and the
# expiry of events past their retention daily, the event tables' day partitions hourly;
# the email outbox's retries every minute.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "raw-feeds": {
        "task": "feeds.schedule",
        "schedule": crontab(minute="1,16,31,46"),
        "args": ("raw",),
    },
    "log-level-feeds": {
        "task": "feeds.schedule",
        "schedule": crontab(minute="10"),
        "args": ("log_level",),
    },
    "catch-up-and-retries": {"task": "feeds.schedule", "schedule": 300.0, "args": ("all",)},
    "archive-manifests": {"task": "feeds.archive", "schedule": crontab(hour="3", minute="30")},
    "expire-events": {"task": "feeds.expire_events", "schedule": crontab(hour="4", minute="15")},
    "event-partitions": {"task": "feeds.maintain_partitions", "schedule": crontab(minute="20")},
    # Notification emails whose first try failed (mail server down) are retried from here.
    "send-outbox": {"task": "outbox.send_due", "schedule": 60.0},
    "send-webhooks": {"task": "webhooks.send_due", "schedule": 60.0},
    "credential-expiry-reminders": {
        "task": "integrations.expiry_reminders",
        "schedule": crontab(hour="8", minute="0"),
    },
}

# --- Logging: one line per record, machine-parsable key=value pairs -----------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "kv": {
            "format": "time=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)r",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# --- Operator settings for destinations ---------------------------------------------------
# ARN of ExportHub's own AWS principal; enables the bucket-policy and assume-role modes.
S3_PLATFORM_PRINCIPAL_ARN = env.str("S3_PLATFORM_PRINCIPAL_ARN", default="")
# ARN of the IAM role ExportHub assumes for one seat, "{seat_id}" replaced by the tenant's: the
# principal a tenant's bucket policy names, used for that seat's exports alone (a shared principal
# would let one tenant export into a bucket another tenant granted). Enables the bucket-policy mode.
S3_SEAT_ROLE_ARN = env.str("S3_SEAT_ROLE_ARN", default="")
if S3_SEAT_ROLE_ARN and "{seat_id}" not in S3_SEAT_ROLE_ARN:
    raise ImproperlyConfigured(
        "S3_SEAT_ROLE_ARN must contain {seat_id} (e.g. arn:aws:iam::123456789012:role/"
        "exporthub-seat-{seat_id}): without it every tenant would share one role."
    )
# ExportHub's GCS service account of each seat, "{seat_id}" replaced by the tenant's seat id (it
# must contain it); ExportHub impersonates it from its own credentials. Enables the grant mode.
GCS_PLATFORM_SERVICE_ACCOUNT = env.str("GCS_PLATFORM_SERVICE_ACCOUNT", default="")
# The only OAuth token endpoint besides Google's that a service-account key may name (a local
# stand-in); a key naming any other is refused, so no tenant makes ExportHub connect elsewhere.
GCS_TOKEN_URI = env.str("GCS_TOKEN_URI", default="")
# Base URL of the IAM Credentials API ExportHub impersonates each seat's service account through
# (default: Google's); set for a local stand-in.
GCS_IAM_CREDENTIALS_ENDPOINT = env.str("GCS_IAM_CREDENTIALS_ENDPOINT", default="")
# Addresses ExportHub connects from, shown to admins for their allow-lists.
EGRESS_IPS: list[str] = env.list("EGRESS_IPS", default=[])
# A connection to a host a tenant chose (an S3-compatible Endpoint URL) is shut down after this
# long, whatever it is doing; the SDK retries the request it cut (docs/RELIABILITY.md).
TENANT_CONNECTION_SECONDS = env.float("TENANT_CONNECTION_SECONDS", default=300.0)
# Endpoint URL hosts allowed even though they resolve to private or loopback addresses.
ENDPOINT_URL_ALLOWED_HOSTS: list[str] = env.list("ENDPOINT_URL_ALLOWED_HOSTS", default=[])
# Proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Blob endpoint for Azure, e.g. https://127.0.0.1:10000/{account} for a local stand-in.
AZURE_BLOB_ENDPOINT = env.str("AZURE_BLOB_ENDPOINT", default="")
# Integrations one tenant may have (each is work for every tick and worker).
MAX_INTEGRATIONS_PER_TENANT = env.int("MAX_INTEGRATIONS_PER_TENANT", default=100)
# A Verify still running after this many seconds fails its next step (transient: try again),
# however slowly the storage answers; each request also has its connect and read timeouts.
VERIFY_DEADLINE_SECONDS = env.float("VERIFY_DEADLINE_SECONDS", default=300.0)
# Largest ingestion request body; bigger batches answer 413.
INGEST_MAX_BYTES = env.int("INGEST_MAX_BYTES", default=16 * 1024 * 1024)
# Log-level data files are split into parts of about this size.
EXPORT_PART_BYTES = env.int("EXPORT_PART_BYTES", default=256 * 1024 * 1024)
# A worker owns a run this long without news (renewed after every uploaded part); a run whose
# worker died is taken over after it. Failed runs retry after 30 s, 1 min, 2 min … up to 1 h.
# It must outlast one storage request with all its retries (~6½ min by default; docs/exports.md).
EXPORT_LEASE_SECONDS = env.int("EXPORT_LEASE_SECONDS", default=15 * 60)
EXPORT_RETRY_BASE_SECONDS = env.float("EXPORT_RETRY_BASE_SECONDS", default=30.0)
# A log-level hour with more rows than this is split into slices of about this many rows, which
# several workers export at once (docs/scaling.md); 0 never splits.
EXPORT_SLICE_ROWS = env.int("EXPORT_SLICE_ROWS", default=1_000_000)
if EXPORT_SLICE_ROWS < 0:
    raise ImproperlyConfigured("EXPORT_SLICE_ROWS must be 0 (never split) or a row count.")
# How far back events are kept, so how far back an Admin's backfill may reach (docs/exports.md,
# "Backfill"). Never less than the 3-day backfill after a re-Verify plus a day in which late
# events still reprocess its oldest hour.
EVENT_RETENTION_DAYS = env.int("EVENT_RETENTION_DAYS", default=7)
MIN_EVENT_RETENTION_DAYS = 4
if EVENT_RETENTION_DAYS < MIN_EVENT_RETENTION_DAYS:
    raise ImproperlyConfigured(
        f"EVENT_RETENTION_DAYS is {EVENT_RETENTION_DAYS}; it must be at least "
        f"{MIN_EVENT_RETENTION_DAYS} (the 3-day backfill limit plus a day of late events)."
    )
# How long a destination may stay silent on one request before the SDK retries it.
DESTINATION_READ_TIMEOUT_SECONDS = env.float("DESTINATION_READ_TIMEOUT_SECONDS", default=60.0)
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is off (404).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# The beat ticks at least every 5 minutes; twice that without one is a stopped scheduler.
SCHEDULER_STALE_SECONDS = env.int("SCHEDULER_STALE_SECONDS", default=600)
# Webhooks: `run.failed` is sent when a run fails this many attempts; URLs must resolve to public
# addresses unless their host is listed here; deliveries are retried for WEBHOOK_RETRY_HOURS.
WEBHOOK_RUN_FAILED_ATTEMPTS = env.int("WEBHOOK_RUN_FAILED_ATTEMPTS", default=3)
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
WEBHOOK_RETRY_HOURS = env.float("WEBHOOK_RETRY_HOURS", default=24.0)
# One delivery's total wall-clock bound: connect, TLS, the answer's headers and body together.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Hosts a Slack endpoint may name: Slack's own, and any the operator adds (e.g. a proxy of theirs).
SLACK_WEBHOOK_HOSTS = ["hooks.slack.com", *env.list("SLACK_WEBHOOK_HOSTS", default=[])]
# Verifies and webhook deliveries one tenant may have in flight at once, on all workers together;
# the tenant's others wait their turn (docs/operations.md, "Work classes").
VERIFY_CONCURRENCY_PER_TENANT = env.int("VERIFY_CONCURRENCY_PER_TENANT", default=1)
NOTIFY_CONCURRENCY_PER_TENANT = env.int("NOTIFY_CONCURRENCY_PER_TENANT", default=2)
if min(VERIFY_CONCURRENCY_PER_TENANT, NOTIFY_CONCURRENCY_PER_TENANT) < 1:
    raise ImproperlyConfigured(
        "VERIFY_CONCURRENCY_PER_TENANT and NOTIFY_CONCURRENCY_PER_TENANT must be at least 1."
    )
# Azure's SDK waits this long before its first retry of a throttled or failed request (its
# own default); S3's and GCS's SDKs back off by themselves within about a second.
AZURE_RETRY_BACKOFF_SECONDS = env.float("AZURE_RETRY_BACKOFF_SECONDS", default=15.0)
# Set when S3 requests go to a local stand-in (make run); pages say so.
S3_STANDIN_URL = env.str("AWS_ENDPOINT_URL_S3", default="")

# --- Work classes: each its Celery queue and wall-clock limits (exporthub/queues.py) ---------
TASK_CLASS_LIMITS = queues.time_limits(VERIFY_DEADLINE_SECONDS, WEBHOOK_TIMEOUT_SECONDS)
CELERY_TASK_ROUTES = queues.task_routes()
CELERY_TASK_ANNOTATIONS = queues.task_annotations(TASK_CLASS_LIMITS)
CELERY_TASK_SOFT_TIME_LIMIT, CELERY_TASK_TIME_LIMIT = TASK_CLASS_LIMITS[queues.SCHEDULE]
# Redis hands a message to another worker after this; never while it may still run.
TASK_TIME_LIMIT_SECONDS = max(hard for _, hard in TASK_CLASS_LIMITS.values())
if not CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * TASK_TIME_LIMIT_SECONDS}
