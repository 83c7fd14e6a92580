"""NZ Post ParcelTrack v4: parcels by tracking reference (several a call) and related references by partial match.

Only event times, statuses, descriptions (as text, without their markup), EDIFACT codes, depot names and whether
someone signed leave this module. Courier names, the signer's name and signature, scan coordinates (a delivery
scan's point at the recipient's door), run names and NZ Post's internal references are never copied.

The parser reads NZ Post's published samples (tests/fixtures/nzpost/, each with its source in the fixtures'
README) and what its documents and a public capture disagree on, both ways: codes as strings or numbers, both
published forms of `date_time`, `results`, `tracking_events` and `errors` as a list or as one object. Whatever it
still cannot read is left out and reported to the drift alarm by path (`results[].tracking_events[].date_time`),
never by value; one unreadable event never costs the parcel its other events.
"""

from __future__ import annotations

import html
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
    as_text,
    fetch_json,
)
from .detect import NZPOST, normalize_number
from .drift import report_drift
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
from .status_map import StatusMap, phrases

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
        body = fetch_json(self.http, url, carrier=self.slug, auth=self.credentials, extensions=self.extensions)
        if not isinstance(body, dict) or not ("results" in body or "success" in body):
            report_drift(self.slug, ANSWER, body)
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

# Where the drift alarm says a surprise was: JSON-path-like, never a value.
ANSWER = "$"
RESULTS = "results"
RESULT = "results[]"
EVENT = "results[].tracking_events[]"


def data_may_be_incomplete(result: TrackingResult) -> bool:
    """Whether a result's events may be missing some: NZ Post said not every source answered in full."""
    return isinstance(result, Found) and result.incomplete


def results_for_numbers(
    answer: Mapping[str, Any], numbers: Sequence[str], *, carrier: str
) -> dict[str, TrackingResult]:
    """One result per asked number; a number the answer does not mention is not found."""
    by_reference = items_by_reference(result_items(answer))
    return {number: result_for_item(by_reference.get(number.upper()), carrier, number) for number in numbers}


def one_or_many(value: Any, path: str) -> list[Any]:
    """A field NZ Post's samples print as a list and its field tables call "a JSON object": both are read.

    Null or absent is an empty list; any other type is reported and read as empty.
    """
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    if value is not None:
        report_drift(NZPOST, path, value)
    return []


def objects(values: list[Any], path: str) -> list[dict[str, Any]]:
    """The JSON objects of a list; anything else in it is reported and left out."""
    kept = []
    for value in values:
        if isinstance(value, dict):
            kept.append(value)
        else:
            report_drift(NZPOST, path, value)
    return kept


def result_items(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answer's results; raises when there are none because the whole call failed.

    The shape of a whole-call error is not published: `success: false` and/or a top-level `errors` list (or
    object, as v3's published failure has it) like the results' own are read defensively.
    """
    results = answer.get("results")
    if results is not None and not isinstance(results, (list, dict)):
        report_drift(NZPOST, RESULTS, results)
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "results is neither a list nor an object")
    items = objects(one_or_many(results, RESULTS), RESULT)
    if items:
        return items
    codes = error_codes(answer.get("errors"), "errors")
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
        reference = reference_text(item.get("tracking_reference")).upper()
        if not reference:
            report_drift(NZPOST, f"{RESULT}.tracking_reference", item.get("tracking_reference"))
            continue
        if reference not in chosen or (has_events(item) and not has_events(chosen[reference])):
            chosen[reference] = item
    return chosen


def has_events(item: Mapping[str, Any]) -> bool:
    events = item.get("tracking_events")
    return isinstance(events, dict) or (isinstance(events, list) and bool(events))


def event_records(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A result's raw events (a list, or one object); what is not a JSON object is reported and left out."""
    return objects(one_or_many(item.get("tracking_events"), f"{RESULT}.tracking_events"), EVENT)


def result_for_item(item: Mapping[str, Any] | None, carrier: str, number: str) -> TrackingResult:
    """Events win over errors: what NZ Post found is shown, flagged when it said something may be missing.

    A result whose events were all unreadable is a bad answer, not "not found": NZ Post did know the parcel.
    """
    if item is None:
        return NotFound(carrier, number)
    codes = error_codes(item.get("errors"), f"{RESULT}.errors")
    records = event_records(item)
    parcel = parcel_of(records, carrier=carrier, tracking_number=number)
    if parcel.events:
        return Found(parcel, incomplete=bool(codes))
    reason = failure_reason(codes) or (FailureReason.BAD_RESPONSE if records else None)
    return CarrierFailure(carrier, number, reason) if reason else NotFound(carrier, number)


def parcel_of(records: list[dict[str, Any]], *, carrier: str, tracking_number: str) -> Parcel:
    """A Parcel of the readable events; only whether someone signed is read from `signed_by`."""
    events = [event for raw in records if (event := parse_event(raw)) is not None]
    return parcel_from_events(
        carrier=carrier,
        tracking_number=tracking_number,
        events=events,
        signed=any(was_signed(raw) for raw in records),
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
        records = event_records(item)
        parcel = parcel_of(records, carrier=carrier, tracking_number=number)
        if parcel.events:
            parcels.append(parcel)
        elif reason := failure_reason(error_codes(item.get("errors"), f"{RESULT}.errors")):
            reasons.append(reason)
        elif records:
            reasons.append(FailureReason.BAD_RESPONSE)
    if not parcels and reasons:
        raise CarrierUnavailable(reasons[0], "NZ Post could not answer the partial match")
    return parcels


def parse_event(raw: Mapping[str, Any]) -> TrackingEvent | None:
    """One scan, or None (reported to the drift alarm) without a readable time.

    Courier names, coordinates, run, seqref and source stay behind.
    """
    occurred_at = parse_utc(raw.get("date_time"))
    if occurred_at is None:
        report_drift(NZPOST, f"{EVENT}.date_time", raw.get("date_time"))
        return None
    brief = event_text(raw, "status")
    code = edifact_code(raw)
    if code and not STATUS_MAP.knows(code):
        report_drift(NZPOST, f"{EVENT}.edifact_code", raw.get("edifact_code"))
    depot = event_text(raw, "depot_name")
    return TrackingEvent(
        occurred_at=occurred_at,
        status=STATUS_MAP.status(code, (brief,)),
        description=without_markup(event_text(raw, "description")) or brief,
        # Depots are NZ Post's own, in New Zealand; scans abroad come without one. Before NZ Post has the item
        # (the sender only has a label), the depot named is the one that will collect it: not a place it has been.
        place=Place(depot=depot, country=NZ) if depot and not before_first_scan(code, brief) else Place(),
        code=code,
    )


def event_text(raw: Mapping[str, Any], key: str) -> str:
    """A text field of an event, cleaned (`as_text`); a field of another JSON type is reported and read as ""."""
    value = raw.get(key)
    if value is None or (isinstance(value, (str, int, float)) and not isinstance(value, bool)):
        return as_text(value)
    report_drift(NZPOST, f"{EVENT}.{key}", value)
    return ""


def edifact_code(raw: Mapping[str, Any]) -> str:
    """An event's EDIFACT code as text ("13" whether sent as "13", "013" or 13); "" when absent or unreadable."""
    value = raw.get("edifact_code")
    code = code_text(value)
    if value is not None and not code:
        report_drift(NZPOST, f"{EVENT}.edifact_code", value)
    return code


def was_signed(raw: Mapping[str, Any]) -> bool:
    """Whether a scan carries a signature; the name and the signature data themselves are not kept."""
    signed_by = raw.get("signed_by")
    if signed_by is not None and not isinstance(signed_by, dict):
        report_drift(NZPOST, f"{EVENT}.signed_by", signed_by)
    fields = as_dict(signed_by)
    return bool(as_text(fields.get("name")) or as_text(fields.get("signature")))


def parse_utc(value: Any) -> datetime | None:
    """An aware UTC datetime from "2015-03-23T17:04:08Z" or "2016-01-29 11:00:00Z" (both in the document)."""
    text = as_text(value) if isinstance(value, str) else ""
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


def reference_text(value: Any) -> str:
    """A tracking reference as text: a string, or a Pace job number sent as a JSON number."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return as_text(value)
    return ""


def code_text(value: Any) -> str:
    """An EDIFACT or error code as text: NZ Post sends "13" and "400002", some answers carry numbers."""
    text = reference_text(value)
    return text.lstrip("0") or text


def error_codes(value: Any, path: str) -> list[str]:
    """The codes of an `errors` list (or of one error object), as text; unknown codes are reported."""
    codes = []
    for error in objects(one_or_many(value, path), f"{path}[]"):
        code = code_text(error.get("code"))
        if code not in ERROR_REASONS:
            report_drift(NZPOST, f"{path}[].code", error.get("code"))
        if code:
            codes.append(code)
    return codes


def failure_reason(codes: Sequence[str]) -> FailureReason | None:
    """What a result's error codes mean when it came without events; None means simply not found."""
    reasons = [ERROR_REASONS.get(code, FailureReason.BAD_RESPONSE) for code in codes]
    return next((reason for reason in reasons if reason is not None), None)


# Markup in a description: a tag (a letter, `/`, `!` or `?` right after `<`; "2 < 3" is text), its name, and what
# ends it (`>`, or a quoted attribute value that may hold one). Scanned once, left to right: no input costs more than
# its length, and none raises.
TAG_START = re.compile(r"<[A-Za-z/!?]")
TAG_NAME = re.compile(r"</?([a-z][a-z0-9]*)", re.IGNORECASE)
TAG_STOP = re.compile(r""">|=\s*(["'])""")
# Tags left out with everything up to their closing tag.
HIDDEN_UNTIL = {tag: re.compile(rf"</{tag}", re.IGNORECASE) for tag in ("script", "style")}
BREAKING_TAGS = frozenset({"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "table"})


def without_markup(text: str) -> str:
    """A description as text: NZ Post's descriptions may carry HTML links, shown neither as tags nor as links.

    Tags go (a link keeps its words, never its address; a line-breaking tag leaves a space), script and style go
    whole, entities are decoded; a `<` that opens no tag, or a tag that never closes, stays as text.
    """
    if "<" not in text and "&" not in text:
        return text
    parts: list[str] = []
    position = 0
    while (start := text.find("<", position)) != -1:
        if not TAG_START.match(text, start):
            parts.append(text[position : start + 1])
            position = start + 1
            continue
        end = markup_end(text, start)
        if end is None:
            break
        parts.append(text[position:start])
        name = TAG_NAME.match(text, start)
        tag = name.group(1).lower() if name else ""
        if tag in BREAKING_TAGS:
            parts.append(" ")
        position = end
        if tag in HIDDEN_UNTIL and not text.startswith("</", start):
            closing = HIDDEN_UNTIL[tag].search(text, end)
            position = closing.start() if closing else len(text)
    parts.append(text[position:])
    return as_text(" ".join(html.unescape("".join(parts)).split()))


def markup_end(text: str, start: int) -> int | None:
    """Just after the tag or comment that opens at `start` (quoted attribute values honoured), or None if it never
    ends."""
    if text.startswith("<!--", start):
        closing = text.find("-->", start + 4)
        return None if closing == -1 else closing + 3
    position = start + 1
    while stop := TAG_STOP.search(text, position):
        if stop.group(0) == ">":
            return stop.end()
        closing = text.find(stop.group(1), stop.end())
        if closing == -1:
            return None
        position = closing + 1
    return None


def before_first_scan(code: str, brief: str) -> bool:
    """Whether an event says only that the sender has a label ("ready to send"): NZ Post has not had the item."""
    if STATUS_MAP.knows(code):
        return code in LABEL_ONLY_CODES
    return bool(LABEL_ONLY_WORDS.search(brief))


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


def whole_status(*alternatives: str) -> re.Pattern[str]:
    """A pattern that matches a brief `status` only when it is one of the phrases as a whole, whatever its case
    and spacing: NZ Post's brief statuses are a small vocabulary, and a phrase inside another would mislead."""
    return re.compile(rf"^\s*{phrases(*alternatives).pattern}\s*$", re.IGNORECASE)


# NZ Post's published EDIFACT codes for domestic services (the "Edifact Codes" page of the ParcelTrack portal),
# with the status each one shows there; 997 ("Ready to send") is the document's own example. 205, 206 and 40 are
# from a public capture of NZ Post's tracking tool (tests/fixtures/README.md). Then the brief `status` words, for
# codes not in the table (international services, new codes), each matched against the whole brief status.
STATUS_MAP = StatusMap(
    codes={
        # Picked up / ready to send: pickup FROM THE SENDER, so NZ Post knows of the item but the journey has not
        # started; the document's sample pairs 13 with "Ready for pickup".
        "13": Status.INFO_RECEIVED,
        "60": Status.INFO_RECEIVED,  # Pick up attempted (at the sender's)
        "78": Status.INFO_RECEIVED,  # Courier to collect (from the sender)
        "205": Status.INFO_RECEIVED,  # Pickup request received
        "206": Status.INFO_RECEIVED,  # Allocated to driver (for the pickup)
        "997": Status.INFO_RECEIVED,  # Ready to send / Tracking number allocated to parcel
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
        "40": Status.EXCEPTION,  # Delayed
        "54": Status.EXCEPTION,  # Processing delay
        "61": Status.EXCEPTION,  # Misdirected
        "63": Status.EXCEPTION,  # ParcelPod expired
        "542": Status.EXCEPTION,  # Sorted incorrectly
        "67": Status.RETURNED,  # Arrived at Return Address
    },
    words=(
        # Pickup from the sender: the item has not started its journey to the recipient.
        (
            whole_status(
                "ready for pickup",
                "ready to send",
                "tracking number allocated to parcel",
                "picked up",
                "pick up attempted",
                "courier to collect",
            ),
            Status.INFO_RECEIVED,
        ),
        (
            whole_status(
                "in transit",
                "in transit to depot",
                "in transit to local depot",
                "processing at depot",
                "item at depot",
                "awaiting delivery",
                "waiting for courier",
                "handed over",
                "handed over for delivery",
                "left new zealand",
                "redirected",
                "item on way to collection point",
            ),
            Status.IN_TRANSIT,
        ),
        (
            whole_status("out for delivery", "with courier for delivery", "with ruralpost for delivery"),
            Status.OUT_FOR_DELIVERY,
        ),
        (whole_status("delivered"), Status.DELIVERED),
        (whole_status("awaiting collection", "ready to collect", "in parcelpod"), Status.AWAITING_PICKUP),
        (whole_status("unable to deliver", "delivery attempted"), Status.DELIVERY_FAILED),
        (whole_status("returned to sender", "arrived at return address"), Status.RETURNED),
        (
            whole_status(
                "held",
                "damaged",
                "delayed",
                "processing delay",
                "misdirected",
                "sorted incorrectly",
                "parcelpod expired",
            ),
            Status.EXCEPTION,
        ),
    ),
)

# The sender has a label; NZ Post has not scanned the item yet.
LABEL_ONLY_CODES = frozenset({"997"})
LABEL_ONLY_WORDS = whole_status("ready to send", "tracking number allocated to parcel")
