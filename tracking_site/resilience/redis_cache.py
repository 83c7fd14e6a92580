"""Django's Redis cache, for which a dead or paused Redis is a cache miss, never an exception.

`ResilientRedisCache` is `django.core.cache.backends.redis.RedisCache` with every operation guarded: a connection
error or timeout (short ones: `socket_connect_timeout` and `socket_timeout` in OPTIONS) hands the operation to a
fallback instead, and while Redis is known to be down (`RedisOutage`) the fallback answers at once without asking.
The `FALLBACK` entry of the cache's settings chooses it:

- "skip" (the default): Django's DummyCache, so reads miss and writes are dropped; the site asks the carriers
  (within their budgets) and answers as it would on a cold cache;
- "local": a local-memory cache of this process, for counters that must go on counting (visitors' rate limits).

When Redis answers again, the next operations use it again by themselves.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from tracking_site.resilience.redis_outage import RedisOutage, outage_for

SKIP, LOCAL = "skip", "local"


class ResilientRedisCache(RedisCache):
    """RedisCache whose failures become the fallback's answers (misses, dropped writes, or local memory)."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.fallback_mode = params.get("FALLBACK", SKIP)
        if self.fallback_mode not in (SKIP, LOCAL):
            raise ValueError(f"FALLBACK must be {SKIP!r} or {LOCAL!r}")
        # Local memory keeps nothing of Redis's connection options; its name makes every thread share one store.
        local_params = {key: value for key, value in params.items() if key not in ("OPTIONS", "FALLBACK")}
        self.fallback: BaseCache = (
            LocMemCache(f"redis-fallback:{self._servers[0]}", local_params)
            if self.fallback_mode == LOCAL
            else DummyCache(server, local_params)
        )
        self.outage: RedisOutage = outage_for(self._servers[0])

    def _guarded(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        return self.outage.guard(
            lambda: getattr(RedisCache, operation)(self, *args, **kwargs),
            lambda: getattr(self.fallback, operation)(*args, **kwargs),
        )

    # Every operation RedisCache implements; BaseCache builds the rest (get_or_set, decr, the async ones) on these.
    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        return self._guarded("clear")
