"""Django's settings, built from the operator's environment (environment.py) and the site's tuning (tuning.py).

What differs between deployments is an environment variable, read once, typed and checked, in environment.py
(README, Configuration: about twenty of them). Every other value is a named default beside the code that uses it,
overridden through TRACKING_TUNING; the sections Django's own settings are built from are read here. Code reads
`django.conf.settings`, never the environment; a wrong variable or tuning value stops the site at start (checks.py).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import dj_database_url
import redis

from tracking_site import tuning
from tracking_site.environment import read_environment

BASE_DIR = Path(__file__).resolve().parent.parent

_reading = read_environment()
ENV = _reading.values
# What was wrong in the environment (its default was used instead): the system checks stop the site with these.
TRACKING_ENVIRONMENT_PROBLEMS = list(_reading.problems)
# The operator's overrides of named defaults, {"gather": {"linger_seconds": "0.2"}, ...}: tuning.py reads them.
TRACKING_TUNING: dict[str, dict[str, object]] = {name: dict(values) for name, values in ENV.TRACKING_TUNING.items()}
_database = tuning.DATABASE.read_or_defaults(TRACKING_TUNING.get("database", {}))
_redis = tuning.REDIS.read_or_defaults(TRACKING_TUNING.get("redis", {}))
_security = tuning.SECURITY.read_or_defaults(TRACKING_TUNING.get("security", {}))
_queue = tuning.QUEUE.read_or_defaults(TRACKING_TUNING.get("queue", {}))
_email = tuning.EMAIL.read_or_defaults(TRACKING_TUNING.get("email", {}))
# gunicorn's worker processes and threads per worker, as gunicorn.conf.py runs them: the call budgets while Redis
# is down and the bulkheads are sized from these.
WEB_CONCURRENCY = ENV.WEB_CONCURRENCY
GUNICORN_THREADS = ENV.GUNICORN_THREADS

# Off unless asked: `make run` (the demo) and the test suite turn it on.
DEBUG = ENV.DJANGO_DEBUG

# The development key only works with DEBUG on; production must set its own (checked in checks.py).
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = ENV.DJANGO_SECRET_KEY or DEV_SECRET_KEY

_DEBUG_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
ALLOWED_HOSTS = ENV.DJANGO_ALLOWED_HOSTS if ENV.DJANGO_ALLOWED_HOSTS is not None else _DEBUG_HOSTS if DEBUG else []

INSTALLED_APPS = [
    "django.contrib.admin",  # the staff console's read-only view of the PostPlus feed
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_ratelimit",
    "tracking_site",
    # The features: each owns its models (under the one app label, tracking_site), tasks and commands.
    "tracking_site.postplus_feed",
    "tracking_site.following",
    "tracking_site.estimates",
    "tracking_site.brand",  # the operator's brand (SITE_BRAND): its start check, template tags, logo finder
    "huey.contrib.djhuey",  # `manage.py run_huey`, the queue's consumer
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tracking_site.protection.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The JSON API answers JSON, errors included; a database failure is a 503 page, never a traceback.
    "tracking_site.web.errors.ErrorAnswersMiddleware",
    # Staff pages need the database: a clear 503 page at once when it does not answer.
    "tracking_site.staff.database_gate.StaffDatabaseGate",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, plus `Vary: Cookie`: the language cookie chooses the language as much as Accept-Language does.
    "tracking_site.web.http_caching.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tracking_site.urls"
WSGI_APPLICATION = "tracking_site.wsgi.application"

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
                "django.template.context_processors.i18n",
                "tracking_site.brand.context.brand",  # `site_name` and `brand` on every page
            ],
            # `{% load tracking %}`: the template tags live with the rest of the presentation.
            "libraries": {"tracking": "tracking_site.presentation.template_tags"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        ENV.DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=_database.conn_max_age_seconds,
        conn_health_checks=True,
    )
}
# PostgreSQL, optionally: a small pool per process instead of a connection per thread that used one (public pages
# use none; staff pages and commands do). Django's pool wants CONN_MAX_AGE 0.
if DATABASES["default"]["ENGINE"].endswith("postgresql") and _database.pool_size > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 0,
        "max_size": _database.pool_size,
        "timeout": 5,
    }
# PostgreSQL: a connection that cannot be opened in time fails (libpq's floor is 2 s); PostgreSQL stops a statement
# after its timeout (0: no limit, e.g. for a long migration); the kernel drops a connection whose sent data goes
# unacknowledged for as long (a network partition), and keepalives find dead idle ones.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _connect_seconds = max(_database.connect_timeout_seconds, 2)
    _database_options = DATABASES["default"].setdefault("OPTIONS", {})
    _database_options.setdefault("connect_timeout", _connect_seconds)
    _database_options["options"] = " ".join(
        part
        for part in (
            _database_options.get("options", ""),
            f"-c statement_timeout={int(_database.statement_timeout_seconds * 1000)}",
        )
        if part
    )
    _database_options.setdefault("tcp_user_timeout", _connect_seconds * 1000)
    _database_options.setdefault("keepalives", 1)
    _database_options.setdefault("keepalives_idle", 30)
    _database_options.setdefault("keepalives_interval", 5)
    _database_options.setdefault("keepalives_count", 3)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is a helper, not a single point of failure: a paused or unreachable Redis costs a caller at most the
# redis section's timeouts, and the site answers without it meanwhile (tracking_site/resilience/).
REDIS_URL = ENV.REDIS_URL


def redis_caches(url: str) -> dict[str, dict[str, object]]:
    """Django's caches over the Redis at `url`, each answering without Redis when it fails."""
    shared: dict[str, object] = {
        "BACKEND": "tracking_site.resilience.redis_cache.ResilientRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "tracking",
        "OPTIONS": {
            "socket_connect_timeout": _redis.connect_timeout_seconds,
            "socket_timeout": _redis.socket_timeout_seconds,
        },
    }
    return {
        # A failing Redis reads as a miss and drops writes ("skip").
        "default": shared,
        # Visitors' rate-limit counters go on counting in this process's memory while Redis fails ("local").
        "rate_limits": {**shared, "FALLBACK": "local"},
    }


if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
    RATELIMIT_USE_CACHE = "rate_limits"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tracking"}}

LANGUAGE_CODE = "en"
# --- Languages: our own words in each of these (locale/TRANSLATING.md); carrier texts stay as the carrier wrote them.
# Estonian, Latvian, Lithuanian, Finnish and Swedish for PostPlus's destinations, Spanish for DHL eCommerce's US
# customers. Each is named in itself, as the switcher names it (Django's name_local), whatever the page's language.
LANGUAGES = [
    ("en", "English"),
    ("nl", "Nederlands"),
    ("et", "Eesti"),
    ("lv", "Latviešu"),
    ("lt", "Lietuviškai"),
    ("fi", "Suomi"),
    ("sv", "Svenska"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(ENV.DJANGO_STATIC_ROOT or BASE_DIR / "staticfiles")  # collectstatic writes here
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "tracking_site.brand.finders.BrandLogoFinder",  # the brand's logos, under /static/brand/
]
# The operator's brand: the path of a TOML file (README, "Your brand"), relative to the project folder or absolute.
SITE_BRAND = str(BASE_DIR / ENV.SITE_BRAND) if ENV.SITE_BRAND else ""
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
# Development serves static files in place; production serves the compressed, fingerprinted copies that
# `manage.py collectstatic` writes to STATIC_ROOT (the manifest storage needs them: README, Production).
WHITENOISE_USE_FINDERS = DEBUG

# --- Carriers -----------------------------------------------------------------------------------
POSTPLUS_API_KEY = ENV.POSTPLUS_API_KEY
POSTPLUS_BASE_URL = ENV.POSTPLUS_BASE_URL
DHL_ECOMMERCE_CLIENT_ID = ENV.DHL_ECOMMERCE_CLIENT_ID
DHL_ECOMMERCE_CLIENT_SECRET = ENV.DHL_ECOMMERCE_CLIENT_SECRET
DHL_ECOMMERCE_BASE_URL = ENV.DHL_ECOMMERCE_BASE_URL
DHL_ECOMMERCE_PICKUP = ENV.DHL_ECOMMERCE_PICKUP
NZPOST_CLIENT_ID = ENV.NZPOST_CLIENT_ID
NZPOST_CLIENT_SECRET = ENV.NZPOST_CLIENT_SECRET
NZPOST_BASE_URL = ENV.NZPOST_BASE_URL
NZPOST_TOKEN_URL = ENV.NZPOST_TOKEN_URL

_any_carrier_configured = bool(
    POSTPLUS_API_KEY
    or (DHL_ECOMMERCE_CLIENT_ID and DHL_ECOMMERCE_CLIENT_SECRET)
    or (NZPOST_CLIENT_ID and NZPOST_CLIENT_SECRET)
)
# Demo mode: built-in fake carriers. On by default when no carrier is configured; TRACKING_DEMO=1 forces it.
TRACKING_DEMO = ENV.TRACKING_DEMO if ENV.TRACKING_DEMO is not None else not _any_carrier_configured
# The integration key PostPlus issues for pushing events (tracking import); demo mode uses the fake's own.
POSTPLUS_INTEGRATION_API_KEY = ENV.POSTPLUS_INTEGRATION_API_KEY
LOGIN_URL = "staff_login"

# --- Logging: one line per event, to stderr; carrier modules never log secrets or full numbers. ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "redact_tracking_numbers": {"()": "tracking_site.protection.log_redaction.RedactTrackingNumbers"},
        "redis_outage_without_traceback": {"()": "tracking_site.resilience.quiet_outages.RedisOutageWithoutTraceback"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tracking_numbers", "redis_outage_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": ENV.LOG_LEVEL},
    "loggers": {
        # Django logs the full request path (tracking numbers included) for every 4xx; ours say enough.
        "django.request": {"level": "ERROR", "filters": ["redact_tracking_numbers"]},
        "django.server": {"level": "ERROR" if not DEBUG else "INFO", "filters": ["redact_tracking_numbers"]},
        # httpx logs every request's full URL at INFO: carrier query strings hold tracking numbers.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# --- Metrics and abuse resistance ------------------------------------------------------------------
# /metrics (Prometheus) answers only these client addresses or networks; others get a 404.
METRICS_ALLOWED_IPS = ENV.METRICS_ALLOWED_IPS
# Where every gunicorn worker writes its metrics (gunicorn.conf.py sets it); unset: this process's own.
PROMETHEUS_MULTIPROC_DIR = ENV.PROMETHEUS_MULTIPROC_DIR
# Client IP: REMOTE_ADDR, unless this many trusted proxies (load balancer, CDN) sit in front.
TRUSTED_PROXY_COUNT = ENV.TRUSTED_PROXY_COUNT
RATELIMIT_IP_META_KEY = "tracking_site.protection.rate_limits.client_ip"
if not REDIS_URL:
    # One process with local memory is the embedded default: its counters are per process, which is
    # right for one process. Production sets REDIS_URL so every worker shares them.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
else:
    # Django's own Redis backend increments atomically (INCR); django-ratelimit just does not list it.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- Security headers and cookies -----------------------------------------------------------------
# Tracking numbers are in our URLs: never send them to another site in a Referer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_HSTS_SECONDS = _security.hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _security.hsts_include_subdomains
    SECURE_HSTS_PRELOAD = _security.hsts_preload
    # Behind a TLS-terminating proxy, redirect only what the proxy marks as plain HTTP.
    SECURE_SSL_REDIRECT = _security.ssl_redirect
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]  # probes and scrapers inside the network
    if TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Content-Security-Policy: our own static files only, no inline script or style, no third parties.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

# --- Edges: the canonical address, the language cookie, database deadlines, staff passwords -------
# The site's public address, scheme and host (`https://track.example.com`): share links, Open Graph URLs, staff
# customer links and the rendered-answer cache's keys come from it, never from the Host header a client sent.
# Required in production (`check --deploy` fails without it); DEBUG without it means http://127.0.0.1:8000.
SITE_URL = ENV.SITE_URL.rstrip("/")
# The language switcher's cookie: HTTPS only in production, not sent along with other sites' requests, and
# out of reach of scripts (site.js never reads it).
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# Staff passwords: Django's validators (not like the username, at least 12 characters, not a common password,
# not all digits). `createsuperuser`, `changepassword` and the admin's password forms all apply them.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Following a parcel: the queue, email, Web Push -------------------------------------------------------
# Huey: SQLite storage beside the demo's database by default, Redis in production (REDIS_URL). Every consumer
# (`manage.py run_huey`) also schedules the periodic tasks; the tasks claim their work, so two never do it twice.
HUEY = {
    "name": "tracking",
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    # Short timeouts, as for the cache (tuning's redis section): a dead or paused Redis must not hold a request that
    # queues a task (resilience/task_queue.py runs it in the request instead). The consumer's blocking reads
    # wait up to Huey's read_timeout (1 s), so its socket waits that much longer.
    "connection": {
        "connection_pool": redis.ConnectionPool.from_url(
            REDIS_URL,
            socket_connect_timeout=_redis.connect_timeout_seconds,
            socket_timeout=1 + _redis.socket_timeout_seconds,
        )
    }
    if REDIS_URL
    else {"filename": _queue.sqlite_path or str(BASE_DIR / "huey.sqlite3")},
    "results": False,  # nothing reads task results: keep the queue's storage small
    "immediate": False,  # True: tasks run inline, without a consumer (the test suite)
    "utc": True,
    "consumer": {"workers": _queue.workers, "worker_type": "thread", "periodic": True},
}
# The consumer's own lines through our handler (once, not twice); a line per task run only when asked.
LOGGING["loggers"]["huey"] = {  # type: ignore[index]
    "handlers": ["console"],
    "level": _queue.log_level,
    "propagate": False,
}
LOGGING["loggers"]["huey.consumer"] = {"level": "INFO"}  # type: ignore[index]
# Email: Django's own settings, from EMAIL_URL (smtp://, smtp+tls:// for STARTTLS, smtp+ssl://); without it the
# demo prints messages on the console.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if ENV.EMAIL_URL is not None:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = ENV.EMAIL_URL.host or "localhost"
    EMAIL_PORT = ENV.EMAIL_URL.port or {"smtp+tls": 587, "smtp+ssl": 465}.get(ENV.EMAIL_URL.scheme, 25)
    EMAIL_HOST_USER = unquote(ENV.EMAIL_URL.username or "")
    EMAIL_HOST_PASSWORD = unquote(ENV.EMAIL_URL.password or "")
    EMAIL_USE_TLS = ENV.EMAIL_URL.scheme == "smtp+tls"
    EMAIL_USE_SSL = ENV.EMAIL_URL.scheme == "smtp+ssl"
EMAIL_TIMEOUT = _email.timeout_seconds  # a hanging mail server never holds a worker for long
DEFAULT_FROM_EMAIL = ENV.DEFAULT_FROM_EMAIL
# Web Push: the VAPID private key (base64url, raw or DER; `manage.py vapid_key` makes one); its public key is
# derived from it. Without one the site offers no push notifications. The subject is how push services reach us.
VAPID_PRIVATE_KEY = ENV.VAPID_PRIVATE_KEY
VAPID_SUBJECT = ENV.VAPID_SUBJECT
