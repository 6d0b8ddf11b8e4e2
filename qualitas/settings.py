"""Qualitas settings. Everything that differs between installations comes from the environment.

The embedded default (no environment at all) is SQLite under ``var/``, local file storage, an
in-process capable job runner and DEBUG on. Production sets ``QUALITAS_DEBUG=0`` and must then
provide the settings listed in ``REQUIRED_IN_PRODUCTION``; start-up stops with a clear message
when one is missing.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QUALITAS_VAR_DIR", BASE_DIR / "var"))


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("QUALITAS_DEBUG", True)
TESTING = env_bool("QUALITAS_TESTING", False)

REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL")
if not DEBUG:
    missing = [name for name in REQUIRED_IN_PRODUCTION if not os.environ.get(name)]
    if missing:
        raise ImproperlyConfigured(
            "Qualitas runs with QUALITAS_DEBUG=0 (production) but these environment variables are not set: "
            + ", ".join(missing)
            + ". See README.md, section Production."
        )

SECRET_KEY = env("SECRET_KEY") or "insecure-embedded-development-key-do-not-use-in-production-0123456789"
# Earlier keys, still accepted for signatures and encrypted secrets while rotating (comma-separated).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "qualitas.admin.QualitasAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "qualitas.framework",
    "qualitas.core",
    "qualitas.accounts",
    "qualitas.signatures",
    "qualitas.approvals",
    "qualitas.notifications",
    "qualitas.reports",
    "qualitas.compliance",
    "qualitas.equipment",
    "qualitas.production",
    "qualitas.inspections",
    "qualitas.nonconformance",
]
if TESTING:
    INSTALLED_APPS.append("qualitas.testing.testapp")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qualitas.framework.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qualitas.accounts.middleware.SecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "qualitas.urls"
WSGI_APPLICATION = "qualitas.wsgi.application"
ASGI_APPLICATION = "qualitas.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "qualitas" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qualitas.framework.ui.context_processors.navigation",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'qualitas.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE avoids lock-upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = (
        {"NAME": str(VAR_DIR / "test.sqlite3")} if env_bool("QUALITAS_TEST_DB_FILE") else {}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["qualitas.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; the suite uses it only where a test says so.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

QUALITAS_PASSWORD_MIN_LENGTH = env_int("QUALITAS_PASSWORD_MIN_LENGTH", 12)
# Character classes a password must contain: any of lower, upper, digit, symbol.
QUALITAS_PASSWORD_CLASSES = env_list("QUALITAS_PASSWORD_CLASSES", ["lower", "upper", "digit"])
QUALITAS_PASSWORD_HISTORY = env_int("QUALITAS_PASSWORD_HISTORY", 5)
QUALITAS_PASSWORD_EXPIRY_DAYS = env_int("QUALITAS_PASSWORD_EXPIRY_DAYS", 0)  # 0: never expires
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name"), "max_similarity": 0.6},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": QUALITAS_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "qualitas.accounts.validators.CharacterClassValidator"},
    {"NAME": "qualitas.accounts.validators.PasswordHistoryValidator"},
]
QUALITAS_LOCKOUT_ATTEMPTS = env_int("QUALITAS_LOCKOUT_ATTEMPTS", 5)
QUALITAS_LOCKOUT_WINDOW = timedelta(minutes=env_int("QUALITAS_LOCKOUT_WINDOW_MINUTES", 15))
QUALITAS_LOCKOUT_DURATION = timedelta(minutes=env_int("QUALITAS_LOCKOUT_DURATION_MINUTES", 15))
QUALITAS_OPEN_SIGNUP = env_bool("QUALITAS_OPEN_SIGNUP", False)
QUALITAS_INVITATION_DAYS = env_int("QUALITAS_INVITATION_DAYS", 7)
# Roles whose members must enrol a TOTP device before they can use Qualitas.
QUALITAS_2FA_REQUIRED_ROLES = env_list("QUALITAS_2FA_REQUIRED_ROLES", [])
QUALITAS_API_TOKEN_DEFAULT_DAYS = env_int("QUALITAS_API_TOKEN_DEFAULT_DAYS", 90)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
# Sign-in, password-reset and sign-up POSTs per client address on the web pages (counted in the
# cache). The API's token endpoint has DRF's "login" throttle instead. The test suite signs in
# from one address far more often than people do, so it gets a high ceiling.
QUALITAS_LOGIN_IP_RATE = env("QUALITAS_LOGIN_IP_RATE", "1000/min" if TESTING else "30/min")
# The issuer name authenticator apps show next to the account.
QUALITAS_TOTP_ISSUER = env("QUALITAS_TOTP_ISSUER", "Qualitas")
# Sign-in attempts older than this are deleted by a daily job (0 keeps them for ever).
QUALITAS_LOGIN_ATTEMPT_RETENTION_DAYS = env_int("QUALITAS_LOGIN_ATTEMPT_RETENTION_DAYS", 365)

# Inactivity expiry: the cookie age is renewed on every request, so it measures idle time.
SESSION_COOKIE_AGE = env_int("QUALITAS_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("QUALITAS_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("QUALITAS_SSL_REDIRECT", True)
    # Probes from the orchestrator speak plain HTTP inside the cluster.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("QUALITAS_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Largest request body accepted; larger ones get 413 (API) or a form error, never a 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("QUALITAS_MAX_BODY_BYTES", 5 * 1024 * 1024)

# --- Cache (lockout counters, rate limits) ------------------------------------------------------
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
        if env("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "qualitas_cache"}
    )
}

# --- Files --------------------------------------------------------------------------------------
MEDIA_ROOT = Path(env("QUALITAS_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env("QUALITAS_STATIC_ROOT", VAR_DIR / "static"))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "qualitas" / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if env("QUALITAS_STORAGE") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": None,
            "querystring_auth": True,
        },
    }

# --- E-mail -------------------------------------------------------------------------------------
# EMAIL_URL: smtp://user:password@host:port, smtp+tls://..., or console:// (the embedded default).
_email = dj_database_url.urlparse.urlparse(env("EMAIL_URL", "console://"))
if _email.scheme.startswith("smtp"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = _email.username or ""
    EMAIL_HOST_PASSWORD = _email.password or ""
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_USE_SSL = _email.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Qualitas <qualitas@localhost>")
# A hanging mail server must not hang the request that sends an invitation or a reset link.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
QUALITAS_SITE_URL = env("QUALITAS_SITE_URL", "http://127.0.0.1:8000")

# --- Jobs ---------------------------------------------------------------------------------------
# The embedded default needs no broker server: kombu's filesystem transport under var/.
_broker_dir = VAR_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    for _sub in ("in", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# The test suite runs tasks in-process unless a test starts a real worker (see core's job tests).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = TESTING
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
# A running job writes a heartbeat this often; one silent for three beats has lost its worker and
# is run again (see qualitas/core/background.py).
QUALITAS_JOB_HEARTBEAT_SECONDS = env_int("QUALITAS_JOB_HEARTBEAT_SECONDS", 10)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A message whose worker vanished without giving it back (killed, machine lost) is delivered
    # again after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("QUALITAS_JOB_VISIBILITY_TIMEOUT", 3600)}

# --- Attachments -------------------------------------------------------------------------------
# The largest file that may be attached to a record (bytes).
QUALITAS_ATTACHMENT_MAX_BYTES = env_int("QUALITAS_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)
# The types that may be attached, as libmagic reads them from the content (never from the name).
# STEP, IGES and STL are recognised by their own signatures (qualitas/core/attachments.py).
QUALITAS_ATTACHMENT_TYPES = env_list(
    "QUALITAS_ATTACHMENT_TYPES",
    [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/tiff",
        "text/plain",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.ms-office",
        "application/x-ole-storage",
        "application/CDFV2",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.oasis.opendocument.graphics",
        "application/zip",
        "model/step",
        "model/iges",
        "model/stl",
    ],
)

# --- Signatures and approvals -------------------------------------------------------------------
# Approvals: the role told when an overdue step names no escalation role of its own.
QUALITAS_APPROVAL_ESCALATION_ROLE = env("QUALITAS_APPROVAL_ESCALATION_ROLE", "QA Manager")
# Approvals: how often overdue steps are looked for, in minutes.
QUALITAS_APPROVAL_ESCALATION_EVERY_MINUTES = env_int("QUALITAS_APPROVAL_ESCALATION_EVERY_MINUTES", 5)
# Approvals: reminders to approvers this many hours before a step is due (those shorter than the
# step's time allowed are used).
QUALITAS_APPROVAL_REMINDER_HOURS = tuple(
    int(h) for h in env_list("QUALITAS_APPROVAL_REMINDER_HOURS", ("24", "2"))
)

# --- Production, inspections and nonconformance ------------------------------------------------
# The approval template (its code) that the material review board answers for repair and use-as-is
# dispositions of NCRs; `seed_demo` creates one, an installation makes its own.
QUALITAS_MRB_APPROVAL_TEMPLATE = env("QUALITAS_MRB_APPROVAL_TEMPLATE", "material-review-board")
# Measurements and quality reports one bulk API request may carry.
QUALITAS_INSPECTION_BULK_LIMIT = env_int("QUALITAS_INSPECTION_BULK_LIMIT", 1000)

# --- Notifications ------------------------------------------------------------------------------
# E-mails handed to one send task (one Celery dispatch per batch, one SMTP connection per batch).
QUALITAS_NOTIFICATIONS_SEND_BATCH = env_int("QUALITAS_NOTIFICATIONS_SEND_BATCH", 100)
# Failed e-mails are retried after min(cap, base * 2^(attempts-1)) seconds with equal jitter
# (half of it fixed, half random); they are never dropped, only cancelled by an administrator.
QUALITAS_NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("QUALITAS_NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
QUALITAS_NOTIFICATIONS_RETRY_CAP_SECONDS = env_int("QUALITAS_NOTIFICATIONS_RETRY_CAP_SECONDS", 6 * 3600)
# A sender that died mid-send gives its e-mails back to the queue after this many seconds.
QUALITAS_NOTIFICATIONS_SEND_LEASE_SECONDS = env_int("QUALITAS_NOTIFICATIONS_SEND_LEASE_SECONDS", 600)
# Digests go out at this hour (0-23, in QUALITAS_TIME_ZONE): daily ones every day, weekly ones on
# QUALITAS_NOTIFICATIONS_DIGEST_WEEKDAY (0 = Monday ... 6 = Sunday).
QUALITAS_NOTIFICATIONS_DIGEST_HOUR = env_int("QUALITAS_NOTIFICATIONS_DIGEST_HOUR", 7)
QUALITAS_NOTIFICATIONS_DIGEST_WEEKDAY = env_int("QUALITAS_NOTIFICATIONS_DIGEST_WEEKDAY", 0)
QUALITAS_NOTIFICATIONS_SUBJECT_PREFIX = env("QUALITAS_NOTIFICATIONS_SUBJECT_PREFIX", "[Qualitas] ")
# The event stream (/notifications/stream/) holds a connection this long, polling every
# POLL seconds, then closes and the browser reconnects. Under a synchronous server (gunicorn
# threads, `manage.py serve`) at most MAX_SYNC streams per process hold a thread at a time; the
# others get one poll and a later reconnect, so pages are never starved of threads.
# (In the test suite streams are short, so that the pages of one browser test never keep reading
# the database after it.)
QUALITAS_NOTIFICATIONS_STREAM_SECONDS = env_int("QUALITAS_NOTIFICATIONS_STREAM_SECONDS", 3 if TESTING else 25)
QUALITAS_NOTIFICATIONS_STREAM_POLL_SECONDS = env_int("QUALITAS_NOTIFICATIONS_STREAM_POLL_SECONDS", 2)
QUALITAS_NOTIFICATIONS_STREAM_MAX_SYNC = env_int("QUALITAS_NOTIFICATIONS_STREAM_MAX_SYNC", 2)
# Notifications and sent or cancelled e-mails older than this are deleted by a daily job (0 keeps
# them for ever).
QUALITAS_NOTIFICATIONS_RETENTION_DAYS = env_int("QUALITAS_NOTIFICATIONS_RETENTION_DAYS", 365)

# --- Reports ------------------------------------------------------------------------------------
# The organisation named in the running header of every PDF.
QUALITAS_REPORT_ORGANISATION = env("QUALITAS_REPORT_ORGANISATION", "Qualitas")
# Related records listed per relation in an inspection pack; the rest are counted ("N more").
QUALITAS_INSPECTION_PACK_RELATED_LIMIT = env_int("QUALITAS_INSPECTION_PACK_RELATED_LIMIT", 50)

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("QUALITAS_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "qualitas.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["qualitas.framework.api.permissions.ModelPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "qualitas.framework.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qualitas.framework.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env("QUALITAS_LOGIN_RATE", "30/min"),
        "token": env("QUALITAS_TOKEN_RATE", "20/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # ?format= selects an export file format (csv, xlsx), not a renderer.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Qualitas API",
    "DESCRIPTION": "The Qualitas quality management system. Every write is audited.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A choice set used by several fields gets one name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "EmailModeEnum": "qualitas.notifications.choices.MODE_CHOICES",
        "SeverityEnum": "qualitas.nonconformance.choices.SEVERITY_CHOICES",
        "PartStatusEnum": "qualitas.production.choices.PART_STATUS_CHOICES",
    },
}

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("QUALITAS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        # WeasyPrint and fontTools log every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
