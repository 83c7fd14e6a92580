"""Observations from the PostPlus feed: parcels a stored page shows delivered, read back from the store."""

from __future__ import annotations

import logging

from django.db import DatabaseError

from carriers.model import Status
from carriers.postplus import FeedPage, status_for_event
from tracking_site.estimates.buffer import observe
from tracking_site.models import DeliveryObservation
from tracking_site.postplus_feed.store import stored_parcels

logger = logging.getLogger("tracking_site.estimates")


def observe_feed_page(page: FeedPage) -> int:
    """Buffer the transit times of the parcels delivered in a page just stored; how many were buffered."""
    delivered = {
        event.parcel_nr
        for event in page.items
        if event.parcel_nr and status_for_event(event.event_code, event.event_message) is Status.DELIVERED
    }
    if not delivered:
        return 0
    try:
        parcels = stored_parcels(sorted(delivered)).values()
    except DatabaseError as exc:  # the page is stored; its statistics can wait for the parcel's next lookup
        logger.warning("estimates outcome=feed_parcels_unreadable error=%s", type(exc).__name__)
        return 0
    return observe(parcels, source=DeliveryObservation.FEED)
