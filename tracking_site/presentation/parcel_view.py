"""What a parcel page shows, worked out once: milestones, status words, honest times, last update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import dateformat

from carriers.model import Parcel, Place, Status
from tracking_site.presentation.local_times import ShownTime, relative_text, shown_time, zone_for_utc_times
from tracking_site.presentation.milestones import MilestoneStep, milestone_steps
from tracking_site.presentation.status_words import status_label


@dataclass(frozen=True)
class EventView:
    time: ShownTime
    status: Status
    status_label: str
    description: str  # as the carrier wrote it
    place: Place


@dataclass(frozen=True)
class ParcelView:
    status: Status
    status_label: str
    steps: list[MilestoneStep]
    events: list[EventView]
    delivered: ShownTime | None
    expected_delivery: date | None
    expected_delivery_text: str
    last_updated: str  # '3 minutes ago', empty when unknown


def build_parcel_view(parcel: Parcel, *, now: datetime, fetched_at: datetime | None = None) -> ParcelView:
    """The parcel page's view model; `now` is injected so pages and tests agree on 'N minutes ago'."""
    utc_zone = zone_for_utc_times(parcel)
    events = [
        EventView(
            time=shown_time(event.occurred_at, now, utc_zone),
            status=event.status,
            status_label=status_label(event.status),
            description=event.description or status_label(event.status),
            place=event.place,
        )
        for event in parcel.events
    ]
    return ParcelView(
        status=parcel.status,
        status_label=status_label(parcel.status),
        steps=milestone_steps(parcel),
        events=events,
        delivered=shown_time(parcel.delivered_at, now, utc_zone) if parcel.delivered_at else None,
        expected_delivery=parcel.expected_delivery,
        expected_delivery_text=dateformat.format(parcel.expected_delivery, "l j F Y")
        if parcel.expected_delivery
        else "",
        last_updated=relative_text(fetched_at, now) if fetched_at else "",
    )
