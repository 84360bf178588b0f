"""Distillery settings, read from the environment.

The defaults run the embedded mode (`make run`): SQLite under var/, Celery on kombu's
filesystem transport, no Redis. Setting DATABASE_URL and REDIS_URL gives the scaled
mode. The README lists every variable.
"""

import re
from pathlib import Path

from portal.config import (
    ConfigurationError,
    database_from_url,
    embedded_secret_key,
    env_bool,
    env_float,
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
                "articles.web.context_processors.site",
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
# A workflow note or an originality override reason is kept whole in the history.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
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
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }
else:
    # Database tables shared by the web process and the worker, which must see the same
    # page-cache version and the same task locks (cache.add).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "distillery_cache",
        },
        # Pages in a table of their own: past MAX_ENTRIES a database cache deletes a third of
        # its keys, and in the default table those would include the task locks.
        "pages": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "distillery_page_cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }
# Task locks (ingestion, enrichment), per-host slots and delivery counts, apart from pages: a database
# cache culls a third of its entries once it holds MAX_ENTRIES (300), which freed the lock of a
# running ingestion as soon as readers had filled the cache with pages. Expired rows go first.
CACHES["locks"] = (
    {**CACHES["default"]}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "distillery_locks",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
)

# --- Celery ---------------------------------------------------------------------------

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than the hard time limit, or Redis redelivers a task still running.
        "visibility_timeout": 3600,
    }
else:
    CELERY_QUEUE_DIR = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
    # Any process may queue a task (the web, a management command), before a worker ever ran.
    for _folder in ("queue", "control"):
        (CELERY_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)

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

# --- enrich ---

# Share of a brief's 8-word sequences that may appear verbatim in the original before
# publishing needs an editor's override (0.35 = 35%).
ENRICH_ORIGINALITY_MAX_SHARE = env_float("ENRICH_ORIGINALITY_MAX_SHARE", 0.35)
# Draft every newly ingested piece automatically (a Celery task queued when it is saved).
ENRICH_ON_INGEST = env_bool("ENRICH_ON_INGEST", True)
# Sentences in a drafted summary, and drafted key insights.
ENRICH_SUMMARY_SENTENCES = env_int("ENRICH_SUMMARY_SENTENCES", 3, minimum=1)
ENRICH_INSIGHTS = env_int("ENRICH_INSIGHTS", 4, minimum=0)
# Published briefs needed before fields and roles are suggested by a trained classifier
# instead of keyword rules.
ENRICH_CLASSIFIER_MIN_BRIEFS = env_int("ENRICH_CLASSIFIER_MIN_BRIEFS", 40, minimum=2)
# Taxonomy suggestions at least this sure fill an empty taxonomy; the rest wait for a curator.
ENRICH_AUTOFILL_MIN_CONFIDENCE = env_float("ENRICH_AUTOFILL_MIN_CONFIDENCE", 0.5)
# Related briefs: how many, and how much shared taxonomy counts beside text similarity.
ENRICH_RELATED_COUNT = env_int("ENRICH_RELATED_COUNT", 5, minimum=1)
ENRICH_RELATED_TAXONOMY_WEIGHT = env_float("ENRICH_RELATED_TAXONOMY_WEIGHT", 0.25)
# Below this blended score a brief is not related, so a brief may show fewer than COUNT (bench/related.py).
ENRICH_RELATED_MIN_SCORE = env_float("ENRICH_RELATED_MIN_SCORE", 0.08, minimum=0.0)
# Story clusters: pieces ingested within this many days of each other are compared.
ENRICH_CLUSTER_WINDOW_DAYS = env_int("ENRICH_CLUSTER_WINDOW_DAYS", 7, minimum=1)
# Optional generative drafting through an OpenAI-compatible chat-completions endpoint.
# Off unless a base URL is set (e.g. http://127.0.0.1:8080/v1 for a local server).
ENRICH_LLM_BASE_URL = env_str("ENRICH_LLM_BASE_URL") or ""
ENRICH_LLM_MODEL = env_str("ENRICH_LLM_MODEL") or ""
ENRICH_LLM_API_KEY = env_str("ENRICH_LLM_API_KEY") or ""
ENRICH_LLM_TIMEOUT_SECONDS = env_float("ENRICH_LLM_TIMEOUT_SECONDS", 60.0, minimum=0.1)
# Requests in flight at once across every worker (a local server runs one or two well).
ENRICH_LLM_CONCURRENCY = env_int("ENRICH_LLM_CONCURRENCY", 2, minimum=1)
# Retries after 429/502/503/504 or a refused connection, honouring Retry-After.
ENRICH_LLM_RETRIES = env_int("ENRICH_LLM_RETRIES", 3, minimum=0)
# The longest answer asked for; a card of every section fits in about 1,500 tokens.
ENRICH_LLM_MAX_TOKENS = env_int("ENRICH_LLM_MAX_TOKENS", 2000, minimum=100)
if ENRICH_LLM_BASE_URL and not ENRICH_LLM_MODEL:
    raise ConfigurationError("ENRICH_LLM_MODEL must name the model when ENRICH_LLM_BASE_URL is set.")

# --- web ---

# Briefs per page on listings and search.
WEB_PAGE_SIZE = env_int("WEB_PAGE_SIZE", 20, minimum=1)
# Items in each feed.
WEB_FEED_ITEMS = env_int("WEB_FEED_ITEMS", 30, minimum=1)
# How long an anonymous page stays in the server cache; publishing retires it sooner.
WEB_PAGE_CACHE_SECONDS = env_int("WEB_PAGE_CACHE_SECONDS", 600)
# How long browsers may reuse a page before asking again (they then get a 304 when unchanged).
WEB_BROWSER_CACHE_SECONDS = env_int("WEB_BROWSER_CACHE_SECONDS", 0)
# --- api ------------------------------------------------------------------------------


API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90, minimum=1)
# DRF rate syntax: a number, a slash, and s/sec, m/min, h/hour or d/day.
API_THROTTLE_ANON_RATE = env_str("API_THROTTLE_ANON_RATE") or "120/min"
API_THROTTLE_TOKEN_RATE = env_str("API_THROTTLE_TOKEN_RATE") or "1200/min"
for _name in ("API_THROTTLE_ANON_RATE", "API_THROTTLE_TOKEN_RATE"):
    if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", globals()[_name]):
        raise ConfigurationError(f"{_name} must look like 120/min (per s, min, hour or day), got {globals()[_name]!r}.")
# Throttle counters change on every request. With Redis they live there, shared by all web
# nodes; in the embedded run a per-process memory cache keeps them off SQLite, where each
# API read would otherwise take the database's write lock.
if not REDIS_URL:
    CACHES["api_throttle"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-throttle"}
API_THROTTLE_CACHE = env_str("API_THROTTLE_CACHE") or ("default" if REDIS_URL else "api_throttle")
if API_THROTTLE_CACHE not in CACHES:
    raise ConfigurationError(f"API_THROTTLE_CACHE names no cache: {API_THROTTLE_CACHE!r} (known: {', '.join(CACHES)}).")
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 20, minimum=1)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 100, minimum=1)
# Seconds shared caches may keep an anonymous API answer; clients revalidate with the ETag after that.
API_CACHE_MAX_AGE = env_int("API_CACHE_MAX_AGE", 60)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "articles.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # the browsable API
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": [
        "articles.api.throttling.AnonymousRateThrottle",
        "articles.api.throttling.TokenRateThrottle",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "articles.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "articles.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": (
        "Read, filter and search published briefs; with a staff token, create and update drafts "
        "and move briefs through the editorial workflow.\n\n"
        "**Authentication.** Reads need none. Writes take `Authorization: Bearer dst_…`, a token a "
        "staff member gets from the admin or `manage.py api_token issue` (shown once, with an expiry).\n\n"
        '**Errors.** Every 4xx and 5xx answers `{"error": {"status", "code", "message", "fields"}}`; '
        "`fields` names each bad body field or query parameter.\n\n"
        "**Pages.** Lists are cursor-paginated: follow `next` and `previous` as given.\n\n"
        "**Caching.** GETs carry `ETag` and `Last-Modified` and answer 304 to `If-None-Match` / "
        "`If-Modified-Since`. Send the ETag you read as `If-Match` with a PATCH to get 412 instead of "
        "overwriting someone else's change.\n\n"
        "**Rates.** Anonymous clients and each token have a request budget; over it, 429 with `Retry-After`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "articles.models.Level",
        "LengthEnum": "articles.models.Length",
        "StatusEnum": "articles.models.Status",
    },
}

# --- ingest ---------------------------------------------------------------------------


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
