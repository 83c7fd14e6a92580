"""The answer a parcel page opens with: the status in words with its "when" and, where the carrier gave it, what
happens next (the next attempt, the pickup point and until when, why it was returned and who to ask); then where
it is and when it was last scanned."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.utils.translation import ngettext

from carriers.model import Parcel, Place, Status, TrackingEvent
from tracking_site.presentation.arrival import CARRIER, ESTIMATE, FINISHED, ExpectedDelivery
from tracking_site.presentation.carrier_text import place_case
from tracking_site.presentation.local_times import (
    ShownTime,
    date_in_sentence,
    day_range_words,
    day_words,
    parcel_today,
    shown_time,
    time_of_day,
    where_it_happened,
    zone_for_utc_times,
)
from tracking_site.presentation.return_reasons import return_reason
from tracking_site.presentation.status_words import (
    ARRIVING,
    ASK_THE_SENDER_FIRST,
    DELIVERED_IN,
    DELIVERED_ON,
    DELIVERED_ON_IN,
    EXPECTED_ON,
    HEADLINE_WORDS,
    LATE,
    LIKELY_BETWEEN,
    LIKELY_ON,
    MISSED_YOU_NEXT_ATTEMPT,
    NOT_SCANNED_YET,
    OUT_FOR_DELIVERY_SINCE,
    RETURNED_BECAUSE,
    SLOWER_THAN_USUAL,
    WAITING_AT,
    WAITING_AT_UNTIL,
    WAITING_UNTIL,
    WAS_EXPECTED,
    carrier_name,
    status_label,
)
from tracking_site.presentation.what_now import collection_deadline, holder, next_attempt

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
    printed: str = ""  # the same with dates instead of "today" or "tomorrow", for paper and titles read later


@dataclass(frozen=True)
class Headline:
    answer: Answer
    place: str  # where the parcel was last scanned; "" when no scan named one or the answer already says it
    last_scan: ShownTime | None
    scanned: bool  # False while only a label exists: `last_scan` is then when the label was made
    next_step: str  # who to ask after a return, the day a label's parcel is expected; "" otherwise
    estimate_basis: str  # "An estimate based on 42 ...", "" when the "when" is not an estimate


def short_place(place: Place) -> str:
    """The part of a place an answer needs: the depot or the city."""
    return place_case(place.depot or place.city or place.label)


def scanned(event: TrackingEvent) -> bool:
    """Whether the carrier had the parcel in hand: "label created" is the sender's data, and its place (the
    sender's depot, say) is where the parcel may go, not where it is."""
    return event.status is not Status.INFO_RECEIVED


def not_scanned_yet(parcel: Parcel) -> bool:
    """Only a label so far: the carrier has not scanned the parcel itself."""
    return parcel.status is Status.INFO_RECEIVED and not any(scanned(event) for event in parcel.events)


def current_place(parcel: Parcel) -> Place:
    """Where the newest scan that named a place saw it; a label's place (the sender's depot) is nowhere yet."""
    return next((event.place for event in parcel.events if event.place and scanned(event)), Place())


def answer_for(parcel: Parcel, expected: ExpectedDelivery | None, now: datetime) -> Answer:
    """'Out for delivery: arriving today', 'Delivered Tuesday 14:31, Chicago', 'Missed you: next attempt tomorrow'."""
    today = parcel_today(parcel, now)
    words = _when_words(parcel, expected, now, today, printed=False)
    printed = _when_words(parcel, expected, now, today, printed=True).text
    return replace(words, printed=printed)


def _when_words(
    parcel: Parcel, expected: ExpectedDelivery | None, now: datetime, today: date, *, printed: bool
) -> Answer:
    """The answer's words; `printed` names every day by its date (paper is read on another day)."""

    def name_day(day: date) -> str:
        return date_in_sentence(day, today) if printed else day_words(day, today)

    status = parcel.status
    utc_zone = zone_for_utc_times(parcel)
    if status is Status.DELIVERED:
        return Answer(_delivered_words(parcel, name_day))
    if status is Status.OUT_FOR_DELIVERY:
        scan = _deciding_scan(parcel)
        if scan is not None and now - scan.occurred_at > OUT_FOR_DELIVERY_HOURS:
            out_on = where_it_happened(scan.occurred_at, utc_zone).date()
            if out_on < today:  # still out for delivery a day later: say since when, not "today"
                return Answer(str(OUT_FOR_DELIVERY_SINCE) % {"day": name_day(out_on)})
        if printed:
            return Answer(str(ARRIVING) % {"status": status_label(status), "day": name_day(today)})
        return Answer(str(HEADLINE_WORDS[status]), arriving_today=True)
    if status is Status.AWAITING_PICKUP:
        return Answer(_pickup_words(parcel, today, name_day))
    if status is Status.DELIVERY_FAILED and (attempt := next_attempt(parcel)) is not None and attempt >= today:
        return Answer(str(MISSED_YOU_NEXT_ATTEMPT) % {"day": name_day(attempt)}, arriving_today=attempt == today)
    if status is Status.RETURNED and (reason := return_reason(parcel)):
        return Answer(str(RETURNED_BECAUSE) % {"reason": reason})
    if not_scanned_yet(parcel):
        return Answer(str(NOT_SCANNED_YET) % {"carrier": carrier_name(parcel.carrier)})
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
    first_words, last_words = day_range_words(first, expected.latest, today)
    return Answer(str(LIKELY_BETWEEN) % {"status": label, "first": first_words, "last": last_words})


def _delivered_words(parcel: Parcel, name_day: Callable[[date], str]) -> str:
    """'Delivered yesterday 14:31, Phoenix': when and where, as far as the scans say (one sentence each way, so
    translators order its parts)."""
    place = short_place(_place_of(parcel))
    if parcel.delivered_at is None:
        return str(DELIVERED_IN) % {"place": place} if place else status_label(Status.DELIVERED)
    delivered = where_it_happened(parcel.delivered_at, zone_for_utc_times(parcel))
    when = {"day": name_day(delivered.date()), "time": time_of_day(delivered), "place": place}
    return str(DELIVERED_ON_IN if place else DELIVERED_ON) % when


def _pickup_words(parcel: Parcel, today: date, name_day: Callable[[date], str]) -> str:
    """Where to collect it and until when, as far as the carrier said (the pickup scan's own place: a depot it
    passed before is not where to collect it)."""
    scan = _deciding_scan(parcel)
    place = short_place(scan.place) if scan is not None else ""
    deadline = collection_deadline(parcel)
    until = name_day(deadline) if deadline is not None and deadline >= today else ""
    if place and until:
        return str(WAITING_AT_UNTIL) % {"place": place, "day": until}
    if place:
        return str(WAITING_AT) % {"place": place}
    if until:
        return str(WAITING_UNTIL) % {"day": until}
    return str(HEADLINE_WORDS[Status.AWAITING_PICKUP])


def _deciding_scan(parcel: Parcel) -> TrackingEvent | None:
    """The newest scan with the parcel's status: the one that put it there."""
    return next((event for event in parcel.events if event.status is parcel.status), None)


def _place_of(parcel: Parcel) -> Place:
    """The place of the scan that set the status (the delivery, the pickup point), else the newest place."""
    for event in parcel.events:
        if event.status is parcel.status and event.place:
            return event.place
    return current_place(parcel)


def next_step(parcel: Parcel, expected: ExpectedDelivery | None, today: date) -> str:
    """The line under the answer: after a return, the sender first and then the carrier that has it; for a label
    not yet scanned, the carrier's day (as a date: the line is read later too)."""
    if parcel.status is Status.RETURNED:
        name, _ = holder(parcel)
        return str(ASK_THE_SENDER_FIRST) % {"carrier": name}
    if not_scanned_yet(parcel) and expected is not None and expected.source == CARRIER:
        words = WAS_EXPECTED if expected.latest < today else EXPECTED_ON
        return str(words) % {"day": date_in_sentence(expected.latest, today)}
    return ""


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
        scanned=not not_scanned_yet(parcel),
        next_step=next_step(parcel, expected, parcel_today(parcel, now)),
        estimate_basis=basis,
    )
