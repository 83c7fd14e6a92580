"""The timeline: scans grouped by the day they happened there, one time each, said in the visitor's language where
we know what a scan's code means (the carrier's own words beside ours), else in the carrier's words made readable."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from carriers.model import Parcel, Status
from tracking_site.presentation.carrier_text import (
    carrier_language,
    foreign_language,
    place_case,
    says_the_same,
    sentence_case,
)
from tracking_site.presentation.event_meanings import our_words
from tracking_site.presentation.headline import scanned
from tracking_site.presentation.local_times import clock_text, long_date, where_it_happened, zone_for_utc_times
from tracking_site.presentation.status_words import TODAY, YESTERDAY, status_label


@dataclass(frozen=True)
class TimelineEvent:
    clock: str  # '14:31 CDT'
    iso: str
    status: Status
    description: str  # our words where we know what it means (event_meanings.our_words), else the carrier's
    lang: str  # the language of `description` where it is not the page's (the carrier's text), else ""
    place: str
    original: str = ""  # the carrier's own words beside ours; "" when we said none or they say the same
    original_lang: str = ""  # the carrier's language: the original is a quotation, always marked


@dataclass(frozen=True)
class TimelineDay:
    heading: str  # 'Tuesday 1 December'
    relative: str  # 'today', 'yesterday' or "": left out in print
    iso: str
    events: list[TimelineEvent] = field(default_factory=list)


def timeline_days(parcel: Parcel, now: datetime, page_language: str) -> list[TimelineDay]:
    """Newest day first; a day is a local date where its scans happened, so zones never split a scan's day."""
    utc_zone = zone_for_utc_times(parcel)
    lang = foreign_language(parcel.carrier, page_language)
    days: list[TimelineDay] = []
    for event in parcel.events:
        local = where_it_happened(event.occurred_at, utc_zone)
        day = local.date()
        if not days or days[-1].iso != day.isoformat():
            today = now.astimezone(local.tzinfo).date()
            days.append(TimelineDay(long_date(day, today), _relative_day(day, today), day.isoformat()))
        place = place_case(event.place.label) if scanned(event) else ""
        said = sentence_case(event.description, names=place) if event.description else ""
        meaning = our_words(parcel.carrier, event, page_language)
        original = said if meaning and said and not says_the_same(meaning, said) else ""
        days[-1].events.append(
            TimelineEvent(
                clock=clock_text(local),
                iso=local.isoformat(),
                status=event.status,
                description=meaning or said or status_label(event.status),
                lang=lang if said and not meaning else "",
                place=place,
                original=original,
                original_lang=carrier_language(parcel.carrier) if original else "",
            )
        )
    return days


def _relative_day(day: date, today: date) -> str:
    distance = (today - day).days
    return str(TODAY) if distance == 0 else str(YESTERDAY) if distance == 1 else ""
