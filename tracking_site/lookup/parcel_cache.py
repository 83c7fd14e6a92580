"""The parcel cache: normalized results in Django's cache, fresh for a short while, stale for longer.

A fresh entry answers without asking the carrier. An entry past its fresh TTL is still kept for the
stale window, to be shown (marked stale) when the carrier fails. "Not found" is kept only briefly, and
carrier failures are never stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from carriers.model import Found, NotFound, Status, TrackingResult
from tracking_site.estimates import observe
from tracking_site.shared_state.cache_ops import set_many_each
from tracking_site.tuning import Count, Section

Now = Callable[[], datetime]


@dataclass(frozen=True)
class CachedResult:
    result: TrackingResult
    fetched_at: datetime
    fresh_until: datetime
    stale: bool = False

    @classmethod
    def now(cls, result: TrackingResult, now: Now = timezone.now) -> CachedResult:
        moment = now()
        return cls(result=result, fetched_at=moment, fresh_until=moment)

    def is_fresh(self, now: Now = timezone.now) -> bool:
        return not self.stale and now() < self.fresh_until

    def as_stale(self) -> CachedResult:
        return replace(self, stale=True)


@dataclass(frozen=True)
class ParcelCacheTuning:
    """How long an answer is reused (tuning section `parcel_cache`, seconds)."""

    fresh_seconds: Count = 60  # a parcel's answer is reused this long ...
    delivered_seconds: Count = 6 * 3600  # ... and this long once delivered
    not_found_seconds: Count = 30  # "not found" is remembered only briefly
    stale_seconds: Count = 24 * 3600  # an old answer is kept this long, shown (marked) when the carrier fails


PARCEL_CACHE = Section("parcel_cache", ParcelCacheTuning)


def cache_key(carrier: str, number: str) -> str:
    return f"parcel:v2:{carrier}:{number}"


def fresh_seconds(result: TrackingResult) -> int:
    """How long an answer is served without asking the carrier again."""
    tuned = PARCEL_CACHE.current()
    if isinstance(result, NotFound):
        return tuned.not_found_seconds
    if isinstance(result, Found) and result.parcel.status is Status.DELIVERED:
        return tuned.delivered_seconds
    return tuned.fresh_seconds


def get(carrier: str, number: str) -> CachedResult | None:
    value = cache.get(cache_key(carrier, number))
    return value if isinstance(value, CachedResult) else None


def get_many(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], CachedResult]:
    """The cached answers for many (carrier, number) pairs in one cache round trip; absent pairs are left out."""
    keys = {cache_key(carrier, number): (carrier, number) for carrier, number in pairs}
    found = cache.get_many(list(keys))
    return {keys[key]: value for key, value in found.items() if isinstance(value, CachedResult)}


def put(carrier: str, result: Found | NotFound, now: Now = timezone.now) -> CachedResult:
    """Store a carrier's answer; found parcels stay around for the stale window, not-found ones do not."""
    return put_many([(carrier, result)], now)[0]


def put_many(answers: Sequence[tuple[str, Found | NotFound]], now: Now = timezone.now) -> list[CachedResult]:
    """`put` for many (carrier, answer) pairs, each keeping its own lifetime: one cache round trip per lifetime."""
    moment = now()
    entries: list[CachedResult] = []
    stored: dict[str, tuple[CachedResult, int]] = {}
    for carrier, result in answers:
        fresh = fresh_seconds(result)
        entry = CachedResult(result=result, fetched_at=moment, fresh_until=moment + timedelta(seconds=fresh))
        keep = fresh if isinstance(result, NotFound) else fresh + PARCEL_CACHE.current().stale_seconds
        stored[cache_key(carrier, result.tracking_number)] = (entry, keep)
        entries.append(entry)
    set_many_each(cache, stored)
    observe(result.parcel for _, result in answers if isinstance(result, Found))
    return entries
