"""ResilientRedisCache: a dead Redis is a miss (or local memory), asked again only once every retry time."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from tests.clocks import FakeClock
from tests.tracking_site.resilience.conftest import CountingConnection, counted_caches
from tracking_site.resilience.redis_cache import ResilientRedisCache
from tracking_site.resilience.redis_outage import outage_for


def backend(url: str, alias: str = "default") -> ResilientRedisCache:
    config = dict(counted_caches(url)[alias])
    config.pop("BACKEND")
    return ResilientRedisCache(str(config.pop("LOCATION")), config)


def test_every_operation_on_a_dead_redis_answers_like_an_empty_cache(dead_redis_url):
    store = backend(dead_redis_url)
    assert store.get("parcel") is None
    assert store.get("parcel", "default") == "default"
    assert store.set("parcel", "value", 60) is None
    assert store.add("lock", "token", 60) is True  # as Django's DummyCache: nobody else holds it
    assert store.get_many(["a", "b"]) == {}
    assert store.set_many({"a": 1, "b": 2}, 60) == []
    assert store.get_or_set("computed", lambda: "fresh", 60) == "fresh"
    assert store.has_key("parcel") is False
    assert store.touch("parcel", 60) is False
    assert store.delete("parcel") is False
    assert store.delete_many(["a", "b"]) is None
    assert store.clear() is None
    with pytest.raises(ValueError):  # incr of a missing key, as every Django cache says it
        store.incr("counter")


def test_the_first_failure_is_the_only_call_that_tries_to_connect_until_the_retry_time(dead_redis_url):
    store = backend(dead_redis_url)
    for _ in range(20):
        store.get("parcel")
        store.set("parcel", "value", 60)
    assert CountingConnection.attempts == 1
    assert outage_for(dead_redis_url).down


def test_after_the_retry_time_one_call_tries_again(dead_redis_url):
    clock = FakeClock()
    outage = outage_for(dead_redis_url)
    outage.clock = clock
    store = backend(dead_redis_url)
    store.get("parcel")
    clock.now += outage.retry_seconds
    for _ in range(10):
        store.get("parcel")
    assert CountingConnection.attempts == 2


def test_local_fallback_keeps_counting_in_this_process(dead_redis_url):
    store = backend(dead_redis_url, "rate_limits")
    assert store.add("visits", 1, 60) is True
    assert store.add("visits", 1, 60) is False
    assert [store.incr("visits") for _ in range(3)] == [2, 3, 4]
    assert store.get("visits") == 4


def test_local_fallback_is_one_memory_for_every_thread_of_the_process(dead_redis_url):
    one, other = backend(dead_redis_url, "rate_limits"), backend(dead_redis_url, "rate_limits")
    one.set("visits", 7, 60)
    assert other.get("visits") == 7


def test_the_site_configures_short_socket_timeouts_for_every_redis_cache(settings):
    from tracking_site.settings import redis_caches

    for config in redis_caches("redis://127.0.0.1:6379/0").values():
        options = config["OPTIONS"]
        assert isinstance(options, dict)
        assert 0 < options["socket_connect_timeout"] <= 1
        assert 0 < options["socket_timeout"] <= 1


def test_an_unknown_fallback_is_refused():
    with pytest.raises(ValueError):
        ResilientRedisCache("redis://127.0.0.1:6379/0", {"FALLBACK": "sometimes"})


def test_the_django_cache_api_on_a_dead_redis(dead_redis):
    assert caches["default"].get("anything") is None
    caches["default"].set("anything", 1)
    assert caches["default"].get("anything") is None
