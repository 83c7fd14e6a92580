"""Delivered parcels on one lane, with transit times a test chooses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.core.cache.backends.locmem import LocMemCache

from carriers.model import Parcel, Place, Status, TrackingEvent, parcel_from_events

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def delivered_parcel(number: str, transit: timedelta, *, carrier: str = "postplus", country: str = "GB") -> Parcel:
    """Announced a day before its first scan, delivered `transit` after that scan."""
    return parcel_from_events(
        carrier=carrier,
        tracking_number=number,
        destination_country=country,
        events=[
            TrackingEvent(START - timedelta(days=1), Status.INFO_RECEIVED, "Parcel data received"),
            TrackingEvent(START, Status.IN_TRANSIT, "Parcel accepted at PostPlus hub", Place(city="Tallinn")),
            TrackingEvent(START + transit, Status.DELIVERED, "Parcel delivered", Place(city="London")),
        ],
    )


def lane_of_parcels(count: int, hours: float = 72.0, **lane: str) -> list[Parcel]:
    """`count` delivered parcels, the i-th taking `hours` + i hours."""
    return [delivered_parcel(f"LB{index:09d}EE", timedelta(hours=hours + index), **lane) for index in range(count)]


class CountingCache(LocMemCache):
    """A local-memory cache of its own (local-memory caches of one name share their store) counting round trips."""

    def __init__(self) -> None:
        super().__init__(f"counting-{uuid.uuid4()}", {})
        self.calls = 0

    def get_many(self, keys, version=None):
        self.calls += 1
        return super().get_many(keys, version)

    def incr(self, key, delta=1, version=None):
        self.calls += 1
        return super().incr(key, delta, version)

    def add(self, key, value, timeout=None, version=None):
        self.calls += 1
        return super().add(key, value, timeout, version)
