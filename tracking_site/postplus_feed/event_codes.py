"""PostPlus's event codes: fetched from the API, kept in the shared cache, and turned into statuses."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.cache import cache

from carriers.base import CarrierUnavailable
from carriers.model import Status
from carriers.postplus import PostPlusClient, status_for_event

logger = logging.getLogger("tracking_site.postplus_feed.event_codes")

CACHE_KEY = "postplus:event-codes:v1"
# After a failed fetch, the public pages stop asking for this long (the keyword fallback still works).
FAILURE_CACHE_KEY = "postplus:event-codes:failed"
FAILURE_BACKOFF_SECONDS = 60


def event_codes(client: PostPlusClient) -> dict[str, str]:
    """Code → standard message, from the cache or the API; CarrierUnavailable when neither has them."""
    cached = cache.get(CACHE_KEY)
    if isinstance(cached, dict):
        return cached
    codes = client.fetch_event_codes()
    cache.set(CACHE_KEY, codes, timeout=settings.POSTPLUS_EVENT_CODES_SECONDS)
    cache.delete(FAILURE_CACHE_KEY)
    return codes


def statuses_for_codes(codes: Mapping[str, str]) -> dict[str, Status]:
    """A status for each listed code whose standard message names one (through the keyword fallback).

    The list gives only code → message, so a code we do not know reads like its own message; codes whose
    message says nothing we recognise are left out, so an event's own message can still decide.
    """
    statuses: dict[str, Status] = {}
    for code, message in codes.items():
        status = status_for_event("", message)
        if status is not Status.UNKNOWN:
            statuses[code.strip().upper()] = status
    return statuses


def extra_code_statuses(client: PostPlusClient) -> dict[str, Status]:
    """The statuses of PostPlus's listed codes for status_for_event; empty when the list is unavailable."""
    if cache.get(FAILURE_CACHE_KEY):
        return {}
    try:
        return statuses_for_codes(event_codes(client))
    except CarrierUnavailable as exc:
        logger.warning("carrier=postplus outcome=event_codes_unavailable reason=%s", exc.reason.value)
        cache.set(FAILURE_CACHE_KEY, True, timeout=FAILURE_BACKOFF_SECONDS)
        return {}
