"""The answer a parcel page opens with: the status in words with its "when", where it is, when last scanned."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.utils.translation import ngettext

from carriers.model import Parcel, Place, Status, TrackingEvent
from tracking_site.presentation.arrival import CARRIER, ESTIMATE, FINISHED, ExpectedDelivery
from tracking_site.presentation.carrier_text import place_case
from tracking_site.presentation.local_times import (
    ShownTime,
    day_words,
    long_date,
    parcel_today,
    shown_time,
    where_it_happened,
    zone_for_utc_times,
)
from tracking_site.presentation.status_words import (
    ARRIVING,
    DELIVERED_ON,
    HEADLINE_WORDS,
    LATE,
    LIKELY_BETWEEN,
    LIKELY_ON,
    OUT_FOR_DELIVERY_SINCE,
    SLOWER_THAN_USUAL,
    status_label,
)

# A carrier's passed date makes these "late"; the others say something more useful than that.
LATE_WHEN_PASSED = (Status.INFO_RECEIVED, Status.IN_TRANSIT, Status.UNKNOWN)
# An out-for-delivery scan means delivery within the hours that follow, even past midnight (late scans happen).
OUT_FOR_DELIVERY_HOURS = timedelta(hours=12)
# The place is part of the answer for these: where it was delivered, where to collect it.
WITH_PLACE = (Status.DELIVERED, Status.AWAITING_PICKUP)


@dataclass(frozen=True)
class Answer:
    """The status with its "when", in words, and what a results summary counts."""

    text: str
    late: bool = False
    arriving_today: bool = False
    printed: str = ""  # the same with dates instead of "today" or "Friday", for paper read another day


@dataclass(frozen=True)
class Headline:
    answer: Answer
    place: str  # where the parcel was last scanned; "" when no scan named one or the answer already says it
    last_scan: ShownTime | None
    estimate_basis: str  # "An estimate based on 42 ...", "" when the "when" is not an estimate


def short_place(place: Place) -> str:
    """The part of a place an answer needs: the depot or the city."""
    return place_case(place.depot or place.city or place.label)


def current_place(parcel: Parcel) -> Place:
    return next((event.place for event in parcel.events if event.place), Place())


def answer_for(parcel: Parcel, expected: ExpectedDelivery | None, now: datetime) -> Answer:
    """'Out for delivery: arriving today', 'Delivered Tuesday 14:31, Chicago', 'Late: was expected Sunday'."""
    today = parcel_today(parcel, now)
    words = _when_words(parcel, expected, now, today, printed=False)
    printed = _when_words(parcel, expected, now, today, printed=True).text
    if parcel.status in WITH_PLACE and (place := short_place(_place_of(parcel))):
        return Answer(f"{words.text}, {place}", words.late, words.arriving_today, f"{printed}, {place}")
    return replace(words, printed=printed)


def _when_words(
    parcel: Parcel, expected: ExpectedDelivery | None, now: datetime, today: date, *, printed: bool
) -> Answer:
    """The answer's words; `printed` names every day by its date (paper is read on another day)."""

    def name_day(day: date) -> str:
        return long_date(day, today) if printed else day_words(day, today)

    status = parcel.status
    utc_zone = zone_for_utc_times(parcel)
    if status is Status.DELIVERED and parcel.delivered_at is not None:
        delivered = where_it_happened(parcel.delivered_at, utc_zone)
        return Answer(str(DELIVERED_ON) % {"day": name_day(delivered.date()), "time": f"{delivered:%H:%M}"})
    if status is Status.OUT_FOR_DELIVERY:
        scan = _deciding_scan(parcel)
        if scan is not None and now - scan.occurred_at > OUT_FOR_DELIVERY_HOURS:
            out_on = where_it_happened(scan.occurred_at, utc_zone).date()
            if out_on < today:  # still out for delivery a day later: say since when, not "today"
                return Answer(str(OUT_FOR_DELIVERY_SINCE) % {"day": name_day(out_on)})
        if printed:
            return Answer(str(ARRIVING) % {"status": status_label(status), "day": name_day(today)})
        return Answer(str(HEADLINE_WORDS[status]), arriving_today=True)
    if status in HEADLINE_WORDS:
        return Answer(str(HEADLINE_WORDS[status]))
    label = status_label(status)
    if expected is None or status in FINISHED or status not in LATE_WHEN_PASSED:
        return Answer(label)
    if expected.source == CARRIER:
        if expected.latest < today:
            return Answer(str(LATE) % {"day": name_day(expected.latest)}, late=True)
        return Answer(
            str(ARRIVING) % {"status": label, "day": name_day(expected.latest)},
            arriving_today=expected.latest == today,
        )
    if expected.latest < today:
        return Answer(str(SLOWER_THAN_USUAL) % {"status": label})
    first = max(expected.earliest, today)
    if first == expected.latest:
        return Answer(str(LIKELY_ON) % {"status": label, "day": name_day(first)}, arriving_today=first == today)
    return Answer(str(LIKELY_BETWEEN) % {"status": label, "first": name_day(first), "last": name_day(expected.latest)})


def _deciding_scan(parcel: Parcel) -> TrackingEvent | None:
    """The newest scan with the parcel's status: the one that put it there."""
    return next((event for event in parcel.events if event.status is parcel.status), None)


def _place_of(parcel: Parcel) -> Place:
    """The place of the scan that set the status (the delivery, the pickup point), else the newest place."""
    for event in parcel.events:
        if event.status is parcel.status and event.place:
            return event.place
    return current_place(parcel)


def build_headline(parcel: Parcel, expected: ExpectedDelivery | None, now: datetime) -> Headline:
    latest = parcel.latest_event
    basis = ""
    if expected is not None and expected.source == ESTIMATE and expected.based_on and parcel.status not in FINISHED:
        basis = ngettext(
            "An estimate based on %(count)d parcel delivered on this route.",
            "An estimate based on %(count)d parcels delivered on this route.",
            expected.based_on,
        ) % {"count": expected.based_on}
    answer = answer_for(parcel, expected, now)
    place = place_case(current_place(parcel).label)
    if parcel.status in WITH_PLACE and short_place(_place_of(parcel)) and _place_of(parcel) == current_place(parcel):
        place = ""  # "Delivered yesterday 14:31, Phoenix" already says where it is
    return Headline(
        answer=answer,
        place=place,
        last_scan=shown_time(latest.occurred_at, now, zone_for_utc_times(parcel)) if latest else None,
        estimate_basis=basis,
    )
