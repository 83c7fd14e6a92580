"""What a carrier's event means, in our own words: a scan is said in the visitor's language wherever we know what
it means.

One table, keyed by carrier and code: PostPlus eventCodes, DHL eCommerce primaryEventIds, NZ Post EDIFACT codes.
Where we know a scan's code, the timeline and the feed say its meaning in our words, the carrier's own text beside
it (marked with the carrier's language). Where we do not know the code but know the scan's status (from its code
or its words), our status words are the meaning on a page in another language than the carrier writes; on a page
in the carrier's own language its words say more than a status would, and stand alone. A scan of unknown status
keeps the carrier's words.

A meaning is only as sure as the code's source. PostPlus's codes name themselves (ARRIVED_AT_DESTINATION_COUNTRY),
NZ Post publishes its EDIFACT table with a status for each code, but DHL has not published its code table: only
132, 598 and 600 are in its published answers and documents, so its other codes (our fakes' guesses, "moving
through the network") get our status words only. A meaning is said only while the event's status is the one the
carrier's table gives its code: where an event's words overrode a generic code's status, the code no longer says
what happened.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from carriers import dhl_ecommerce, nzpost, postplus
from carriers.detect import DHL_ECOMMERCE, NZPOST, POSTPLUS
from carriers.model import Status, TrackingEvent
from carriers.status_map import StatusMap, normal_code
from tracking_site.presentation.carrier_text import foreign_language
from tracking_site.presentation.status_words import STATUS_LABELS, carrier_name, status_label

# Where the same thing is said by several codes (NZ Post's five "Delivery attempted"), the words are shared.
LABEL_ONLY = _("Label created; %(carrier)s has not scanned the parcel yet")
AT_A_DEPOT = _("At a depot")
HANDED_OVER = _("Handed over for the next part of its journey")
REDIRECTION_REQUESTED = _("A redirection has been requested")
WITH_COURIER = _("With the courier for delivery")
READY_TO_COLLECT = _("Ready to collect")
DELIVERY_ATTEMPTED = _("The courier tried to deliver it")

EVENT_MEANINGS: dict[str, dict[str, Promise]] = {
    # PostPlus publishes CREATE_OR_UPDATE and DELIVERED; the other codes are those of carriers/postplus.py.
    POSTPLUS: {
        "CREATE_OR_UPDATE": _("The sender has sent the parcel's details"),
        "ACCEPTED_AT_HUB": _("Received at a PostPlus sorting hub"),
        "DEPARTED_HUB": _("Left the sorting hub"),
        "IN_TRANSIT": _("On its way"),
        "ARRIVED_AT_DESTINATION_COUNTRY": _("Arrived in the destination country"),
        "CUSTOMS_CLEARED": _("Cleared by customs"),
        "HANDED_TO_LAST_MILE_CARRIER": _("Handed to the local delivery company"),
        "OUT_FOR_DELIVERY": STATUS_LABELS[Status.OUT_FOR_DELIVERY],
        "DELIVERED": STATUS_LABELS[Status.DELIVERED],
        "DELIVERY_FAILED": _("The delivery did not succeed this time"),
        "AT_PICKUP_POINT": _("Ready to collect at the pickup point"),
        "CUSTOMS_HELD": _("Held by customs"),
        "DAMAGED": _("Reported damaged"),
        "RETURNED_TO_SENDER": _("On its way back to the sender"),
    },
    # Only the codes DHL's published answers and documents show (see the module's docstring).
    DHL_ECOMMERCE: {
        "132": LABEL_ONLY,
        "598": STATUS_LABELS[Status.OUT_FOR_DELIVERY],
        "600": STATUS_LABELS[Status.DELIVERED],
    },
    # NZ Post's published EDIFACT codes, by the names its table gives them (carriers/nzpost.py).
    NZPOST: {
        "13": _("NZ Post is collecting it from the sender"),
        "60": _("NZ Post tried to collect it from the sender"),
        "78": _("A courier will collect it from the sender"),
        "205": _("The sender has booked a pickup"),
        "206": _("A driver will collect it from the sender"),
        "997": LABEL_ONLY,
        "8": _("Being sorted at a depot"),
        "14": _("Handed to a delivery partner"),
        "55": _("Waiting to go out for delivery"),
        "56": AT_A_DEPOT,
        "57": AT_A_DEPOT,
        "58": _("Waiting for a courier"),
        "59": AT_A_DEPOT,
        "77": _("On its way to the local depot"),
        "80": _("Has left New Zealand"),
        "85": _("On its way to a depot"),
        "95": _("Redirected"),
        "143": HANDED_OVER,
        "144": HANDED_OVER,
        "145": HANDED_OVER,
        "146": _("Handed over for delivery"),
        "148": _("On its way to the collection point"),
        "200": REDIRECTION_REQUESTED,
        "201": _("A new delivery has been requested"),
        "202": REDIRECTION_REQUESTED,
        "203": _("Delivery instructions have been added"),
        "32": WITH_COURIER,
        "35": WITH_COURIER,
        "142": _("With RuralPost for delivery"),
        "22": STATUS_LABELS[Status.DELIVERED],
        "141": READY_TO_COLLECT,
        "147": _("Ready to collect from a ParcelPod locker"),
        "149": READY_TO_COLLECT,
        "42": DELIVERY_ATTEMPTED,
        "50": DELIVERY_ATTEMPTED,
        "51": DELIVERY_ATTEMPTED,
        "52": DELIVERY_ATTEMPTED,
        "53": DELIVERY_ATTEMPTED,
        "62": DELIVERY_ATTEMPTED,
        "40": _("Delayed"),
        "54": _("Delayed while being sorted"),
        "61": _("Sent to the wrong place"),
        "63": _("Not collected from the ParcelPod in time"),
        "542": _("Sorted to the wrong place"),
        "67": _("Back at the sender's return address"),
    },
}
# Each carrier's own table of codes: a meaning holds only while the event has the status its code gives.
CODE_TABLES: dict[str, StatusMap] = {
    POSTPLUS: postplus.STATUS_MAP,
    DHL_ECOMMERCE: dhl_ecommerce.STATUS_MAP,
    NZPOST: nzpost.STATUS_MAP,
}


def event_meaning(carrier: str, event: TrackingEvent) -> str:
    """Our words for what the event's code means, in the active language; "" where we do not know the code."""
    code = normal_code(event.code)
    meaning = EVENT_MEANINGS.get(carrier, {}).get(code)
    table = CODE_TABLES.get(carrier)
    if meaning is None or table is None or table.codes.get(code) is not event.status:
        return ""
    return str(meaning) % {"carrier": carrier_name(carrier)}


def our_words(carrier: str, event: TrackingEvent, page_language: str) -> str:
    """What a line about the event says in our words, in the active language: the code's meaning where we know it,
    else on a page in another language than the carrier's the status in words; "" where the carrier's own words
    are to stand alone (its language is the page's, or the status is unknown)."""
    meaning = event_meaning(carrier, event)
    if meaning or event.status is Status.UNKNOWN or not foreign_language(carrier, page_language):
        return meaning
    return status_label(event.status)
