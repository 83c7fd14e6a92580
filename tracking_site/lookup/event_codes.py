"""PostPlus's event codes: fetched from the API, kept in the shared cache, and turned into statuses.

The PostPlus client is built with `extra_code_statuses` (clients.py), so codes PostPlus adds later still read as a
status; the feed store and the import command read the same list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache

from carriers.base import CarrierUnavailable
from carriers.model import Status
from carriers.postplus import EventCode, PostPlusClient, code_list_statuses
from tracking_site.tuning import Count, Section

logger = logging.getLogger("tracking_site.lookup.event_codes")

# v2: each code keeps its milestone flags (v1 held code → message only).
CACHE_KEY = "postplus:event-codes:v2"
# After a failed fetch, the public pages stop asking for this long (the keyword fallback still works).
FAILURE_CACHE_KEY = "postplus:event-codes:failed"
FAILURE_BACKOFF_SECONDS = 60


@dataclass(frozen=True)
class EventCodesTuning:
    keep_seconds: Count = 24 * 3600  # PostPlus's event code list is kept in the shared cache this long


EVENT_CODES = Section("event_codes", EventCodesTuning)


def event_codes(client: PostPlusClient) -> dict[str, EventCode]:
    """Code → EventCode, from the cache or the API; CarrierUnavailable when neither has them."""
    cached = cache.get(CACHE_KEY)
    if isinstance(cached, dict):
        return cached
    codes = client.fetch_event_codes()
    cache.set(CACHE_KEY, codes, timeout=EVENT_CODES.current().keep_seconds)
    cache.delete(FAILURE_CACHE_KEY)
    return codes


def extra_code_statuses(client: PostPlusClient) -> dict[str, Status]:
    """The statuses of PostPlus's listed codes (flags first, then their messages); empty when unavailable."""
    if cache.get(FAILURE_CACHE_KEY):
        return {}
    try:
        return code_list_statuses(event_codes(client))
    except CarrierUnavailable as exc:
        logger.warning("carrier=postplus outcome=event_codes_unavailable reason=%s", exc.reason.value)
        cache.set(FAILURE_CACHE_KEY, True, timeout=FAILURE_BACKOFF_SECONDS)
        return {}
