"""Settings, read once from the environment. Every knob has a safe default for the embedded demo.

The contract (README's configuration table): DJANGO_SECRET_KEY, DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS,
DATABASE_URL, REDIS_URL, TRACKING_DEMO, and each carrier's credentials and URLs.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import redis

BASE_DIR = Path(__file__).resolve().parent.parent


def env_text(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked: `make run` (the demo) and the test suite turn it on.
DEBUG = env_bool("DJANGO_DEBUG", False)

# The development key only works with DEBUG on; production must set its own (checked in checks.py).
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_text("DJANGO_SECRET_KEY") or DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")

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
    "tracking_site.postplus_feed",  # its management commands
    "tracking_site.following",  # its tasks, template tags and management commands (models: tracking_site)
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
        env_text("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# PostgreSQL, optionally: a small pool per process instead of a connection per thread that used one (public pages
# use none; staff pages and commands do). Django's pool wants CONN_MAX_AGE 0. Off by default: the database fault
# tests move the server's address under live connections, which a pool made earlier would not see.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
if DATABASES["default"]["ENGINE"].endswith("postgresql") and DATABASE_POOL_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 0,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": 5,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_text("REDIS_URL")
# --- Resilience: Redis is a helper, not a single point of failure ---------------------------------
# A paused or unreachable Redis costs a caller at most these timeouts; then nobody in the process asks it for
# REDIS_RETRY_SECONDS (one caller tries again after that). Meanwhile caches are skipped and counters are kept
# in this process (tracking_site/resilience/).
REDIS_CONNECT_TIMEOUT_SECONDS = env_float("REDIS_CONNECT_TIMEOUT_SECONDS", 0.5)
REDIS_SOCKET_TIMEOUT_SECONDS = env_float("REDIS_SOCKET_TIMEOUT_SECONDS", 0.5)
REDIS_RETRY_SECONDS = env_float("REDIS_RETRY_SECONDS", 5.0)


def redis_caches(url: str) -> dict[str, dict[str, object]]:
    """Django's caches over the Redis at `url`, each answering without Redis when it fails."""
    shared: dict[str, object] = {
        "BACKEND": "tracking_site.resilience.redis_cache.ResilientRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "tracking",
        "OPTIONS": {
            "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
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
STATIC_ROOT = Path(env_text("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")  # collectstatic writes here
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "tracking_site.brand.finders.BrandLogoFinder",  # the brand's logos, under /static/brand/
]
# The operator's brand: the path of a TOML file (README, "Your brand"), relative to the project folder or absolute.
SITE_BRAND = str(BASE_DIR / env_text("SITE_BRAND")) if env_text("SITE_BRAND") else ""
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
POSTPLUS_API_KEY = env_text("POSTPLUS_API_KEY")
POSTPLUS_BASE_URL = env_text("POSTPLUS_BASE_URL") or "https://api.post-plus.io"
DHL_ECOMMERCE_CLIENT_ID = env_text("DHL_ECOMMERCE_CLIENT_ID")
DHL_ECOMMERCE_CLIENT_SECRET = env_text("DHL_ECOMMERCE_CLIENT_SECRET")
DHL_ECOMMERCE_BASE_URL = env_text("DHL_ECOMMERCE_BASE_URL") or "https://api.dhlecs.com"
DHL_ECOMMERCE_PICKUP = env_text("DHL_ECOMMERCE_PICKUP")
NZPOST_CLIENT_ID = env_text("NZPOST_CLIENT_ID")
NZPOST_CLIENT_SECRET = env_text("NZPOST_CLIENT_SECRET")
NZPOST_BASE_URL = env_text("NZPOST_BASE_URL") or "https://api.nzpost.co.nz"
NZPOST_TOKEN_URL = env_text("NZPOST_TOKEN_URL") or "https://oauth.nzpost.co.nz/as/token.oauth2"

_any_carrier_configured = bool(
    POSTPLUS_API_KEY
    or (DHL_ECOMMERCE_CLIENT_ID and DHL_ECOMMERCE_CLIENT_SECRET)
    or (NZPOST_CLIENT_ID and NZPOST_CLIENT_SECRET)
)
# Demo mode: built-in fake carriers. On by default when no carrier is configured; TRACKING_DEMO=1 forces it.
TRACKING_DEMO = env_bool("TRACKING_DEMO", not _any_carrier_configured)

# --- Staff console and the PostPlus feed --------------------------------------------------------
# The integration key PostPlus issues for pushing events (tracking import); demo mode uses the fake's own.
POSTPLUS_INTEGRATION_API_KEY = env_text("POSTPLUS_INTEGRATION_API_KEY")
# The public PostPlus page reads stored feed events while the last caught-up sync is this recent.
POSTPLUS_FEED_FRESH_SECONDS = env_int("POSTPLUS_FEED_FRESH_SECONDS", 600)
# A sync run holds the feed this long without writing a page before another run may take over.
POSTPLUS_FEED_LEASE_SECONDS = env_int("POSTPLUS_FEED_LEASE_SECONDS", 300)
POSTPLUS_EVENT_CODES_SECONDS = env_int("POSTPLUS_EVENT_CODES_SECONDS", 24 * 3600)
LOGIN_URL = "staff_login"
RATELIMIT_STAFF_LOGIN = env_text("RATELIMIT_STAFF_LOGIN") or "10/m"  # staff login attempts per client IP

# --- Logging: one line per event, to stderr; carrier modules never log secrets or full numbers. ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_tracking_numbers": {"()": "tracking_site.protection.log_redaction.RedactTrackingNumbers"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tracking_numbers"],
        }
    },
    "root": {"handlers": ["console"], "level": env_text("LOG_LEVEL") or "INFO"},
    "loggers": {
        # Django logs the full request path (tracking numbers included) for every 4xx; ours say enough.
        "django.request": {"level": "ERROR", "filters": ["redact_tracking_numbers"]},
        "django.server": {"level": "ERROR" if not DEBUG else "INFO", "filters": ["redact_tracking_numbers"]},
        # httpx logs every request's full URL at INFO: carrier query strings hold tracking numbers.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# --- Parcel cache (seconds) ----------------------------------------------------------------------
PARCEL_CACHE_FRESH_SECONDS = env_int("PARCEL_CACHE_FRESH_SECONDS", 60)
PARCEL_CACHE_DELIVERED_SECONDS = env_int("PARCEL_CACHE_DELIVERED_SECONDS", 6 * 3600)
PARCEL_CACHE_NOT_FOUND_SECONDS = env_int("PARCEL_CACHE_NOT_FOUND_SECONDS", 30)
PARCEL_CACHE_STALE_SECONDS = env_int("PARCEL_CACHE_STALE_SECONDS", 24 * 3600)
# A rendered parcel page (or JSON answer) is reused this long for the same data; 0 turns it off. Relative
# times on it ("5 minutes ago") may lag by as much, as they would in a browser's or CDN's copy.
RENDERED_PAGE_SECONDS = env_int("RENDERED_PAGE_SECONDS", 30)

# --- Capacity: carrier budgets, the gatherer, metrics ----------------------------------------------------
# Calls per second all our workers together may make to each carrier (their documented limits; DHL publishes
# none, so a modest default). 0 switches a carrier's limit off.
CARRIER_RATE_LIMITS = {
    "postplus": env_int("CARRIER_RATE_POSTPLUS", 5),
    "dhl-ecommerce": env_int("CARRIER_RATE_DHL_ECOMMERCE", 10),
    "nzpost": env_int("CARRIER_RATE_NZPOST", 15),
}
# Calls are spaced as if a second lasted this much longer (bench/RESULTS.md: jitter on a loaded machine).
CARRIER_RATE_MARGIN_SECONDS = float(env_text("CARRIER_RATE_MARGIN_SECONDS") or 0.2)
# A visitor's number waits at most this long for a call to carry it (the budget spent, numbers gathering), then
# the page shows the last good answer (marked stale) or "busy".
CARRIER_RATE_MAX_WAIT_SECONDS = float(env_text("CARRIER_RATE_MAX_WAIT_SECONDS") or 2)
# Background lookups (refreshing followed parcels) wait longer: they ride on budget visitors leave unused.
LOOKUP_BACKGROUND_WAIT_SECONDS = float(env_text("LOOKUP_BACKGROUND_WAIT_SECONDS") or 10)
# The longest a lookup waits for a call already in flight (its process could have died mid-call).
LOOKUP_DEADLINE_SECONDS = float(env_text("LOOKUP_DEADLINE_SECONDS") or 15)
# A leader at its slot lingers while a burst is still arriving: until no other number joined for the quiet
# period, at most the linger. A lone lookup never lingers (bench/RESULTS.md: how these were chosen).
GATHER_QUIET_SECONDS = float(env_text("GATHER_QUIET_SECONDS") or 0.02)
GATHER_LINGER_SECONDS = float(env_text("GATHER_LINGER_SECONDS") or 0.1)
# A call carrying only background numbers leaves this share of the carrier's window unused for visitors.
GATHER_BACKGROUND_KEEP_FREE = float(env_text("GATHER_BACKGROUND_KEEP_FREE") or 0.5)
# The public PostPlus page waits at most this long for the feed store, then asks the API.
POSTPLUS_FEED_READ_SECONDS = float(env_text("POSTPLUS_FEED_READ_SECONDS") or 0.5)
# /metrics (Prometheus) answers only these client addresses or networks; others get a 404.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
# Where every gunicorn worker writes its metrics (gunicorn.conf.py sets it); unset: this process's own.
PROMETHEUS_MULTIPROC_DIR = env_text("PROMETHEUS_MULTIPROC_DIR")

# --- Resilience: carrier circuit breakers, bulkheads and the search deadline ---------------------------
# A carrier whose calls failed (timeouts, 5xx, bad answers, failed token fetches) this many times in a row, none
# older than the window, is not called for CARRIER_BREAKER_OPEN_SECONDS: its numbers are answered at once (the
# last good answer, marked stale, or a 503 with Retry-After). Then one probe call, in any worker, decides whether
# it closes again; a probe that never reports frees the way for another after CARRIER_BREAKER_PROBE_SECONDS.
# The window is long enough to see three of the carriers' 10 s read timeouts in a row.
CARRIER_BREAKER_FAILURES = env_int("CARRIER_BREAKER_FAILURES", 3)
CARRIER_BREAKER_WINDOW_SECONDS = env_float("CARRIER_BREAKER_WINDOW_SECONDS", 60.0)
CARRIER_BREAKER_OPEN_SECONDS = env_float("CARRIER_BREAKER_OPEN_SECONDS", 30.0)
CARRIER_BREAKER_PROBE_SECONDS = env_float("CARRIER_BREAKER_PROBE_SECONDS", 15.0)
# Bulkheads, per carrier in each worker process: at most CARRIER_BULKHEAD_CALLS calls in flight on one carrier;
# and while the carrier is slow (a call in flight for CARRIER_SLOW_SECONDS), at most CARRIER_BULKHEAD_WAITERS
# visitors waiting on it. Beyond, "busy" at once (the last good answer, marked stale, where there is one). A
# hanging carrier then cannot take the call pool other carriers' calls need, nor the request threads cached pages
# need (a quarter of GUNICORN_THREADS stays free of it); a healthy carrier's burst is never turned away.
CARRIER_BULKHEAD_CALLS = env_int("CARRIER_BULKHEAD_CALLS", 16)
CARRIER_BULKHEAD_WAITERS = env_int("CARRIER_BULKHEAD_WAITERS", env_int("GUNICORN_THREADS", 64) * 3 // 4)
CARRIER_SLOW_SECONDS = env_float("CARRIER_SLOW_SECONDS", 3.0)
# A multi-number search shows what it has after this long and says which carriers are still being asked.
SEARCH_DEADLINE_SECONDS = env_float("SEARCH_DEADLINE_SECONDS", 3.0)
# While Redis is unavailable each process keeps 1/N of every carrier's call budget (N: the processes that share
# it; gunicorn.conf.py's default worker count unless WEB_CONCURRENCY says otherwise).
CARRIER_RATE_PROCESSES = env_int(
    "CARRIER_RATE_PROCESSES", env_int("WEB_CONCURRENCY", min((os.cpu_count() or 1) * 2 + 1, 8))
)

# --- Abuse resistance -----------------------------------------------------------------------------
# Client IP: REMOTE_ADDR, unless this many trusted proxies (load balancer, CDN) sit in front.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
RATELIMIT_IP_META_KEY = "tracking_site.protection.rate_limits.client_ip"
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_SEARCH = env_text("RATELIMIT_SEARCH") or "30/m"  # search requests per client
RATELIMIT_PAGES = env_text("RATELIMIT_PAGES") or "60/m"  # parcel pages per client
RATELIMIT_API = env_text("RATELIMIT_API") or "60/m"  # JSON API calls per client
RATELIMIT_NUMBERS = env_text("RATELIMIT_NUMBERS") or "300/h"  # tracking numbers looked up per client
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
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Behind a TLS-terminating proxy, redirect only what the proxy marks as plain HTTP.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
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
SITE_URL = env_text("SITE_URL").rstrip("/")
# The language switcher's cookie: HTTPS only in production, not sent along with other sites' requests, and
# out of reach of scripts (site.js never reads it).
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# PostgreSQL: a connection that cannot be opened in DATABASE_CONNECT_TIMEOUT seconds fails (libpq's floor is 2 s);
# PostgreSQL stops a statement after DATABASE_STATEMENT_TIMEOUT seconds (0: no limit, e.g. for a long migration);
# the kernel drops a connection whose sent data goes unacknowledged for as long (a network partition), and
# keepalives find dead idle ones.
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 3)
DATABASE_STATEMENT_TIMEOUT = env_float("DATABASE_STATEMENT_TIMEOUT", 10)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _database_options = DATABASES["default"].setdefault("OPTIONS", {})
    _database_options.setdefault("connect_timeout", max(DATABASE_CONNECT_TIMEOUT, 2))
    _database_options["options"] = " ".join(
        part
        for part in (
            _database_options.get("options", ""),
            f"-c statement_timeout={int(DATABASE_STATEMENT_TIMEOUT * 1000)}",
        )
        if part
    )
    _database_options.setdefault("tcp_user_timeout", max(DATABASE_CONNECT_TIMEOUT, 2) * 1000)
    _database_options.setdefault("keepalives", 1)
    _database_options.setdefault("keepalives_idle", 30)
    _database_options.setdefault("keepalives_interval", 5)
    _database_options.setdefault("keepalives_count", 3)
# /healthz gives the database and the cache this long each (in parallel) before saying "error"; staff pages
# ask the database as quickly before they start.
HEALTH_CHECK_SECONDS = env_float("HEALTH_CHECK_SECONDS", 1.0)
# A staff page's query still unanswered after this long is cut off (the page says the database is unavailable):
# PostgreSQL's own statement timeout ends slow queries first; this ends the ones a hanging network never delivers.
STAFF_QUERY_SECONDS = env_float(
    "STAFF_QUERY_SECONDS", DATABASE_STATEMENT_TIMEOUT + 2 if DATABASE_STATEMENT_TIMEOUT else 15
)
# Every 503 the site gives for a failing database says to come back after this many seconds.
DATABASE_RETRY_AFTER_SECONDS = env_int("DATABASE_RETRY_AFTER_SECONDS", 30)

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
    # Short timeouts, as for the cache (REDIS_*_SECONDS): a dead or paused Redis must not hold a request that
    # queues a task (resilience/task_queue.py runs it in the request instead). The consumer's blocking reads
    # wait up to Huey's read_timeout (1 s), so its socket waits that much longer.
    "connection": {
        "connection_pool": redis.ConnectionPool.from_url(
            REDIS_URL,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
            socket_timeout=1 + REDIS_SOCKET_TIMEOUT_SECONDS,
        )
    }
    if REDIS_URL
    else {"filename": env_text("HUEY_SQLITE_PATH") or str(BASE_DIR / "huey.sqlite3")},
    "results": False,  # nothing reads task results: keep the queue's storage small
    "immediate": env_bool("HUEY_IMMEDIATE", False),  # tasks run inline, without a consumer (the test suite)
    "utc": True,
    "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread", "periodic": True},
}
# The consumer's own lines through our handler (once, not twice); a line per task run only when asked.
LOGGING["loggers"]["huey"] = {  # type: ignore[index]
    "handlers": ["console"],
    "level": env_text("HUEY_LOG_LEVEL") or "WARNING",
    "propagate": False,
}
LOGGING["loggers"]["huey.consumer"] = {"level": "INFO"}  # type: ignore[index]
# Followed parcels are asked again this often while they move, twice as seldom after each unchanged check up
# to the maximum, and no more after FOLLOWING_MAX_DAYS or once delivered or returned.
FOLLOWING_REFRESH_MINUTES = env_int("FOLLOWING_REFRESH_MINUTES", 15)
FOLLOWING_REFRESH_MAX_MINUTES = env_int("FOLLOWING_REFRESH_MAX_MINUTES", 240)
FOLLOWING_MAX_DAYS = env_int("FOLLOWING_MAX_DAYS", 30)
FOLLOWING_REFRESH_BATCH = env_int("FOLLOWING_REFRESH_BATCH", 500)  # parcels one refresh run takes at most
# Email addresses are deleted this long after delivery (or after following stopped), and this long at most.
FOLLOWING_EMAIL_KEEP_DAYS_AFTER_DELIVERY = env_int("FOLLOWING_EMAIL_KEEP_DAYS_AFTER_DELIVERY", 7)
FOLLOWING_EMAIL_KEEP_DAYS_AT_MOST = env_int("FOLLOWING_EMAIL_KEEP_DAYS_AT_MOST", 60)
FOLLOWING_CONFIRM_HOURS = env_int("FOLLOWING_CONFIRM_HOURS", 48)  # an unconfirmed address is deleted after this
FOLLOWING_MAX_SUBSCRIPTIONS_PER_PARCEL = env_int("FOLLOWING_MAX_SUBSCRIPTIONS_PER_PARCEL", 50)
RATELIMIT_FOLLOWS = env_text("RATELIMIT_FOLLOWS") or "5/h"  # follows (push or email) per client IP
RATELIMIT_CONFIRMATIONS_IP = env_text("RATELIMIT_CONFIRMATIONS_IP") or "5/h"  # confirmation emails per client IP
RATELIMIT_CONFIRMATIONS_ADDRESS = env_text("RATELIMIT_CONFIRMATIONS_ADDRESS") or "3/d"  # ... per email address
# Email: Django's own settings. The demo prints messages on the console; production names an SMTP server.
EMAIL_BACKEND = env_text("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_text("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_text("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_text("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_text("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)  # seconds: a hanging mail server never holds a worker for long
DEFAULT_FROM_EMAIL = env_text("DEFAULT_FROM_EMAIL") or "Parcel tracking <noreply@localhost>"
# Web Push: the VAPID private key (base64url, raw or DER; `manage.py vapid_key` makes one); its public key is
# derived from it. Without one the site offers no push notifications. The subject is how push services reach us.
VAPID_PRIVATE_KEY = env_text("VAPID_PRIVATE_KEY")
VAPID_SUBJECT = env_text("VAPID_SUBJECT") or "mailto:noreply@localhost"
WEB_PUSH_TIMEOUT_SECONDS = float(env_text("WEB_PUSH_TIMEOUT_SECONDS") or 5)

# --- Arrival estimates (estimates/): rebuild missing lane figures in a background thread of the web process.
ESTIMATES_BACKGROUND_REBUILD = env_bool("ESTIMATES_BACKGROUND_REBUILD", True)
