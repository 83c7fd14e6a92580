"""What to do now, for parcels that need their recipient: where, until when, what the carrier said, its page.

Where the site runs under an operator's brand, the box offers the operator's contact and returns links before the
carrier's (brand/contact.py): for a failed delivery, a parcel held up, a returned one, and a late one (which,
without a brand, gets no box: there would be nobody but the carrier to send the customer to, and its page is
already linked from the answer's carrier line).

And who delivers the last stretch: a PostPlus parcel names the carrier that will deliver it, or has it, or did;
a DHL eCommerce parcel handed to USPS names USPS. "Now with" only once a scan shows that carrier has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from carriers.model import LastMile, Parcel, Status, TrackingEvent
from tracking_site.brand.contact import SenderContact, sender_contact
from tracking_site.presentation.carrier_dates import deadline_in, next_attempt_in
from tracking_site.presentation.carrier_links import CarrierPage, last_mile_page, public_tracking_page
from tracking_site.presentation.carrier_text import foreign_language, place_case, sentence_case
from tracking_site.presentation.countries import country_name
from tracking_site.presentation.local_times import day_words, where_it_happened, zone_for_utc_times
from tracking_site.presentation.status_words import (
    DELIVERED_BY,
    DELIVERS_IN,
    LATE_ADVICE,
    NOW_WITH,
    WHAT_NOW_ADVICE,
    WHAT_NOW_LINK,
    WILL_DELIVER,
    carrier_name,
)

NEEDS_YOU = tuple(WHAT_NOW_ADVICE)
# Of those, the customer needs someone for these; at a pickup point they need only the pickup point.
NEEDS_SOMEONE = (Status.DELIVERY_FAILED, Status.EXCEPTION, Status.RETURNED)
# Scans only the carrier at the door makes: a consolidator (PostPlus) forwards them from the last-mile carrier, so
# each shows that carrier has the parcel even where no handover scan came first.
AT_THE_DOOR = (Status.OUT_FOR_DELIVERY, Status.DELIVERY_FAILED, Status.AWAITING_PICKUP, Status.DELIVERED)


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
    sender: SenderContact | None = None  # the operator's links, before the carrier's; None without a brand


@dataclass(frozen=True)
class Handover:
    sentence: str  # "Now with PostNord", "Delivered by Latvijas Pasts", "DHL Paket delivers it in Germany"
    carrier: str
    number: str  # "" when the carrier tracks it under our number
    page: CarrierPage | None  # only once that carrier has the parcel: before, its page would not know it


def deciding_event(parcel: Parcel) -> TrackingEvent | None:
    """The scan that put the parcel in its status."""
    return next((event for event in parcel.events if event.status is parcel.status), parcel.latest_event)


def _said_on(parcel: Parcel, event: TrackingEvent) -> date:
    """The day a scan happened where it happened: what its "tomorrow" or "within 7 days" counts from."""
    return where_it_happened(event.occurred_at, zone_for_utc_times(parcel)).date()


def collection_deadline(parcel: Parcel) -> date | None:
    """The last day to collect a parcel waiting at a pickup point, when the carrier wrote one."""
    event = deciding_event(parcel)
    if parcel.status is not Status.AWAITING_PICKUP or event is None or not event.description:
        return None
    return deadline_in(event.description, _said_on(parcel, event))


def next_attempt(parcel: Parcel) -> date | None:
    """The day of the next delivery attempt after a failed one, when the carrier wrote it."""
    event = deciding_event(parcel)
    if parcel.status is not Status.DELIVERY_FAILED or event is None or not event.description:
        return None
    return next_attempt_in(event.description, _said_on(parcel, event))


def what_now(parcel: Parcel, now: datetime, page_language: str, *, late: bool = False) -> WhatNow | None:
    """The next step for awaiting pickup, failed delivery, exception and returned, and under a brand for a `late`
    parcel (the answer says "Late: was expected ..."); None for the others."""
    if parcel.status not in NEEDS_YOU:
        return late_box(parcel, page_language) if late else None
    event = deciding_event(parcel)
    place = place_case(event.place.label) if event and event.place else ""
    said = sentence_case(event.description, names=place) if event else ""
    local = where_it_happened(event.occurred_at, zone_for_utc_times(parcel)) if event else now
    deadline = collection_deadline(parcel)
    _, page = holder(parcel)
    return WhatNow(
        status=parcel.status,
        advice=str(WHAT_NOW_ADVICE[parcel.status]),
        place=place,
        until=day_words(deadline, now.astimezone(local.tzinfo).date()) if deadline else "",
        carrier_said=said,
        carrier_said_lang=foreign_language(parcel.carrier, page_language),
        carrier_page=page,
        link_text=str(WHAT_NOW_LINK[parcel.status]) % {"name": page.carrier} if page else "",
        sender=sender_contact(parcel.tracking_number, page_language) if parcel.status in NEEDS_SOMEONE else None,
    )


def late_box(parcel: Parcel, page_language: str) -> WhatNow | None:
    """A late parcel's box: the operator first, then the carrier that has it; None without a brand's links."""
    sender = sender_contact(parcel.tracking_number, page_language)
    if sender is None:
        return None
    _, page = holder(parcel)
    return WhatNow(
        status=parcel.status,
        advice=str(LATE_ADVICE),
        place="",
        until="",
        carrier_said="",
        carrier_said_lang="",
        carrier_page=page,
        link_text=str(WHAT_NOW_LINK[Status.EXCEPTION]) % {"name": page.carrier} if page else "",
        sender=sender,
    )


def last_mile(parcel: Parcel) -> LastMile | None:
    """The carrier delivering the last stretch, when it is not the one we asked."""
    named = parcel.last_mile
    if named is None or not named.carrier.strip():
        return None
    if named.carrier.strip().casefold() == carrier_name(parcel.carrier).casefold():
        return None
    return named


def last_mile_has_it(parcel: Parcel) -> bool:
    """Whether a scan shows the last-mile carrier has the parcel: its handover, or a scan only it makes."""
    named = last_mile(parcel)
    return named is not None and (named.handed_over or any(event.status in AT_THE_DOOR for event in parcel.events))


def _last_mile_number(parcel: Parcel, named: LastMile) -> str:
    return named.number or parcel.tracking_number


def handover(parcel: Parcel) -> Handover | None:
    """Who delivers the last stretch, in words true today; None without one, and for a returned parcel (whose
    answer says who to ask instead)."""
    named = last_mile(parcel)
    if named is None or parcel.status is Status.RETURNED:
        return None
    name = named.carrier.strip()
    number = _last_mile_number(parcel, named)
    has_it = last_mile_has_it(parcel)
    if parcel.status is Status.DELIVERED:  # a delivery scan is the last mile's own: it has had it
        sentence = DELIVERED_BY % {"carrier": name}
    elif has_it:
        sentence = NOW_WITH % {"carrier": name}
    elif country := country_name(parcel.destination_country):
        sentence = DELIVERS_IN % {"carrier": name, "country": country}
    else:
        sentence = WILL_DELIVER % {"carrier": name}
    shown = "" if number.upper() == parcel.tracking_number.upper() else number
    return Handover(sentence, name, shown, last_mile_page(named, number) if has_it else None)


def holder(parcel: Parcel) -> tuple[str, CarrierPage | None]:
    """Who has the parcel now, by name, and its public page (None where it has none): the last-mile carrier once a
    scan shows it has it, else ours. Rebooking, pickup details and questions go there, nowhere else."""
    named = last_mile(parcel)
    if named is not None and last_mile_has_it(parcel):
        return named.carrier.strip(), last_mile_page(named, _last_mile_number(parcel, named))
    return carrier_name(parcel.carrier), public_tracking_page(parcel.carrier, parcel.tracking_number)
