"""OAuth tokens shared through the cache, with a process-local copy that never outlives the token."""

from __future__ import annotations

from django.core.cache import cache

from carriers.oauth import AccessToken
from tests.clocks import FakeClock
from tracking_site.shared_state.token_store import CacheTokenStore

KEY = "oauth:nzpost:demo-client"


def token(value: str, refresh_at: float = 1_600.0) -> AccessToken:
    return AccessToken(value=value, expires_at=refresh_at + 60, refresh_at=refresh_at)


def test_a_token_one_worker_stores_is_seen_by_another():
    CacheTokenStore().set(KEY, token("shared"), ttl_seconds=600)
    assert CacheTokenStore().get(KEY) == token("shared")


def test_the_local_copy_answers_without_the_cache_until_refresh_time():
    clock = FakeClock(1_000.0)
    store = CacheTokenStore(clock=clock)
    store.set(KEY, token("mine"), ttl_seconds=600)
    cache.delete(KEY)  # the shared copy is gone (evicted, say) ...
    assert store.get(KEY) == token("mine")  # ... the local copy still serves
    clock.now = 1_600.0  # refresh time: the local copy is no longer trusted
    assert store.get(KEY) is None


def test_a_missing_local_copy_is_filled_from_the_cache():
    clock = FakeClock(1_000.0)
    CacheTokenStore(clock=clock).set(KEY, token("from-elsewhere"), ttl_seconds=600)
    store = CacheTokenStore(clock=clock)
    assert store.get(KEY) == token("from-elsewhere")
    cache.delete(KEY)
    assert store.get(KEY) == token("from-elsewhere")  # now kept locally


def test_deleting_a_rejected_token_forgets_it_everywhere():
    store = CacheTokenStore()
    store.set(KEY, token("rejected"), ttl_seconds=600)
    store.delete(KEY)
    assert cache.get(KEY) is None and store.get(KEY) is None


def test_deleting_keeps_a_newer_token_another_worker_stored():
    mine, theirs = CacheTokenStore(), CacheTokenStore()
    mine.set(KEY, token("old"), ttl_seconds=600)
    theirs.set(KEY, token("new"), ttl_seconds=600)
    mine.delete(KEY)  # our old copy was rejected
    assert mine.get(KEY) == token("new")
