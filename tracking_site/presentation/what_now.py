"""What to do now, for parcels that need their recipient: where, until when, what the carrier said, its page.

And handovers: a PostPlus parcel that another carrier delivers names that carrier and its number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from carriers.model import Parcel, Status, TrackingEvent
from tracking_site.presentation.carrier_links import CarrierPage, last_mile_page, public_tracking_page
from tracking_site.presentation.carrier_text import foreign_language, place_case, sentence_case
from tracking_site.presentation.local_times import day_words, where_it_happened, zone_for_utc_times
from tracking_site.presentation.status_words import WHAT_NOW_ADVICE, WHAT_NOW_LINK, carrier_name

NEEDS_YOU = tuple(WHAT_NOW_ADVICE)

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
# "collect by 12 December", "until Friday 12 Dec 2026", "before December 12", "by 2026-12-12".
DEADLINE = re.compile(
    r"\b(?:by|until|before|no later than)\s+(?:[a-z]+day,?\s+)?(?:the\s+)?"
    r"(?:(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>[a-z]{3,9})\.?(?:,?\s+(?P<year>\d{4}))?"
    r"|(?P<month2>[a-z]{3,9})\.?\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year2>\d{4}))?)\b",
    re.IGNORECASE,
)
# "collect within 7 days": counted from the scan that said so.
WITHIN_DAYS = re.compile(r"\bwithin\s+(?P<days>\d{1,2})\s+(?:calendar\s+)?days\b", re.IGNORECASE)


@dataclass(frozen=True)
class WhatNow:
    status: Status
    advice: str
    place: str  # the scan's place: where to collect it, where it was tried
    until: str  # day words for the carrier's deadline, "" when it named none
    carrier_said: str
    carrier_said_lang: str
    carrier_page: CarrierPage | None
    link_text: str  # what the carrier's page is for, "" without a page


@dataclass(frozen=True)
class Handover:
    carrier: str
    number: str  # "" when the carrier tracks it under our number
    page: CarrierPage | None


def deadline_in(text: str, said_on: date) -> date | None:
    """A collection deadline the carrier wrote into its text, or None; a year left out is the next such date."""
    if match := WITHIN_DAYS.search(text):
        return said_on + timedelta(days=int(match["days"]))
    match = DEADLINE.search(text)
    if match is None:
        return None
    if match["iso"]:
        try:
            return date.fromisoformat(match["iso"])
        except ValueError:
            return None
    day, month_name, year = (
        (match["day"], match["month"], match["year"])
        if match["day"]
        else (match["day2"], match["month2"], match["year2"])
    )
    month = MONTHS.get(month_name.casefold())
    if month is None:
        return None
    try:
        if year:
            return date(int(year), month, int(day))
        found = date(said_on.year, month, int(day))
        return found if found >= said_on else date(said_on.year + 1, month, int(day))
    except ValueError:
        return None


def _deciding_event(parcel: Parcel) -> TrackingEvent | None:
    """The scan that put the parcel in its status."""
    return next((event for event in parcel.events if event.status is parcel.status), parcel.latest_event)


def what_now(parcel: Parcel, now: datetime, page_language: str) -> WhatNow | None:
    """The next step for awaiting pickup, failed delivery, exception and returned; None for the others."""
    if parcel.status not in NEEDS_YOU:
        return None
    event = _deciding_event(parcel)
    place = place_case(event.place.label) if event and event.place else ""
    said = sentence_case(event.description, names=place) if event else ""
    local = where_it_happened(event.occurred_at, zone_for_utc_times(parcel)) if event else now
    today = now.astimezone(local.tzinfo).date()
    deadline = deadline_in(said, local.date()) if said and parcel.status is Status.AWAITING_PICKUP else None
    page = delivering_carrier_page(parcel)
    return WhatNow(
        status=parcel.status,
        advice=str(WHAT_NOW_ADVICE[parcel.status]),
        place=place,
        until=day_words(deadline, today) if deadline else "",
        carrier_said=said,
        carrier_said_lang=foreign_language(parcel.carrier, page_language),
        carrier_page=page,
        link_text=str(WHAT_NOW_LINK[parcel.status]) % {"name": page.carrier} if page else "",
    )


def handover(parcel: Parcel) -> Handover | None:
    """The carrier delivering the last stretch, when it is not the one we asked."""
    last_mile = parcel.last_mile
    if last_mile is None or not last_mile.carrier.strip():
        return None
    if last_mile.carrier.casefold() == carrier_name(parcel.carrier).casefold():
        return None
    number = last_mile.number or parcel.tracking_number
    shown = "" if number.upper() == parcel.tracking_number.upper() else number
    return Handover(last_mile.carrier.strip(), shown, last_mile_page(last_mile, number))


def delivering_carrier_page(parcel: Parcel) -> CarrierPage | None:
    """The public page of whoever has the parcel now: the last-mile carrier after a handover, else ours."""
    if (moved := handover(parcel)) is not None and moved.page is not None:
        return moved.page
    return public_tracking_page(parcel.carrier, parcel.tracking_number)
