"""The one redis-py client of this process, built from REDIS_URL; None in the embedded default (local memory).

What workers share and Django's cache API cannot say (call budgets, the gatherer's queues and leases, blocking
waits) goes through this client and its Lua scripts. Django's cache (the parcel cache, rendered answers, rate-limit
counters, OAuth tokens) stays behind its public API; nothing here reaches into Django's backend.
"""

from __future__ import annotations

import threading

import redis
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from tracking_site.tuning import REDIS

# The longest single blocking read (BLPOP) the site makes; the blocking client's socket waits a little longer.
MAX_BLOCK_SECONDS = 5.0
KEY_PREFIX = "tracking:"

_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}


def key(*parts: str) -> str:
    """A key of ours, apart from Django's cache keys (those carry Django's own prefix and version)."""
    return KEY_PREFIX + ":".join(parts)


def shared_redis() -> redis.Redis | None:
    """The process's pooled, thread-safe client with short timeouts; None without REDIS_URL."""
    return _client("plain", REDIS.current().socket_timeout_seconds)


def blocking_redis() -> redis.Redis | None:
    """A client for blocking reads of up to MAX_BLOCK_SECONDS (its own pool: its socket timeout is longer)."""
    return _client("blocking", MAX_BLOCK_SECONDS + REDIS.current().socket_timeout_seconds)


def _client(name: str, socket_timeout: float) -> redis.Redis | None:
    url = settings.REDIS_URL
    if not url:
        return None
    client = _clients.get(name)
    if client is None:
        with _lock:
            client = _clients.get(name)
            if client is None:
                client = redis.Redis.from_url(
                    url,
                    # A paused or unreachable Redis costs a fraction of a second (REDIS_*_TIMEOUT_SECONDS).
                    socket_connect_timeout=REDIS.current().connect_timeout_seconds,
                    socket_timeout=socket_timeout,
                    health_check_interval=30,
                )
                _clients[name] = client
    return client


def forget_clients() -> None:
    """Drop the clients (a changed REDIS_URL, tests); the next call builds them again."""
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


@receiver(setting_changed)
def _rebuild_on_settings_change(*, setting: str, **kwargs: object) -> None:
    if setting in ("REDIS_URL", "TRACKING_TUNING"):
        forget_clients()
