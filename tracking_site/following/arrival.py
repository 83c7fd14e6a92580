"""The day a followed parcel arrives, as calendar entries and messages tell it.

Messages speak of the carrier's own expected day only (an estimate moves with every parcel the site sees
delivered: announcing each move would be noise); the calendar entry spans the estimated days
(tracking_site/estimates/, learned from delivered parcels of the same lane) where the carrier gives none.
"""

from __future__ import annotations

from datetime import date, datetime

from carriers.model import Parcel
from tracking_site.presentation.arrival import expected_delivery_of
from tracking_site.presentation.local_times import where_it_happened, zone_for_utc_times


def expected_days(parcel: Parcel) -> tuple[date, date] | None:
    """The first and last day it may arrive: the carrier's day, else the lane's estimate (read from the cache)."""
    expected = expected_delivery_of(parcel)
    return (expected.earliest, expected.latest) if expected is not None else None


def delivered_day(parcel: Parcel) -> date | None:
    """The day it was delivered, where it was delivered."""
    if parcel.delivered_at is None:
        return None
    return local_moment(parcel, parcel.delivered_at).date()


def local_moment(parcel: Parcel, moment: datetime) -> datetime:
    return where_it_happened(moment, zone_for_utc_times(parcel))
