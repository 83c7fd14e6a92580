"""Per-key lifetimes in one call, through Django's public cache API: locally and on Redis."""

from __future__ import annotations

import secrets
import time

import pytest
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from tracking_site.shared_state.cache_ops import set_many_each
from tracking_site.shared_state.redis_client import shared_redis


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.services)])
def store(request):
    prefix = f"test-cache-ops-{secrets.token_hex(4)}"
    if request.param == "local":
        yield LocMemCache(prefix, {})
        return
    redis = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix})
    yield redis
    redis.clear()


def seconds_left(store, key: str) -> float:
    made = store.make_and_validate_key(key)
    if isinstance(store, RedisCache):
        return float(shared_redis().ttl(made))  # the raw key, read with our own client
    return store._expire_info[made] - time.time()


def test_set_many_each_keeps_each_keys_own_lifetime(store):
    set_many_each(store, {"brief": ("not found", 30), "long": ({"parcel": 1}, 3600), "too-short": ("x", 0)})
    assert store.get("brief") == "not found" and store.get("long") == {"parcel": 1}
    assert 25 < seconds_left(store, "brief") <= 30
    assert 3590 < seconds_left(store, "long") <= 3600
    assert 0 < seconds_left(store, "too-short") <= 1  # never 0, which Django reads as "do not keep"


def test_set_many_each_of_nothing_writes_nothing(store):
    set_many_each(store, {})
    assert store.get("anything") is None
