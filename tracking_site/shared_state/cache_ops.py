"""Cache operations Django's cache API lacks, done in one round trip where the backend allows it.

A cold 25-number search takes and frees a single-flight lock per number; one Redis round trip each was
most of the site's own time on top of the carriers' (bench figure 2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.connection import ConnectionProxy

from tracking_site.resilience.redis_cache import ResilientRedisCache

Answer = TypeVar("Answer")


def add_many(store: BaseCache, values: Mapping[str, Any], timeout: int) -> set[str]:
    """Store each value only where its key is absent (like `add`); return the keys this call stored."""
    if not values:
        return set()
    backend = _unproxied(store)
    if isinstance(backend, RedisCache):
        return _on_redis(
            backend,
            lambda: _redis_add_many(backend, values, timeout),
            lambda: {key for key, value in values.items() if backend.add(key, value, timeout=timeout)},
        )
    return {key for key, value in values.items() if backend.add(key, value, timeout=timeout)}


def set_many_each(store: BaseCache, entries: Mapping[str, tuple[Any, int]]) -> None:
    """`set_many` where every key has its own lifetime: {key: (value, timeout in seconds)}."""
    if not entries:
        return
    backend = _unproxied(store)
    if isinstance(backend, RedisCache):

        def pipelined() -> None:
            client = backend._cache.get_client(write=True)
            pipeline = client.pipeline(transaction=False)
            for key, (value, timeout) in entries.items():
                pipeline.set(
                    backend.make_and_validate_key(key), backend._cache._serializer.dumps(value), ex=max(timeout, 1)
                )
            pipeline.execute()

        _on_redis(backend, pipelined, lambda: None)
        return
    by_timeout: dict[int, dict[str, Any]] = {}
    for key, (value, timeout) in entries.items():
        by_timeout.setdefault(timeout, {})[key] = value
    for timeout, batch in by_timeout.items():
        backend.set_many(batch, timeout=timeout)


# Delete a key only while it still holds the value we put there (a lock we still own).
_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def publish_and_release(store: BaseCache, published: Mapping[str, Any], timeout: int, held: Mapping[str, str]) -> None:
    """Store `published` for `timeout` seconds, then delete each `held` lock key still holding its token.

    On Redis: one round trip, each release atomic. Elsewhere (one process): get, compare, delete.
    """
    backend = _unproxied(store)
    if isinstance(backend, RedisCache):

        def pipelined() -> None:
            serializer = backend._cache._serializer
            client = backend._cache.get_client(write=True)
            release = client.register_script(_RELEASE_SCRIPT)
            pipeline = client.pipeline(transaction=False)
            for key, value in published.items():
                pipeline.set(backend.make_and_validate_key(key), serializer.dumps(value), ex=max(timeout, 1))
            for key, token in held.items():
                release(keys=[backend.make_and_validate_key(key)], args=[serializer.dumps(token)], client=pipeline)
            pipeline.execute()

        _on_redis(backend, pipelined, lambda: None)
        return
    if published:
        backend.set_many(dict(published), timeout=timeout)
    current = backend.get_many(list(held)) if held else {}
    ours = [key for key, token in held.items() if current.get(key) == token]
    if ours:
        backend.delete_many(ours)


def _on_redis(backend: RedisCache, pipelined: Callable[[], Answer], otherwise: Callable[[], Answer]) -> Answer:
    """A pipelined Redis operation, or `otherwise` while the resilient backend finds Redis unavailable."""
    if isinstance(backend, ResilientRedisCache):
        return backend.outage.guard(pipelined, otherwise)
    return pipelined()


def _unproxied(store: BaseCache) -> BaseCache:
    """`django.core.cache.cache` is a proxy to the default cache: look behind it to see the backend."""
    if isinstance(store, ConnectionProxy):
        return caches[store._alias]
    return store


def _redis_add_many(store: RedisCache, values: Mapping[str, Any], timeout: int) -> set[str]:
    """SET NX EX for every key in one pipeline, through Django's own key making and serializer.

    Leans on RedisCache's client (`_cache`), as its own `add` does; the services tests run it against Redis.
    """
    backend = store._cache
    client = backend.get_client(write=True)
    pipeline = client.pipeline(transaction=False)
    for key, value in values.items():
        pipeline.set(store.make_and_validate_key(key), backend._serializer.dumps(value), ex=max(timeout, 1), nx=True)
    return {key for key, stored in zip(values, pipeline.execute(), strict=True) if stored}
