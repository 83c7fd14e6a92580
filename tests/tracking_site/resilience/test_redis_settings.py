"""With REDIS_URL set (production), every Redis client the site builds has short timeouts and a fallback."""

from __future__ import annotations

from tests.tracking_site.test_production_settings import printed_under_production_settings

REDIS = {"REDIS_URL": "redis://cache.example:6379/2"}


def test_the_caches_are_resilient_with_short_socket_timeouts_and_rate_limits_keep_counting_locally():
    caches = printed_under_production_settings(
        REDIS, "{alias: {k: v for k, v in c.items()} for alias, c in settings.CACHES.items()}"
    )
    assert {c["BACKEND"] for c in caches.values()} == {"tracking_site.resilience.redis_cache.ResilientRedisCache"}
    assert caches["default"].get("FALLBACK", "skip") == "skip"
    assert caches["rate_limits"]["FALLBACK"] == "local"
    for config in caches.values():
        assert config["OPTIONS"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    assert printed_under_production_settings(REDIS, "settings.RATELIMIT_USE_CACHE") == "rate_limits"


def test_the_task_queue_connects_with_short_timeouts():
    options = printed_under_production_settings(
        REDIS,
        "(lambda kw: {k: kw[k] for k in ('host', 'socket_connect_timeout', 'socket_timeout')})"
        "(settings.HUEY['connection']['connection_pool'].connection_kwargs)",
    )
    assert options == {"host": "cache.example", "socket_connect_timeout": 0.5, "socket_timeout": 1.5}
