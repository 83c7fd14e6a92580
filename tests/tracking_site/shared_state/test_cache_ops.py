"""Batched cache operations: add_many keeps `add`'s only-if-absent rule, in local memory and on Redis."""

from __future__ import annotations

import secrets
import time

import pytest
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from tracking_site.lookup.single_flight import SingleFlight
from tracking_site.shared_state import cache_ops
from tracking_site.shared_state.cache_ops import add_many, set_many_each


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.services)])
def store(request):
    prefix = f"test-cache-ops-{secrets.token_hex(4)}"
    if request.param == "local":
        yield LocMemCache(prefix, {})
        return
    redis = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix})
    yield redis
    redis.clear()


def test_add_many_stores_only_absent_keys_and_says_which(store):
    store.set("taken", "first")
    added = add_many(store, {"taken": "second", "free": "mine", "also-free": {"a": 1}}, timeout=30)
    assert added == {"free", "also-free"}
    assert store.get("taken") == "first"
    assert store.get("free") == "mine" and store.get("also-free") == {"a": 1}


def test_add_many_sets_the_expiry(store):
    add_many(store, {"short": 1}, timeout=30)
    assert 25 < seconds_left(store, "short") <= 30


def seconds_left(store, key: str) -> float:
    made = store.make_and_validate_key(key)
    if isinstance(store, RedisCache):
        return float(store._cache.get_client().ttl(made))
    return store._expire_info[made] - time.time()


def test_add_many_of_nothing_is_nothing(store):
    assert add_many(store, {}, timeout=30) == set()


def test_leases_taken_together_are_exclusive_and_freed_together(store):
    flights = SingleFlight(store, wait_seconds=1, lock_seconds=30)
    first = flights.begin_many(["a", "b"])
    assert set(first) == {"a", "b"}
    assert flights.begin_many(["a", "b", "c"]).keys() == {"c"}
    flights.finish_many([(first["a"], "answer a"), (first["b"], "answer b")])
    assert flights.begin_many(["a", "b"]).keys() == {"a", "b"}


def test_finish_many_publishes_every_result_for_the_waiters(store):
    leader = SingleFlight(store, wait_seconds=1, lock_seconds=30)
    leases = leader.begin_many(["a", "b"])
    waiter = SingleFlight(store, wait_seconds=1, lock_seconds=30, sleep=lambda _: None)
    waiter.sleep = lambda _: leader.finish_many([(leases["a"], "answer a"), (leases["b"], None)])
    assert waiter.wait(["a", "b"]) == {"a": "answer a", "b": None}


def test_the_default_cache_is_seen_behind_its_proxy():
    from django.core.cache import cache, caches

    assert cache_ops._unproxied(cache) is caches["default"]


@pytest.mark.services
def test_the_site_cache_takes_the_one_round_trip_path_on_redis(monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(RedisCache, "add", lambda *args, **kwargs: pytest.fail("one add per key"))
    assert add_many(cache, {f"flight:test:{secrets.token_hex(4)}": "token"}, timeout=5)


def test_set_many_each_keeps_each_keys_own_lifetime(store):
    set_many_each(store, {"brief": ("not found", 30), "long": ({"parcel": 1}, 3600)})
    assert store.get("brief") == "not found" and store.get("long") == {"parcel": 1}
    assert 25 < seconds_left(store, "brief") <= 30
    assert 3590 < seconds_left(store, "long") <= 3600


def test_publish_and_release_frees_only_the_locks_still_ours(store):
    store.set("lock:mine", "token-1", timeout=30)
    store.set("lock:taken-over", "someone-else", timeout=30)
    cache_ops.publish_and_release(
        store, {"result:1": {"parcel": 1}}, 15, {"lock:mine": "token-1", "lock:taken-over": "token-2"}
    )
    assert store.get("result:1") == {"parcel": 1}
    assert 10 < seconds_left(store, "result:1") <= 15
    assert store.get("lock:mine") is None
    assert store.get("lock:taken-over") == "someone-else"
