"""Distillery settings, read from the environment.

The defaults run the embedded mode (`make run`): SQLite under var/, Celery on kombu's
filesystem transport, no Redis. Setting DATABASE_URL and REDIS_URL gives the scaled
mode. The README lists every variable.
"""

import ipaddress
import re
from datetime import timedelta
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
    "django_prometheus",
    "articles",
]

MIDDLEWARE = [
    # First and last: django-prometheus times and counts every request (/metrics).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Readers' pages found in the page cache are answered here, before sessions and the rest.
    "articles.web.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
        "default": {"BACKEND": "portal.redis_cache.RedisCache", "LOCATION": REDIS_URL},
        "pages": {"BACKEND": "portal.redis_cache.RedisCache", "LOCATION": REDIS_URL},
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
    CELERY_BROKER_TRANSPORT_OPTIONS = {}  # the visibility timeout is set below, from the task limits
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
# A retry waits in a worker's hands (unacknowledged) for its countdown; longer waits go to the schedule.
TASK_MAX_RETRY_WAIT = env_int("TASK_MAX_RETRY_WAIT", 600, minimum=1)
# Redis hands a message a killed worker held to another worker after this many seconds: longer than a
# task may wait for its retry and then run, or Redis would redeliver a task that is still alive.
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int(
    "CELERY_BROKER_VISIBILITY_TIMEOUT", TASK_MAX_RETRY_WAIT + CELERY_TASK_TIME_LIMIT + 60, minimum=1
)
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = CELERY_BROKER_VISIBILITY_TIMEOUT
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_TIMEZONE = TIME_ZONE
# Drafting has a queue of its own: a flood of new pieces waits there without holding up polls and
# beat's bookkeeping in the default queue. A worker started without -Q consumes both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {"celery": {}, "drafting": {}}
CELERY_TASK_ROUTES = {
    "articles.tasks.enrich_article": {"queue": "drafting"},
    "articles.tasks.draft_next": {"queue": "drafting"},
    "articles.tasks.refresh_related": {"queue": "drafting"},
    "articles.tasks.withdraw_related": {"queue": "drafting"},
}

# --- Security -------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
# Off by default: both bind every subdomain of the site's domain to HTTPS too, preload for years.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Load balancers probe /healthz over plain HTTP on the node's own address.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging --------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Email ----------------------------------------------------------------------------

# With EMAIL_HOST set, mail goes through that SMTP server; without it (the embedded run)
# every message is written as a file under var/mail/, where it can be read.
EMAIL_HOST = env_str("EMAIL_HOST") or ""
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # TLS from the first byte, usually on port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ConfigurationError("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: set one (587: TLS, 465: SSL).")
EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25, minimum=1)
EMAIL_TIMEOUT = env_float("EMAIL_TIMEOUT", 30.0, minimum=1.0)  # a stuck SMTP server must not hold a worker
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or f"{SITE_NAME} <digest@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The public address of the site: links in emails and webhook payloads are made absolute with it.
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
if not re.fullmatch(r"https?://[^/\s]+", SITE_URL):
    raise ConfigurationError(
        f"SITE_URL must be the site's scheme and host, e.g. https://briefs.example.org, got {SITE_URL!r}."
    )

# --- Login throttling and Content-Security-Policy ----------------------------------------

# django-axes: after LOGIN_FAILURE_LIMIT wrong passwords for one user name from one address, that
# pair is locked out for LOGIN_LOCKOUT_MINUTES (each new try while locked out starts the wait again).
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes asks
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.security.client_address"
AXES_VERBOSE = False

# The reader's pages: no inline script or style, nothing from another origin (see portal/security.py).
CONTENT_SECURITY_POLICY = env_str("CONTENT_SECURITY_POLICY") or (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CSP_EXEMPT_PATHS = ("/admin/", "/api/")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "portal.security.ContentSecurityPolicyMiddleware",
)

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
# A source whose pieces have waited "ingested" this long, with none of its drafting turns queued
# meanwhile, gets a new turn from beat (its turns stopped: the database was away longer than a
# turn's retries, or the broker when the next turn was queued). Keep it above the longest time a
# turn waits in the drafting queue behind other sources' turns, or a source gets two chains of turns.
DRAFTING_STALL_MINUTES = env_int("DRAFTING_STALL_MINUTES", 15, minimum=1)
# Pieces a drafting turn of one source drafts and keeps in one commit (one with a language model), as many as
# `enrich --ingested` keeps per commit. A turn also costs a fixed ~20 ms of CPU whatever its size (its reads
# and writes, ~23 queries; 25-45 ms in a Celery worker's pool process): turns of 5 took 1.3× (one process) to
# 1.4-1.8× (a Celery worker) the CPU of turns of 20 for the same pieces. Smaller turns let other sources' turns
# come round sooner (bench/REPORT.md, "Tenth pass").
DRAFTING_TURN_PIECES = env_int("DRAFTING_TURN_PIECES", 20, minimum=1)
# Sentences in a drafted summary, and drafted key insights.
ENRICH_SUMMARY_SENTENCES = env_int("ENRICH_SUMMARY_SENTENCES", 3, minimum=1)
ENRICH_INSIGHTS = env_int("ENRICH_INSIGHTS", 4, minimum=0)
# Published briefs needed before fields and roles are suggested by a trained classifier
# instead of keyword rules.
ENRICH_CLASSIFIER_MIN_BRIEFS = env_int("ENRICH_CLASSIFIER_MIN_BRIEFS", 40, minimum=2)
# The classifiers learn from the newest published briefs, at most this many: each drafting process retrains
# them whenever the library changes, and all 82,000 published briefs of a 100,000-brief library took
# 80 s and 2.7 GB to read and fit (bench/REPORT.md, "Drafting speed").
ENRICH_CLASSIFIER_MAX_BRIEFS = env_int("ENRICH_CLASSIFIER_MAX_BRIEFS", 2000, minimum=2)
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
# How long a published brief's rendered page body is kept for every reader and role choice,
# apart from the page cache; any change it shows retires it at once. 0 renders it every time.
WEB_BRIEF_BODY_SECONDS = env_int("WEB_BRIEF_BODY_SECONDS", 3600, minimum=0)
# How long a published brief's rendered card (home, listings, search) is kept for every reader; any
# change it shows retires it at once. 0 renders every card every time.
WEB_CARD_SECONDS = env_int("WEB_CARD_SECONDS", 3600, minimum=0)
# How long a listing's count and filter panel are kept for its filters; any change to a brief the
# listing can show retires them at once. 0: made every time.
WEB_LISTING_KEEP_SECONDS = env_int("WEB_LISTING_KEEP_SECONDS", 3600, minimum=0)
# How long browsers may reuse a page before asking again (they then get a 304 when unchanged).
WEB_BROWSER_CACHE_SECONDS = env_int("WEB_BROWSER_CACHE_SECONDS", 0)
# Most matches the search page counts, ranks and counts facets over. When more briefs match, the
# page says "more than N", ranks the newest N and counts facets among them, so that a common word
# costs the same as a rare one at any library size.
WEB_SEARCH_MATCH_LIMIT = env_int("WEB_SEARCH_MATCH_LIMIT", 1000, minimum=1)
# How long a search's outcome (its matches in the reader's order, its filter panel) is kept for the
# same query, filters and roles; any change to a published brief retires it at once. 0: never kept.
WEB_SEARCH_KEEP_SECONDS = env_int("WEB_SEARCH_KEEP_SECONDS", 300, minimum=0)
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
# How long the representation of a published brief, as the API list shows it to anonymous
# clients, is kept in the page cache's store; any change it shows retires it sooner. 0: never kept.
API_REPRESENTATION_CACHE_SECONDS = env_int("API_REPRESENTATION_CACHE_SECONDS", 600)

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
        # DRF's JSON renderer, which also splices in the list's kept representations as they are kept.
        "articles.api.renderers.KeptJSONRenderer",
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
        "**Rates.** Anonymous clients and each token have a request budget; over it, 429 with `Retry-After`.\n\n"
        "**Webhooks.** Editors register endpoints in the curation panel (*Webhook endpoints*), each with a "
        "secret. Events: `brief.published`, `brief.updated` (a published brief edited), `brief.unpublished` "
        "(a published brief unpublished, rejected or archived). Each is a POST with the JSON body "
        '`{"id", "event", "created_at", "brief"}`, where `brief` is the brief as `GET /api/v1/articles/{slug}/` '
        "returns it (for `brief.unpublished` only `slug`, `title`, `status`, `url`, `api_url`, `original_url`, "
        "`updated_at`). Headers: `X-Distillery-Event`, `X-Distillery-Delivery` (the same id on every retry: "
        "delivery is at least once), `X-Distillery-Timestamp` (unix seconds) and "
        "`X-Distillery-Signature: v1=<hex>`, the HMAC-SHA256 keyed with the endpoint's secret of "
        "`<timestamp>.<raw body>`; compare it in constant time and refuse timestamps older than a few minutes. "
        "Any 2xx is success; timeouts, 408, 425, 429 and 5xx are retried with exponential backoff, never "
        "sooner than `Retry-After`. The README has a verification snippet."
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
# Floods: one feed of thousands of items must not fill the library and the drafting queue at
# once. New items past either cap wait for the next poll (the run says so); nothing is dropped.
INGEST_MAX_ITEMS_PER_FETCH = env_int("INGEST_MAX_ITEMS_PER_FETCH", 200, minimum=1)
INGEST_MAX_ITEMS_PER_SOURCE_PER_DAY = env_int("INGEST_MAX_ITEMS_PER_SOURCE_PER_DAY", 1000, minimum=1)
INGEST_MAX_BACKOFF_MINUTES = env_int("INGEST_MAX_BACKOFF_MINUTES", 24 * 60, minimum=1)
INGEST_TASK_RETRIES = env_int("INGEST_TASK_RETRIES", 3)  # for timeouts and 5xx only
INGEST_MAX_DELIVERIES = env_int("INGEST_MAX_DELIVERIES", 5, minimum=1)  # a task that keeps killing workers
# A task lock's lease (articles/locks.py): its holder renews it every third of this while it lives, so a
# killed worker's lock and host slots lapse this long after its death (at once on its own machine).
INGEST_LOCK_SECONDS = env_int("INGEST_LOCK_SECONDS", 30, minimum=1)

# --- operations -----------------------------------------------------------------------

# Who may read /metrics: these networks (comma-separated, CIDR), or anyone sending the token as
# "Authorization: Bearer <token>" (Prometheus's `authorization` option). Everyone else gets a 404.
METRICS_ALLOWED_NETWORKS = []
for _network in env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"]):
    try:
        METRICS_ALLOWED_NETWORKS.append(ipaddress.ip_network(_network, strict=False))
    except ValueError:
        raise ConfigurationError(
            f"METRICS_ALLOWED_NETWORKS must list networks like 10.0.0.0/8, got {_network!r}."
        ) from None
METRICS_TOKEN = env_str("METRICS_TOKEN") or ""
# The window of the "recent" ingestion metrics.
METRICS_WINDOW_MINUTES = env_int("METRICS_WINDOW_MINUTES", 60, minimum=1)

CELERY_BEAT_SCHEDULE["ingest-due-sources"] = {
    "task": "articles.tasks.ingest_due_sources",
    "schedule": 60.0,
    "options": {"expires": 55},  # a tick nobody ran in time is superseded by the next one
}
CELERY_BEAT_SCHEDULE["resume-drafting"] = {
    "task": "articles.tasks.resume_drafting",
    "schedule": 300.0,
    "options": {"expires": 290},
}
# Runs whose worker died are closed and their sources queued again within about two leases.
CELERY_BEAT_SCHEDULE["close-interrupted-runs"] = {
    "task": "articles.tasks.close_interrupted_runs",
    "schedule": float(max(INGEST_LOCK_SECONDS, 5)),
    "options": {"expires": max(INGEST_LOCK_SECONDS, 5)},
}

# --- subscriptions: email digests -------------------------------------------------------

# Daily digests go out from this hour (in TIME_ZONE); weekly ones from this hour on this day.
DIGEST_SEND_HOUR = env_int("DIGEST_SEND_HOUR", 7)
if DIGEST_SEND_HOUR > 23:
    raise ConfigurationError(f"DIGEST_SEND_HOUR must be an hour from 0 to 23, got {DIGEST_SEND_HOUR}.")
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_weekly_day = (env_str("DIGEST_WEEKLY_DAY") or "monday").lower()
if _weekly_day not in _WEEKDAYS:
    raise ConfigurationError(f"DIGEST_WEEKLY_DAY must be a day of the week in English, got {_weekly_day!r}.")
DIGEST_WEEKLY_DAY = _WEEKDAYS.index(_weekly_day)  # 0 = Monday
# Briefs listed in one digest; past that it links to the rest.
DIGEST_MAX_BRIEFS = env_int("DIGEST_MAX_BRIEFS", 30, minimum=1)
# How long a confirmation link works.
DIGEST_CONFIRM_HOURS = env_int("DIGEST_CONFIRM_HOURS", 48, minimum=1)
# Confirmation emails one address may be sent per hour (sign-ups beyond it are refused).
DIGEST_CONFIRMATIONS_PER_HOUR = env_int("DIGEST_CONFIRMATIONS_PER_HOUR", 3, minimum=1)

CELERY_BEAT_SCHEDULE["send-due-digests"] = {
    "task": "articles.tasks.queue_due_digests",
    "schedule": 600.0,
    "options": {"expires": 590},
}

# --- subscriptions: webhooks ------------------------------------------------------------

# Attempts per delivery before it is marked failed (the first one included).
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
# The wait before the n-th retry is about WEBHOOK_RETRY_BASE_SECONDS × 2^(n-1), never less than a 429's Retry-After.
WEBHOOK_RETRY_BASE_SECONDS = env_float("WEBHOOK_RETRY_BASE_SECONDS", 30.0)
# A receiver asking to wait longer than this (Retry-After) gets the delivery marked failed, to resend by hand.
WEBHOOK_MAX_RETRY_AFTER_SECONDS = env_int("WEBHOOK_MAX_RETRY_AFTER_SECONDS", 3600, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 10.0, minimum=0.1)
# Like INGEST_ALLOW_LOOPBACK: only tests and a local demo deliver to this machine.
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", False)

CELERY_BEAT_SCHEDULE["requeue-stalled-webhooks"] = {
    "task": "articles.tasks.requeue_stalled_webhooks",
    "schedule": 600.0,
    "options": {"expires": 590},
}
