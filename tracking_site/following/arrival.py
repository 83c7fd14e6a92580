"""The day a followed parcel arrives, as calendar entries and messages tell it.

The seam for estimates: today this is the carrier's own expected day. Where the carrier gives none, the
delivery estimate (tracking_site/estimates/, learned from delivered parcels of the same lane) belongs in
`expected_day`; the calendar entry and every message pick it up from here.
"""

from __future__ import annotations

from datetime import date, datetime

from carriers.model import Parcel
from tracking_site.presentation.local_times import where_it_happened, zone_for_utc_times


def expected_day(parcel: Parcel) -> date | None:
    """The day the parcel is expected (None once delivered or returned, or when nobody can say)."""
    return parcel.expected_delivery


def delivered_day(parcel: Parcel) -> date | None:
    """The day it was delivered, where it was delivered."""
    if parcel.delivered_at is None:
        return None
    return local_moment(parcel, parcel.delivered_at).date()


def local_moment(parcel: Parcel, moment: datetime) -> datetime:
    return where_it_happened(moment, zone_for_utc_times(parcel))
