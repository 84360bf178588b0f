"""Distillery settings, read from the environment.

The defaults run the embedded mode (`make run`): SQLite under var/, Celery on kombu's
filesystem transport, no Redis. Setting DATABASE_URL and REDIS_URL gives the scaled
mode. The README lists every variable.
"""

from pathlib import Path

from portal.config import (
    ConfigurationError,
    database_from_url,
    embedded_secret_key,
    env_bool,
    env_int,
    env_list,
    env_str,
    sqlite_options,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DISTILLERY_VAR_DIR") or BASE_DIR / "var")

# --- Core -----------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
SITE_NAME = env_str("SITE_NAME") or "Distillery"

DATABASE_URL = env_str("DATABASE_URL") or ""
# The embedded run is the one without a DATABASE_URL: everything lives under var/.
EMBEDDED = not DATABASE_URL

if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "distillery.sqlite3",
            **sqlite_options(),
        }
    }

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not EMBEDDED:
        raise ConfigurationError(
            "SECRET_KEY must be set when DATABASE_URL is set (the scaled mode shares sessions "
            "between nodes); generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    SECRET_KEY = embedded_secret_key(VAR_DIR)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "articles.context_processors.site",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE") or "UTC"
USE_I18N = True
USE_TZ = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now: a bare "example.org" means https.

# --- Static files ---------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names so whitenoise can send far-future cache headers.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Cache ----------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL") or ""
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ConfigurationError(f"REDIS_URL must start with redis://, rediss:// or unix://, got {REDIS_URL!r}.")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A database table shared by the web process and the worker: page-cache
    # invalidation and task locks (cache.add) must be seen by both.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "distillery_cache",
        }
    }

# --- Celery ---------------------------------------------------------------------------

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than the hard time limit, or Redis redelivers a task still running.
        "visibility_timeout": 3600,
    }
else:
    CELERY_QUEUE_DIR = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }

CELERY_TASK_SERIALIZER = "json"  # JSON, not pickle: a message never executes code.
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # Tasks record their outcome in the database.
CELERY_TASK_ACKS_LATE = True  # A worker killed mid-task leaves the message to be redelivered.
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ... and a crashed child process does too.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # Long tasks: do not hoard messages another worker could run.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)  # Lets a task record its failure.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)  # Kills a task that ignored the soft limit.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_TIMEZONE = TIME_ZONE

# --- Security -------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)

# --- Logging --------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Distillery -----------------------------------------------------------------------

# Minutes of reading at which a brief counts as medium and long.
READING_MINUTES_MEDIUM = env_int("READING_MINUTES_MEDIUM", 5, minimum=1)
READING_MINUTES_LONG = env_int("READING_MINUTES_LONG", 12, minimum=1)

# --- ingest ---------------------------------------------------------------------------

from portal.config import env_float  # noqa: E402  (kept inside this block to leave the rest untouched)

INGEST_USER_AGENT = env_str("INGEST_USER_AGENT") or (
    f"{SITE_NAME}/0.1 (Distillery feed reader; +{env_str('SITE_URL') or 'self-hosted'})"
)
INGEST_CONNECT_TIMEOUT = env_float("INGEST_CONNECT_TIMEOUT", 10.0, minimum=0.1)
INGEST_READ_TIMEOUT = env_float("INGEST_READ_TIMEOUT", 20.0, minimum=0.1)
# A slow-drip server resets the read timeout with every byte; this bounds the whole response.
INGEST_TOTAL_TIMEOUT = env_float("INGEST_TOTAL_TIMEOUT", 60.0, minimum=0.1)
INGEST_MAX_BYTES = env_int("INGEST_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
INGEST_PER_HOST_CONCURRENCY = env_int("INGEST_PER_HOST_CONCURRENCY", 2, minimum=1)
INGEST_HOST_SLOT_WAIT = env_float("INGEST_HOST_SLOT_WAIT", 30.0)
# Only tests and the local demo reach feeds on this machine; never on by default.
INGEST_ALLOW_LOOPBACK = env_bool("INGEST_ALLOW_LOOPBACK", False)
INGEST_MAX_BACKOFF_MINUTES = env_int("INGEST_MAX_BACKOFF_MINUTES", 24 * 60, minimum=1)
INGEST_TASK_RETRIES = env_int("INGEST_TASK_RETRIES", 3)  # for timeouts and 5xx only
INGEST_MAX_DELIVERIES = env_int("INGEST_MAX_DELIVERIES", 5, minimum=1)  # a task that keeps killing workers
# Longer than the hard task time limit, so a lock outlives any run that still holds it.
INGEST_LOCK_SECONDS = env_int("INGEST_LOCK_SECONDS", CELERY_TASK_TIME_LIMIT + 60, minimum=1)

CELERY_BEAT_SCHEDULE["ingest-due-sources"] = {
    "task": "articles.tasks.ingest_due_sources",
    "schedule": 60.0,
    "options": {"expires": 55},  # a tick nobody ran in time is superseded by the next one
}
