"""The order of a results page's cards: the parcels that need their recipient first, then today's, then the rest.

A customer with several parcels looks for the one waiting at a pickup point, tried and missed, held or returned
before the ones that will simply arrive; within each group the order they typed is kept (sort by this key: Python's
sort is stable).
"""

from __future__ import annotations

from carriers.model import Status
from tracking_site.presentation.what_now import NEEDS_YOU

NEEDS_YOU_FIRST, TODAY_NEXT, THE_REST = 0, 1, 2


def result_group(status: Status | None, arriving_today: bool) -> int:
    """A card's group from its parcel's status and whether it arrives today (status None: not found, failed or
    still being asked)."""
    if status in NEEDS_YOU:
        return NEEDS_YOU_FIRST
    if arriving_today:
        return TODAY_NEXT
    return THE_REST
