"""What an operator sets: the environment variables the site reads, typed and checked once (pydantic-settings).

settings.py builds Django's settings from `read_environment()`; gunicorn.conf.py takes its worker and thread
counts from the same reading, so both agree. Nothing else reads the environment. About twenty variables: what
differs between deployments (secrets, hosts, addresses, credentials, switches). Every other value is a named
default beside its code, overridden through TRACKING_TUNING (tuning.py).

A variable of the wrong type, a TRACKING_TUNING item that is not `section.key=value`, and a variable in one of
our namespaces that the site does not read (a misspelling, or one of the variables tuning replaced) are
problems: the site reads its defaults instead, and the system checks (checks.py) stop it at start, naming each.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AnyUrl, Field, NonNegativeInt, PositiveInt, UrlConstraints, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CommaList = Annotated[list[str], NoDecode]
EmailUrl = Annotated[AnyUrl, UrlConstraints(allowed_schemes=["smtp", "smtp+tls", "smtp+ssl"])]


def default_workers() -> int:
    """gunicorn's worker processes unless WEB_CONCURRENCY says: 2 × cores + 1, at most 8 (bench/RESULTS.md)."""
    return min((os.cpu_count() or 1) * 2 + 1, 8)


class Environment(BaseSettings):
    """The operator's variables (README, Configuration), by their own names."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, str_strip_whitespace=True)

    DJANGO_SECRET_KEY: str = ""
    DJANGO_DEBUG: bool = False
    DJANGO_ALLOWED_HOSTS: CommaList | None = None
    SITE_URL: str = ""
    DATABASE_URL: str = ""
    REDIS_URL: str = ""
    DJANGO_STATIC_ROOT: str = ""
    SITE_BRAND: str = ""  # the brand file (TOML), relative to the project folder or absolute
    TRACKING_DEMO: bool | None = None
    TRACKING_TUNING: Annotated[dict[str, dict[str, str]], NoDecode] = {}
    POSTPLUS_API_KEY: str = ""
    POSTPLUS_BASE_URL: str = "https://api.post-plus.io"
    POSTPLUS_INTEGRATION_API_KEY: str = ""
    DHL_ECOMMERCE_CLIENT_ID: str = ""
    DHL_ECOMMERCE_CLIENT_SECRET: str = ""
    DHL_ECOMMERCE_BASE_URL: str = "https://api.dhlecs.com"
    DHL_ECOMMERCE_PICKUP: str = ""
    NZPOST_CLIENT_ID: str = ""
    NZPOST_CLIENT_SECRET: str = ""
    NZPOST_BASE_URL: str = "https://api.nzpost.co.nz"
    NZPOST_TOKEN_URL: str = "https://oauth.nzpost.co.nz/as/token.oauth2"  # noqa: S105 - an address, not a secret
    EMAIL_URL: EmailUrl | None = None
    DEFAULT_FROM_EMAIL: str = "Parcel tracking <noreply@localhost>"
    VAPID_PRIVATE_KEY: str = ""
    VAPID_SUBJECT: str = "mailto:noreply@localhost"
    TRUSTED_PROXY_COUNT: NonNegativeInt = 0
    METRICS_ALLOWED_IPS: CommaList = ["127.0.0.1", "::1"]
    WEB_CONCURRENCY: PositiveInt = Field(default_factory=default_workers)
    GUNICORN_THREADS: PositiveInt = 64
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    PROMETHEUS_MULTIPROC_DIR: str = ""  # prometheus-client's own; gunicorn.conf.py makes one when unset

    @field_validator("DJANGO_ALLOWED_HOSTS", "METRICS_ALLOWED_IPS", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return [item.strip() for item in value.split(",") if item.strip()] if isinstance(value, str) else value

    @field_validator("TRACKING_TUNING", mode="before")
    @classmethod
    def _tuning_items(cls, value: Any) -> Any:
        return parse_tuning(value) if isinstance(value, str) else value


TUNING_ITEM = re.compile(r"^(?P<section>[a-z][a-z0-9_]*)\.(?P<key>[a-z][a-z0-9_]*)=(?P<value>.*)$")


def parse_tuning(text: str) -> dict[str, dict[str, str]]:
    """`gather.linger_seconds=0.2 breaker.failures=5` (items apart by spaces, commas or new lines) as sections."""
    sections: dict[str, dict[str, str]] = {}
    for item in re.split(r"[\s,;]+", text.strip()):
        if not item:
            continue
        match = TUNING_ITEM.match(item)
        if match is None:
            raise ValueError(f"{item!r} is not section.key=value (e.g. gather.linger_seconds=0.2)")
        sections.setdefault(match["section"], {})[match["key"]] = match["value"]
    return sections


# --- Variables the site no longer reads --------------------------------------------------------------------------

# Where each variable of earlier versions went: an operator who still sets one is told its new name.
_TUNED = {
    "CARRIER_RATE_MAX_WAIT_SECONDS": "lookup.wait_seconds",
    "LOOKUP_BACKGROUND_WAIT_SECONDS": "lookup.background_wait_seconds",
    "LOOKUP_DEADLINE_SECONDS": "lookup.deadline_seconds",
    "SEARCH_DEADLINE_SECONDS": "lookup.search_deadline_seconds",
    "GATHER_QUIET_SECONDS": "gather.quiet_seconds",
    "GATHER_LINGER_SECONDS": "gather.linger_seconds",
    "GATHER_BACKGROUND_KEEP_FREE": "gather.background_keep_free",
    "PARCEL_CACHE_FRESH_SECONDS": "parcel_cache.fresh_seconds",
    "PARCEL_CACHE_DELIVERED_SECONDS": "parcel_cache.delivered_seconds",
    "PARCEL_CACHE_NOT_FOUND_SECONDS": "parcel_cache.not_found_seconds",
    "PARCEL_CACHE_STALE_SECONDS": "parcel_cache.stale_seconds",
    "RENDERED_PAGE_SECONDS": "answer_cache.seconds",
    "CARRIER_RATE_POSTPLUS": "budget.postplus",
    "CARRIER_RATE_DHL_ECOMMERCE": "budget.dhl_ecommerce",
    "CARRIER_RATE_NZPOST": "budget.nzpost",
    "CARRIER_RATE_MARGIN_SECONDS": "budget.margin_seconds",
    "CARRIER_RATE_PROCESSES": "budget.processes",
    "CARRIER_BREAKER_FAILURES": "breaker.failures",
    "CARRIER_BREAKER_WINDOW_SECONDS": "breaker.window_seconds",
    "CARRIER_BREAKER_OPEN_SECONDS": "breaker.open_seconds",
    "CARRIER_BREAKER_PROBE_SECONDS": "breaker.probe_seconds",
    "CARRIER_BULKHEAD_CALLS": "bulkhead.calls",
    "CARRIER_BULKHEAD_WAITERS": "bulkhead.waiters",
    "CARRIER_SLOW_SECONDS": "bulkhead.slow_seconds",
    "REDIS_CONNECT_TIMEOUT_SECONDS": "redis.connect_timeout_seconds",
    "REDIS_SOCKET_TIMEOUT_SECONDS": "redis.socket_timeout_seconds",
    "REDIS_RETRY_SECONDS": "redis.retry_seconds",
    "DATABASE_CONN_MAX_AGE": "database.conn_max_age_seconds",
    "DATABASE_POOL_SIZE": "database.pool_size",
    "DATABASE_CONNECT_TIMEOUT": "database.connect_timeout_seconds",
    "DATABASE_STATEMENT_TIMEOUT": "database.statement_timeout_seconds",
    "DATABASE_RETRY_AFTER_SECONDS": "database.retry_after_seconds",
    "HEALTH_CHECK_SECONDS": "database.health_check_seconds",
    "STAFF_QUERY_SECONDS": "database.staff_query_seconds",
    "POSTPLUS_FEED_FRESH_SECONDS": "postplus_feed.fresh_seconds",
    "POSTPLUS_FEED_LEASE_SECONDS": "postplus_feed.lease_seconds",
    "POSTPLUS_FEED_READ_SECONDS": "postplus_feed.read_seconds",
    "POSTPLUS_EVENT_CODES_SECONDS": "event_codes.keep_seconds",
    "RATELIMIT_ENABLE": "rate_limits.enabled",
    "RATELIMIT_SEARCH": "rate_limits.search",
    "RATELIMIT_PAGES": "rate_limits.pages",
    "RATELIMIT_API": "rate_limits.api",
    "RATELIMIT_NUMBERS": "rate_limits.numbers",
    "RATELIMIT_STAFF_LOGIN": "rate_limits.staff_login",
    "RATELIMIT_FOLLOWS": "rate_limits.follows",
    "RATELIMIT_CONFIRMATIONS_IP": "rate_limits.confirmations_ip",
    "RATELIMIT_CONFIRMATIONS_ADDRESS": "rate_limits.confirmations_address",
    "FOLLOWING_REFRESH_MINUTES": "following.refresh_minutes",
    "FOLLOWING_REFRESH_MAX_MINUTES": "following.refresh_max_minutes",
    "FOLLOWING_MAX_DAYS": "following.max_days",
    "FOLLOWING_REFRESH_BATCH": "following.refresh_batch",
    "FOLLOWING_EMAIL_KEEP_DAYS_AFTER_DELIVERY": "following.keep_days_after_delivery",
    "FOLLOWING_EMAIL_KEEP_DAYS_AT_MOST": "following.keep_days_at_most",
    "FOLLOWING_CONFIRM_HOURS": "following.confirm_hours",
    "FOLLOWING_MAX_SUBSCRIPTIONS_PER_PARCEL": "following.max_subscriptions_per_parcel",
    "WEB_PUSH_TIMEOUT_SECONDS": "following.push_timeout_seconds",
    "ESTIMATES_BACKGROUND_REBUILD": "estimates.background_rebuild",
    "SECURE_SSL_REDIRECT": "security.ssl_redirect",
    "SECURE_HSTS_SECONDS": "security.hsts_seconds",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "security.hsts_include_subdomains",
    "SECURE_HSTS_PRELOAD": "security.hsts_preload",
    "HUEY_SQLITE_PATH": "queue.sqlite_path",
    "HUEY_WORKERS": "queue.workers",
    "HUEY_LOG_LEVEL": "queue.log_level",
    "EMAIL_TIMEOUT": "email.timeout_seconds",
}
MOVED = {
    **{old: f"TRACKING_TUNING's {new} (TRACKING_TUNING='{new}=...')" for old, new in _TUNED.items()},
    **dict.fromkeys(
        ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL"),
        "EMAIL_URL (e.g. smtp+tls://user:password@mail.example.com:587)",
    ),
    "EMAIL_BACKEND": "EMAIL_URL (set: SMTP; unset: messages are printed on the console)",
    "HUEY_IMMEDIATE": "nothing: tasks run inline only in the test suite",
    "GUNICORN_BIND": "gunicorn's own --bind (on the command line, or GUNICORN_CMD_ARGS='--bind 127.0.0.1:8000')",
    "GUNICORN_ACCESS_LOG": "gunicorn's own --access-logfile (on the command line, or in GUNICORN_CMD_ARGS)",
}

# Prefixes no other program uses: a variable that starts with one and that the site does not read is a mistake.
NAMESPACES = ("DJANGO_", "TRACKING_", "POSTPLUS_", "DHL_ECOMMERCE_", "NZPOST_", "EMAIL_", "VAPID_", "GUNICORN_")
# ... except the ones Django, its commands and gunicorn read themselves.
NOT_OURS = re.compile(
    r"^(DJANGO_SETTINGS_MODULE|DJANGO_ALLOW_ASYNC_UNSAFE|DJANGO_COLORS|DJANGO_SUPERUSER_[A-Z_]+|DJANGO_WATCHMAN_TIMEOUT"
    r"|DJANGO_AUTO_COMPLETE|DJANGO_TEST_PROCESSES|DJANGO_RUNSERVER_HIDE_WARNING|GUNICORN_CMD_ARGS)$"
)


def unread_variables(environ: Mapping[str, str]) -> list[str]:
    """A sentence for each variable in our namespaces (or of earlier versions) that the site does not read."""
    known = set(Environment.model_fields)
    problems = []
    for name in sorted(environ):
        if name in known or NOT_OURS.match(name):
            continue
        if name in MOVED:
            problems.append(f"{name} is no longer read: use {MOVED[name]}.")
        elif name.startswith(NAMESPACES):
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" Did you mean {close[0]}?" if close else ""
            problems.append(f"{name} is not a variable this site reads.{hint}")
    return problems


@dataclass(frozen=True)
class Reading:
    """The environment as read: every value (a default where a variable was wrong), and what was wrong."""

    values: Environment
    problems: tuple[str, ...]


def read_environment() -> Reading:
    """Read the operator's variables; never raises: each wrong one is a problem, and its default is used."""
    problems = unread_variables(os.environ)
    try:
        values = Environment()
    except ValidationError as exc:
        wrong = {str(error["loc"][0]) for error in exc.errors()}
        for error in exc.errors(include_input=False, include_url=False):
            where = ".".join(str(part) for part in error["loc"])
            problems.append(f"{where}: {error['msg']}.")
        # Each wrong variable falls back to its default (arguments win over the environment).
        defaults = {name: Environment.model_fields[name].get_default(call_default_factory=True) for name in wrong}
        values = Environment(**defaults)
    return Reading(values, tuple(problems))
