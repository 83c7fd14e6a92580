"""The carriers' rate limits shared by every worker: slots reserved atomically in Redis, or in this process.

carriers/throttle.py gates each upstream call on a `reserve(carrier)` callable; this module builds the one
the site uses from settings. With Redis (REDIS_URL) a Lua script reserves slots on the server's clock, so
all workers on all machines share one budget per carrier; with local memory one process keeps its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache

from carriers.throttle import LocalSlots, RateLimit, Reserve

# The same algorithm as carriers.throttle.next_slot, over a Redis list of the last `calls` slots (oldest
# first). Times travel as "%.6f" strings: Lua numbers sent back as replies would be cut to integers.
RESERVE_SCRIPT = """
local calls = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local now
if ARGV[4] ~= '' then
  now = tonumber(ARGV[4])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local slot = now
local count = redis.call('LLEN', KEYS[1])
if count > 0 then
  slot = math.max(slot, tonumber(redis.call('LINDEX', KEYS[1], -1)))
end
if count >= calls then
  slot = math.max(now, tonumber(redis.call('LINDEX', KEYS[1], -calls)) + window)
end
local wait = slot - now
if wait > max_wait then
  return {0, string.format('%.6f', wait), ''}
end
redis.call('RPUSH', KEYS[1], string.format('%.6f', slot))
redis.call('LTRIM', KEYS[1], -calls, -1)
redis.call('PEXPIRE', KEYS[1], math.ceil((wait + window) * 1000) + 1000)
return {1, string.format('%.6f', wait), string.format('%.6f', slot)}
"""


class RedisSlots:
    """Slots reserved in Redis by one atomic script; `clock` only for tests (the server's clock otherwise)."""

    def __init__(
        self,
        store: RedisCache,
        limits: Mapping[str, RateLimit],
        *,
        max_wait_seconds: float,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.store = store
        self.limits = dict(limits)
        self.max_wait_seconds = max_wait_seconds
        self.clock = clock
        self._script: Any = None
        self._client: Any = None

    def reserve(self, carrier: str) -> float | None:
        """Seconds to wait before calling `carrier`, or None when its budget is spent for longer than we wait."""
        allowed, wait, _slot = self.reserve_slot(carrier)
        return wait if allowed else None

    def reserve_slot(self, carrier: str) -> tuple[bool, float, float | None]:
        """(allowed, seconds to wait, the slot on the server's clock) for one call to `carrier`."""
        limit = self.limits.get(carrier)
        if limit is None:
            return True, 0.0, None
        key = self.store.make_and_validate_key(f"carrier-rate:v1:{carrier}")
        if self._script is None:
            # One client (thread-safe, pooled) for the process: Django's backend would build one per call,
            # and every upstream call of a search waits on this reservation.
            self._client = self.store._cache.get_client(key, write=True)
            self._script = self._client.register_script(RESERVE_SCRIPT)
        client = self._client
        now = "" if self.clock is None else f"{self.clock():.6f}"
        allowed, wait, slot = self._script(
            keys=[key], args=[limit.calls, limit.window_seconds, self.max_wait_seconds, now], client=client
        )
        return bool(allowed), float(wait), float(slot) if slot else None


def rate_limits_from_settings() -> dict[str, RateLimit]:
    return {carrier: RateLimit.per_second(calls) for carrier, calls in settings.CARRIER_RATE_LIMITS.items() if calls}


def reserve_from_settings(store: BaseCache | None = None) -> Reserve:
    """The reservation every carrier transport of this process asks before calling out."""
    store = store or caches["default"]
    limits = rate_limits_from_settings()
    max_wait = float(settings.CARRIER_RATE_MAX_WAIT_SECONDS)
    if isinstance(store, RedisCache):
        return RedisSlots(store, limits, max_wait_seconds=max_wait).reserve
    return LocalSlots(limits, max_wait_seconds=max_wait).reserve
