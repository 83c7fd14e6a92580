"""The observation buffer on the lookup path: cache only, once per parcel, no tracking number in it."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from carriers.model import Status
from tests.tracking_site.estimates.helpers import CountingCache, delivered_parcel, lane_of_parcels
from tracking_site.estimates.buffer import NEXT_SLOT, decode, encode, observe, slot_key, take_buffered
from tracking_site.estimates.observations import observation_of

# No database in these tests: pytest-django makes any query fail, so observing provably never touches it.


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.services)])
def store(request):
    """A cache of the test's own: in local memory, and (`make test-services`) on Redis, where incr is atomic."""
    prefix = f"test-estimates-{secrets.token_hex(4)}"
    if request.param == "local":
        yield LocMemCache(prefix, {})
        return
    redis = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix})
    yield redis
    client = redis._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def raw_contents(store) -> bytes:
    """Every key and stored value as bytes, as the backend holds them."""
    if isinstance(store, LocMemCache):
        return b"".join(key.encode() + value for key, value in store._cache.items())
    client = store._cache.get_client()
    return b"".join(key + (client.get(key) or b"") for key in client.scan_iter(f"{store.key_prefix}:*"))


def test_delivered_parcels_are_buffered_once_each(store):
    parcels = lane_of_parcels(3)
    assert observe(parcels, store=store) == 3
    assert observe(parcels, store=store) == 0  # looked up again: already counted
    assert observe([*parcels, *lane_of_parcels(4)], store=store) == 1
    taken = take_buffered(store)
    assert sorted(obs.transit_seconds // 3600 for obs in taken) == [72, 73, 74, 75]
    assert take_buffered(store) == []  # taken means gone


def test_parcels_not_delivered_cost_no_cache_call():
    store = CountingCache()
    in_transit = replace(delivered_parcel("LB123456785EE", timedelta(hours=30)), status=Status.IN_TRANSIT)
    assert observe([in_transit], store=store) == 0
    assert store.calls == 0


def test_no_tracking_number_reaches_the_buffer(store):
    parcels = lane_of_parcels(5)
    observe(parcels, store=store)
    stored = raw_contents(store)
    for parcel in parcels:
        assert parcel.tracking_number.encode() not in stored
        assert parcel.tracking_number.lower().encode() not in stored
    assert b"Tallinn" not in stored and b"London" not in stored  # no places either: only lane and duration
    slots = [store.get(slot_key(slot)) for slot in range(1, 6)]
    assert len([obs for value in slots if (obs := decode(value))]) == 5  # what was searched for is really there


def test_a_slot_reserved_but_written_after_a_take_is_taken_the_next_time(store):
    late = observation_of(delivered_parcel("LB000000001EE", timedelta(hours=50)), "lookup")
    assert late is not None
    store.add(NEXT_SLOT, 0)
    store.incr(NEXT_SLOT)  # another worker reserved slot 1 ...
    assert take_buffered(store) == []  # ... a flush passes before it writes ...
    store.set(slot_key(1), encode(late))  # ... then it writes
    assert take_buffered(store) == [late]


def test_a_failing_cache_loses_the_statistic_not_the_lookup(caplog):
    class BrokenCache(LocMemCache):
        def get_many(self, keys, version=None):
            raise ConnectionError("cache down")

    assert observe(lane_of_parcels(2), store=BrokenCache(f"broken-{uuid.uuid4()}", {})) == 0
    assert "estimates outcome=observe_failed error=ConnectionError" in caplog.text


def test_unreadable_slots_are_skipped():
    assert decode(("too", "short")) is None
    assert decode("not a tuple") is None
    assert decode(("k", "postplus", "", "GB", "many", "2026-11-05", "lookup")) is None
