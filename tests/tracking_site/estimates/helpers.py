"""Delivered parcels on one lane, with transit times a test chooses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
