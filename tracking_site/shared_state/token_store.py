"""OAuth tokens kept in Django's cache, so every worker process (and machine, with Redis) shares one."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache

from carriers.oauth import AccessToken


class CacheTokenStore:
    """carriers.oauth.TokenStore over Django's default cache, with a copy in this process.

    Every carrier call needs the token; the process-local copy saves a cache round trip per call and is
    used only until the token's own refresh time (wall clock, the same on every worker).
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._local: dict[str, AccessToken] = {}
        self._clock = clock

    def get(self, key: str) -> AccessToken | None:
        kept = self._local.get(key)
        if kept is not None and self._clock() < kept.refresh_at:
            return kept
        value = cache.get(key)
        if isinstance(value, AccessToken):
            self._local[key] = value
            return value
        self._local.pop(key, None)
        return None

    def set(self, key: str, token: AccessToken, ttl_seconds: float) -> None:
        cache.set(key, token, timeout=max(int(ttl_seconds), 1))
        self._local[key] = token

    def delete(self, key: str) -> None:
        """Forget a rejected token; a different one in the shared cache is another worker's newer token."""
        forgotten = self._local.pop(key, None)
        shared = cache.get(key)
        if forgotten is None or shared is None or shared == forgotten:
            cache.delete(key)
