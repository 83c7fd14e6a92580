"""NZ Post ParcelTrack v4: parcels by tracking reference (several a call) and related references by partial match.

Only event times, statuses, descriptions, depot names and whether someone signed leave this module. Courier
names, the signer's name and signature, scan coordinates (a delivery scan's point at the recipient's door),
run names and NZ Post's internal references are never copied.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from .base import (
    CarrierClient,
    CarrierUnavailable,
    Clock,
    InvalidNumber,
    as_dict,
    as_list,
    as_text,
    fetch_json,
)
from .detect import NZPOST, normalize_number
from .model import (
    CarrierFailure,
    FailureReason,
    Found,
    NotFound,
    Parcel,
    Place,
    Status,
    TrackingEvent,
    TrackingResult,
    parcel_from_events,
)
from .oauth import ClientCredentials, TokenStore

logger = logging.getLogger("carriers")

PARCELS_PATH = "/parceltrack/v4/parcels"
PARTIAL_MATCH_PATH = "/parceltrack/v4/partialmatch"

# NZ Post's portal ("Track Parcel(s)") answers "tracking information for up to ten specific tracking
# references" a call; the reference is repeated once per number, so ten also keeps the URL short.
MAX_REFERENCES_PER_CALL = 10

PARTIAL_REFERENCE = re.compile(r"[A-Z0-9]{4,40}")
NZ = "NZ"


# --- Build requests ----------------------------------------------------------------------------------------------


def parcels_url(base_url: str, references: Sequence[str]) -> httpx.URL:
    """The parcels URL asking for several references: `tracking_reference` repeated once per reference."""
    return httpx.URL(f"{base_url}{PARCELS_PATH}", params=[("tracking_reference", ref) for ref in references])


def validated_partial_reference(partial_reference: str) -> str:
    """A partial reference fit for a URL path segment (4-40 ASCII letters and digits), or InvalidNumber."""
    reference = partial_reference.strip().upper() if isinstance(partial_reference, str) else ""
    if not PARTIAL_REFERENCE.fullmatch(reference):
        raise InvalidNumber("A partial reference has 4 to 40 letters and digits.")
    return reference


def partial_match_url(base_url: str, partial_reference: str) -> httpx.URL:
    """The partial-match URL; the reference is validated first and quoted as one path segment."""
    segment = quote(validated_partial_reference(partial_reference), safe="")
    return httpx.URL(f"{base_url}{PARTIAL_MATCH_PATH}/{segment}")


class NzPostClient(CarrierClient):
    """Tracks NZ Post, CourierPost and Pace items, ten references a call, one result per reference."""

    slug = NZPOST
    name = "NZ Post"
    batch_size = MAX_REFERENCES_PER_CALL

    def __init__(self, http: httpx.Client, *, base_url: str, client_id: str, credentials: ClientCredentials) -> None:
        super().__init__(http)
        # NZ Post wants the client id beside the token on every call, in a header spelt with an underscore.
        http.headers["client_id"] = client_id
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials

    def __repr__(self) -> str:
        return f"NzPostClient(base_url={self.base_url!r})"

    def _get_answer(self, url: httpx.URL) -> dict[str, Any]:
        """One authorized GET whose answer is a ParcelTrack JSON object, or CarrierUnavailable."""
        body = fetch_json(self.http, url, carrier=self.slug, auth=self.credentials)
        if not isinstance(body, dict) or not ("results" in body or "success" in body):
            logger.warning("carrier=%s outcome=unexpected_shape path=%s", self.slug, url.path)
            raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the answer is not a ParcelTrack answer")
        return body

    def track_batch(self, numbers: Sequence[str], kind: str = "") -> Mapping[str, TrackingResult]:
        """A result for every reference of one call: NZ Post answers each reference on its own."""
        answer = self._get_answer(parcels_url(self.base_url, numbers))
        results = results_for_numbers(answer, numbers, carrier=self.slug)
        failed = sum(isinstance(result, CarrierFailure) for result in results.values())
        logger.info(
            "carrier=%s outcome=answered status_code=%s numbers=%d failed=%d incomplete=%d",
            self.slug,
            as_text(answer.get("status_code"))[:4],
            len(numbers),
            failed,
            sum(map(data_may_be_incomplete, results.values())),
        )
        return results

    def search_partial(self, partial_reference: str) -> list[Parcel]:
        """Parcels whose references match a partial one (staff console); InvalidNumber or CarrierUnavailable."""
        answer = self._get_answer(partial_match_url(self.base_url, partial_reference))
        return parcels_from_partial_match(answer, carrier=self.slug)


def build_nzpost_client(
    http: httpx.Client,
    *,
    base_url: str,
    token_url: str,
    client_id: str,
    client_secret: str,
    clock: Clock = time.time,
    token_store: TokenStore | None = None,
) -> NzPostClient:
    """The registry's factory: a client whose token comes from NZ Post's OAuth server (`clock` dates it)."""
    credentials = ClientCredentials(
        http, token_url, client_id, client_secret, carrier=NZPOST, clock=clock, store=token_store
    )
    return NzPostClient(http, base_url=base_url, client_id=client_id, credentials=credentials)


# --- Parse answers into the public model -------------------------------------------------------------------------


def data_may_be_incomplete(result: TrackingResult) -> bool:
    """Whether a result's events may be missing some: NZ Post said not every source answered in full."""
    return isinstance(result, Found) and result.incomplete


def results_for_numbers(
    answer: Mapping[str, Any], numbers: Sequence[str], *, carrier: str
) -> dict[str, TrackingResult]:
    """One result per asked number; a number the answer does not mention is not found."""
    by_reference = items_by_reference(result_items(answer))
    return {number: result_for_item(by_reference.get(number.upper()), carrier, number) for number in numbers}


def result_items(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answer's results; raises when there are none because the whole call failed.

    The shape of a whole-call error is not published: `success: false` and/or a top-level `errors` list
    like the results' own are read defensively.
    """
    results = answer.get("results")
    if results is not None and not isinstance(results, list):
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "results is not a list")
    items = [as_dict(raw) for raw in as_list(results)]
    if items:
        return items
    codes = error_codes(answer.get("errors"))
    reason = failure_reason(codes)
    if reason is None and answer.get("success") is not False:
        return items
    reason = reason or FailureReason.BAD_RESPONSE
    logger.warning("carrier=%s outcome=call_failed codes=%s", NZPOST, ",".join(code[:8] for code in codes[:3]))
    raise CarrierUnavailable(reason, "NZ Post answered the call with an error")


def items_by_reference(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Results keyed by upper-case reference; of repeated references, the first with events wins."""
    chosen: dict[str, dict[str, Any]] = {}
    for item in items:
        reference = as_text(item.get("tracking_reference")).upper()
        if not reference:
            continue
        if reference not in chosen or (has_events(item) and not has_events(chosen[reference])):
            chosen[reference] = item
    return chosen


def has_events(item: Mapping[str, Any]) -> bool:
    return bool(as_list(item.get("tracking_events")))


def result_for_item(item: Mapping[str, Any] | None, carrier: str, number: str) -> TrackingResult:
    """Events win over errors: what NZ Post found is shown, flagged when it said something may be missing."""
    if item is None:
        return NotFound(carrier, number)
    codes = error_codes(item.get("errors"))
    parcel = parse_result(item, carrier=carrier, tracking_number=number)
    if parcel.events:
        return Found(parcel, incomplete=bool(codes))
    reason = failure_reason(codes)
    return CarrierFailure(carrier, number, reason) if reason else NotFound(carrier, number)


def parse_result(item: Mapping[str, Any], *, carrier: str, tracking_number: str) -> Parcel:
    """One result's events as a Parcel; only whether someone signed is read from `signed_by`."""
    raw_events = [as_dict(raw) for raw in as_list(item.get("tracking_events"))]
    events = [event for raw in raw_events if (event := parse_event(raw)) is not None]
    return parcel_from_events(
        carrier=carrier,
        tracking_number=tracking_number,
        events=events,
        signed=any(was_signed(raw) for raw in raw_events),
    )


def parcels_from_partial_match(answer: Mapping[str, Any], *, carrier: str) -> list[Parcel]:
    """The related references' parcels; when none has events and NZ Post reported a failure, raise it."""
    parcels: list[Parcel] = []
    reasons: list[FailureReason] = []
    for reference, item in items_by_reference(result_items(answer)).items():
        try:
            # These references come from NZ Post, not from a visitor, but they will end up in our own URLs.
            number = normalize_number(reference)
        except InvalidNumber:
            continue
        parcel = parse_result(item, carrier=carrier, tracking_number=number)
        if parcel.events:
            parcels.append(parcel)
        elif reason := failure_reason(error_codes(item.get("errors"))):
            reasons.append(reason)
    if not parcels and reasons:
        raise CarrierUnavailable(reasons[0], "NZ Post could not answer the partial match")
    return parcels


def parse_event(raw: Mapping[str, Any]) -> TrackingEvent | None:
    """One scan, or None without a usable time. Courier names, coordinates, run, seqref and source stay behind."""
    occurred_at = parse_utc(raw.get("date_time"))
    if occurred_at is None:
        return None
    brief = as_text(raw.get("status"))
    status = status_for(code_text(raw.get("edifact_code")), brief)
    depot = as_text(raw.get("depot_name"))
    return TrackingEvent(
        occurred_at=occurred_at,
        status=status,
        description=as_text(raw.get("description")) or brief,
        # Depots are NZ Post's own, in New Zealand; scans abroad come without one.
        place=Place(depot=depot, country=NZ) if depot else Place(),
    )


def was_signed(raw: Mapping[str, Any]) -> bool:
    """Whether a scan carries a signature; the name and the signature data themselves are not kept."""
    signed_by = as_dict(raw.get("signed_by"))
    return bool(as_text(signed_by.get("name")) or as_text(signed_by.get("signature")))


def parse_utc(value: Any) -> datetime | None:
    """An aware UTC datetime from "2015-03-23T17:04:08Z" or "2016-01-29 11:00:00Z" (both in the document)."""
    text = as_text(value)
    if len(text) < 16:  # a date alone has no time to show
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    # The document says date_time is UTC; one without a zone is read as UTC rather than as server time.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def code_text(value: Any) -> str:
    """An EDIFACT or error code as text: NZ Post sends "13" and "400002", some answers carry numbers."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return as_text(value).lstrip("0") or as_text(value)


def error_codes(value: Any) -> list[str]:
    """The codes of an `errors` list, as text."""
    codes = [code_text(as_dict(error).get("code")) for error in as_list(value)]
    return [code for code in codes if code]


def failure_reason(codes: Sequence[str]) -> FailureReason | None:
    """What a result's error codes mean when it came without events; None means simply not found."""
    reasons = [ERROR_REASONS.get(code, FailureReason.BAD_RESPONSE) for code in codes]
    return next((reason for reason in reasons if reason is not None), None)


def status_for(code: str, brief: str) -> Status:
    """An event's status: its EDIFACT code first (NZ Post keeps codes stable, words change), then its words."""
    by_code = EDIFACT_STATUSES.get(code)
    if by_code is not None:
        return by_code
    return STATUS_WORDS.get(" ".join(brief.lower().split()), Status.UNKNOWN)


# --- Map codes ---------------------------------------------------------------------------------------------------

# Result error codes and what they mean for a reference that came without events. 200001/200002 with events
# are shown and flagged (Found.incomplete); 200002 without events means every source answered and none knew it.
ERROR_REASONS: dict[str, FailureReason | None] = {
    "200001": FailureReason.PARTIAL,
    "200002": None,
    "400001": FailureReason.BAD_RESPONSE,
    "400002": None,
    "400003": FailureReason.BAD_RESPONSE,
    "401001": FailureReason.AUTH,
    "500001": FailureReason.UNAVAILABLE,
    "500002": FailureReason.UNAVAILABLE,
}

# NZ Post's published EDIFACT codes for domestic services (the "Edifact Codes" page of the ParcelTrack portal),
# with the status each one shows there. 997 ("Ready to send") is the document's own example.
EDIFACT_STATUSES: dict[str, Status] = {
    # Picked up / ready to send: pickup FROM THE SENDER, so NZ Post knows of the item but the journey has not
    # started; the document's sample pairs 13 with "Ready for pickup".
    "13": Status.INFO_RECEIVED,
    "60": Status.INFO_RECEIVED,  # Pick up attempted (at the sender's)
    "78": Status.INFO_RECEIVED,  # Courier to collect (from the sender)
    "997": Status.INFO_RECEIVED,  # Ready to send
    "8": Status.IN_TRANSIT,  # Processing at depot
    "14": Status.IN_TRANSIT,  # Handed over for delivery (to a delivery partner)
    "55": Status.IN_TRANSIT,  # Awaiting delivery
    "56": Status.IN_TRANSIT,  # Item at depot
    "57": Status.IN_TRANSIT,  # Item at depot
    "58": Status.IN_TRANSIT,  # Waiting for courier
    "59": Status.IN_TRANSIT,  # Item at depot
    "77": Status.IN_TRANSIT,  # In transit to local depot
    "80": Status.IN_TRANSIT,  # Left New Zealand
    "85": Status.IN_TRANSIT,  # In transit to depot
    "95": Status.IN_TRANSIT,  # Redirected
    "143": Status.IN_TRANSIT,  # Handed over
    "144": Status.IN_TRANSIT,  # Handed over
    "145": Status.IN_TRANSIT,  # Handed over
    "146": Status.IN_TRANSIT,  # Handed over for delivery
    "148": Status.IN_TRANSIT,  # Item on way to collection point
    "200": Status.IN_TRANSIT,  # Redirection requested
    "201": Status.IN_TRANSIT,  # Redelivery requested
    "202": Status.IN_TRANSIT,  # Redirection requested
    "203": Status.IN_TRANSIT,  # Delivery instructions added
    "32": Status.OUT_FOR_DELIVERY,  # With courier for delivery
    "35": Status.OUT_FOR_DELIVERY,  # With courier for delivery
    "142": Status.OUT_FOR_DELIVERY,  # With RuralPost for delivery
    "22": Status.DELIVERED,  # Delivered
    "141": Status.AWAITING_PICKUP,  # Ready to collect
    "147": Status.AWAITING_PICKUP,  # In ParcelPod
    "149": Status.AWAITING_PICKUP,  # Ready to collect
    "42": Status.DELIVERY_FAILED,  # Delivery attempted
    "50": Status.DELIVERY_FAILED,  # Delivery attempted
    "51": Status.DELIVERY_FAILED,  # Delivery attempted
    "52": Status.DELIVERY_FAILED,  # Delivery attempted
    "53": Status.DELIVERY_FAILED,  # Delivery attempted
    "62": Status.DELIVERY_FAILED,  # Delivery attempted
    "54": Status.EXCEPTION,  # Processing delay
    "61": Status.EXCEPTION,  # Misdirected
    "63": Status.EXCEPTION,  # ParcelPod expired
    "542": Status.EXCEPTION,  # Sorted incorrectly
    "67": Status.RETURNED,  # Arrived at Return Address
}

# The brief `status` words, for codes not in the table above (international services, new codes).
STATUS_WORDS: dict[str, Status] = {
    # Pickup from the sender: the item has not started its journey to the recipient.
    "ready for pickup": Status.INFO_RECEIVED,
    "ready to send": Status.INFO_RECEIVED,
    "picked up": Status.INFO_RECEIVED,
    "pick up attempted": Status.INFO_RECEIVED,
    "courier to collect": Status.INFO_RECEIVED,
    "in transit": Status.IN_TRANSIT,
    "in transit to depot": Status.IN_TRANSIT,
    "in transit to local depot": Status.IN_TRANSIT,
    "processing at depot": Status.IN_TRANSIT,
    "item at depot": Status.IN_TRANSIT,
    "awaiting delivery": Status.IN_TRANSIT,
    "waiting for courier": Status.IN_TRANSIT,
    "handed over": Status.IN_TRANSIT,
    "handed over for delivery": Status.IN_TRANSIT,
    "left new zealand": Status.IN_TRANSIT,
    "redirected": Status.IN_TRANSIT,
    "item on way to collection point": Status.IN_TRANSIT,
    "out for delivery": Status.OUT_FOR_DELIVERY,
    "with courier for delivery": Status.OUT_FOR_DELIVERY,
    "with ruralpost for delivery": Status.OUT_FOR_DELIVERY,
    "delivered": Status.DELIVERED,
    "awaiting collection": Status.AWAITING_PICKUP,
    "ready to collect": Status.AWAITING_PICKUP,
    "in parcelpod": Status.AWAITING_PICKUP,
    "unable to deliver": Status.DELIVERY_FAILED,
    "delivery attempted": Status.DELIVERY_FAILED,
    "returned to sender": Status.RETURNED,
    "arrived at return address": Status.RETURNED,
    "held": Status.EXCEPTION,
    "damaged": Status.EXCEPTION,
    "delayed": Status.EXCEPTION,
    "processing delay": Status.EXCEPTION,
    "misdirected": Status.EXCEPTION,
    "sorted incorrectly": Status.EXCEPTION,
    "parcelpod expired": Status.EXCEPTION,
}
