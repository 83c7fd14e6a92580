"""Redis that is not there: a loopback port nobody listens on, and connections counted on the way to it."""

from __future__ import annotations

import socket
import threading

import pytest
import redis

from tracking_site.resilience import redis_outage
from tracking_site.settings import redis_caches


def unused_port() -> int:
    """A loopback port that was free a moment ago and that nothing here listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CountingConnection(redis.Connection):
    """redis-py's connection, counting how often it tries to connect (every pool of the test shares the count)."""

    attempts = 0
    _lock = threading.Lock()

    def connect(self) -> None:
        with CountingConnection._lock:
            CountingConnection.attempts += 1
        super().connect()


def counted_caches(url: str) -> dict[str, dict[str, object]]:
    """The site's own cache configuration for `url`, with connections counted."""
    caches = redis_caches(url)
    for config in caches.values():
        config["OPTIONS"] = {**config["OPTIONS"], "connection_class": CountingConnection}
    return caches


def forget_outages() -> None:
    """Every Redis server counts as up again (the site keeps one outage record per server for its lifetime)."""
    with redis_outage._lock:
        redis_outage._outages.clear()


@pytest.fixture(autouse=True)
def _fresh_outages():
    forget_outages()
    CountingConnection.attempts = 0
    yield
    forget_outages()


@pytest.fixture
def dead_redis_url() -> str:
    return f"redis://127.0.0.1:{unused_port()}/0"


@pytest.fixture
def dead_redis(settings, dead_redis_url):
    """The site configured as in production, with REDIS_URL naming a port where nothing listens."""
    settings.REDIS_URL = dead_redis_url
    settings.CACHES = counted_caches(dead_redis_url)
    settings.RATELIMIT_USE_CACHE = "rate_limits"
    return dead_redis_url


@pytest.fixture
def site_redis_proxy(redis_proxy, settings):
    """Every cache of the site (rate limits too) talks to the real Redis through `redis_proxy`, connections counted."""
    proxied = settings.CACHES["default"]["LOCATION"]
    settings.REDIS_URL = proxied
    settings.CACHES = counted_caches(proxied)
    settings.RATELIMIT_USE_CACHE = "rate_limits"
    return redis_proxy
