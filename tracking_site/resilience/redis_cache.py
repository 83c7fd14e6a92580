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

import re
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from tracking_site.resilience.redis_outage import RedisOutage, outage_for

SKIP, LOCAL = "skip", "local"


def _guarded(operation: str) -> Callable[..., Any]:
    """RedisCache's `operation`, answered by the fallback when Redis fails or is known to be down."""

    def guarded(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self.outage.guard(
            lambda: getattr(RedisCache, operation)(self, *args, **kwargs),
            lambda: getattr(self.fallback, operation)(*args, **kwargs),
        )

    guarded.__name__ = operation
    return guarded


class ResilientRedisCache(RedisCache):
    """RedisCache whose failures become the fallback's answers (misses, dropped writes, or local memory)."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        # The first server names this cache's outage and fallback (split as RedisCache splits LOCATION).
        first = (server if isinstance(server, list) else re.split("[;,]", server))[0]
        self.fallback_mode = params.get("FALLBACK", SKIP)
        if self.fallback_mode not in (SKIP, LOCAL):
            raise ValueError(f"FALLBACK must be {SKIP!r} or {LOCAL!r}")
        # Local memory keeps nothing of Redis's connection options; its name makes every thread share one store.
        local_params = {key: value for key, value in params.items() if key not in ("OPTIONS", "FALLBACK")}
        self.fallback: BaseCache = (
            LocMemCache(f"redis-fallback:{first}", local_params)
            if self.fallback_mode == LOCAL
            else DummyCache(server, local_params)
        )
        self.outage: RedisOutage = outage_for(first)

    # Every operation RedisCache implements; BaseCache builds the rest (get_or_set, decr, the async ones) on these.
    add = _guarded("add")
    get = _guarded("get")
    set = _guarded("set")
    touch = _guarded("touch")
    delete = _guarded("delete")
    get_many = _guarded("get_many")
    has_key = _guarded("has_key")
    incr = _guarded("incr")
    set_many = _guarded("set_many")
    delete_many = _guarded("delete_many")
    clear = _guarded("clear")
