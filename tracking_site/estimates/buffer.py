"""The observation buffer: delivered parcels noted on the lookup path, in the cache, until the next flush.

The cache API has no list, so each observation takes a numbered slot: `incr` on a counter reserves slots
(atomic on Redis and in local memory), the flush reads every slot after the last one it took. A slot reserved
but not yet written when a flush passes gets one more look at the next flush. Losing an observation to a
cache failure costs a statistic one parcel; it never costs a visitor an answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.core.cache import BaseCache, cache

from carriers.model import Parcel
from tracking_site.estimates.observations import Lane, Observation, observation_of
from tracking_site.shared_state.cache_ops import set_many_each

logger = logging.getLogger("tracking_site.estimates")

NEXT_SLOT = "estimates:v1:buffer:next"
TAKEN_SLOT = "estimates:v1:buffer:taken"
LATE_SLOTS = "estimates:v1:buffer:late"
SLOT_SECONDS = 2 * 24 * 3600  # a buffer nobody flushes for two days is given up
SEEN_SECONDS = 7 * 24 * 3600  # a delivered parcel looked up again this week is not noted again
MOST_SLOTS_PER_FLUSH = 5000

Encoded = tuple[str, str, str, str, int, str, str]
ENCODED_FIELDS = 7


def slot_key(slot: int) -> str:
    return f"estimates:v1:buffer:{slot}"


def seen_key(parcel_key: str) -> str:
    return f"estimates:v1:seen:{parcel_key}"


def encode(observation: Observation) -> Encoded:
    """Plain values, so a buffer written by one release is read by the next."""
    lane = observation.lane
    return (
        observation.parcel_key,
        lane.carrier,
        lane.service,
        lane.destination,
        observation.transit_seconds,
        observation.delivered_on.isoformat(),
        observation.source,
    )


def decode(value: object) -> Observation | None:
    """The observation in a slot, or None for anything a release could not read."""
    if not isinstance(value, tuple) or len(value) != ENCODED_FIELDS:
        return None
    key, carrier, service, destination, seconds, delivered_on, source = value
    try:
        lane = Lane(str(carrier), str(service), str(destination))
        return Observation(str(key), lane, int(seconds), date.fromisoformat(str(delivered_on)), str(source))
    except (TypeError, ValueError):
        return None


def observe(parcels: Iterable[Parcel], *, source: str = "lookup", store: BaseCache = cache) -> int:
    """Buffer the transit time of each delivered parcel not noted before; how many were buffered.

    At most three cache round trips, none when no parcel is delivered; cache errors are logged, never raised.
    """
    found = {obs.parcel_key: obs for parcel in parcels if (obs := observation_of(parcel, source))}
    if not found:
        return 0
    try:
        seen = store.get_many([seen_key(key) for key in found])
        new = [obs for key, obs in found.items() if seen_key(key) not in seen]
        if not new:
            return 0
        store.add(NEXT_SLOT, 0, timeout=None)
        last = store.incr(NEXT_SLOT, len(new))
        entries: dict[str, tuple[object, int]] = {}
        for slot, observation in zip(range(last - len(new) + 1, last + 1), new, strict=True):
            entries[slot_key(slot)] = (encode(observation), SLOT_SECONDS)
            entries[seen_key(observation.parcel_key)] = (True, SEEN_SECONDS)
        set_many_each(store, entries)
    except Exception as exc:  # any cache backend's failure: a statistic must never fail a lookup
        logger.warning("estimates outcome=observe_failed error=%s", type(exc).__name__)
        return 0
    return len(new)


def take_buffered(store: BaseCache = cache) -> list[Observation]:
    """Every observation buffered since the last take, removed from the buffer."""
    last = int(store.get(NEXT_SLOT) or 0)
    taken = int(store.get(TAKEN_SLOT) or 0)
    if taken > last:  # the counter was lost (a restarted cache) and counts from zero again
        taken = 0
    late = [slot for slot in store.get(LATE_SLOTS) or [] if isinstance(slot, int)]
    upto = min(last, taken + MOST_SLOTS_PER_FLUSH)
    fresh = list(range(taken + 1, upto + 1))
    keys = [slot_key(slot) for slot in late + fresh]
    values = store.get_many(keys) if keys else {}
    store.set_many(
        {TAKEN_SLOT: upto, LATE_SLOTS: [slot for slot in fresh if slot_key(slot) not in values]}, timeout=None
    )
    if values:
        store.delete_many(list(values))
    return [obs for value in values.values() if (obs := decode(value))]
