"""OAuth tokens kept in Django's cache, so every worker process (and machine, with Redis) shares one."""

from __future__ import annotations

from django.core.cache import cache

from carriers.oauth import AccessToken


class CacheTokenStore:
    """carriers.oauth.TokenStore over Django's default cache."""

    def get(self, key: str) -> AccessToken | None:
        value = cache.get(key)
        return value if isinstance(value, AccessToken) else None

    def set(self, key: str, token: AccessToken, ttl_seconds: float) -> None:
        cache.set(key, token, timeout=max(int(ttl_seconds), 1))

    def delete(self, key: str) -> None:
        cache.delete(key)
