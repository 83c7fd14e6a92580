"""PostPlus tracking API: parcels by number, the event feed, the event codes and the tracking import."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

import httpx

from .base import (
    CarrierClient,
    CarrierUnavailable,
    InvalidNumber,
    as_dict,
    as_text,
    check_status,
    chunked,
    decode_json,
    logger,
    send,
    unique,
)
from .detect import POSTPLUS, normalize_number
from .model import FailureReason, Found, LastMile, Parcel, Place, Status, TrackingEvent, parcel_from_events

PARCEL_NRS_PATH = "/api/v1/tracking/parcel-nrs/get-many"
SENDER_PARCEL_NRS_PATH = "/api/v1/tracking/sender-parcel-nrs/get-many"
FEED_PATH = "/api/v1/tracking"
EVENT_CODES_PATH = "/api/v1/tracking/event-codes"
IMPORT_PATH = "/api/v1/integrations/tracking-import"

MAX_NUMBERS_PER_CALL = 50
MAX_FEED_COUNT = 500
MAX_IMPORT_EVENTS = 500
IMPORT_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# Longest error reason from an import answer that we repeat in CarrierUnavailable.
MAX_REASON_LENGTH = 120


@dataclass(frozen=True)
class FeedEvent:
    """One item of the cursor feed, without the shop's own reference (senderParcelNr)."""

    event_id: str
    event_version: str
    parcel_nr: str
    destination_country: str
    carrier: str
    carrier_parcel_nr: str
    event_code: str
    event_message: str
    event_time: datetime
    event_location: str


@dataclass(frozen=True)
class FeedPage:
    """One page of the cursor feed and the cursor to ask for the next one."""

    next_fetch_id: str
    fetch_done: bool
    items: tuple[FeedEvent, ...]


@dataclass(frozen=True)
class ImportEvent:
    """One event to push to PostPlus; `event_id` None lets PostPlus derive one."""

    tracking_nr: str
    event_code: str
    event_message: str
    event_time: datetime
    event_location: str = ""
    event_source_alt: str = ""
    event_id: str | None = None


# --- build requests ---------------------------------------------------------------------------------------


class PostPlusClient(CarrierClient):
    """PostPlus's tracking API, authenticated with an API key in X-API-KEY."""

    slug = POSTPLUS
    name = "PostPlus"
    batch_size = MAX_NUMBERS_PER_CALL

    def __init__(
        self,
        http: httpx.Client,
        *,
        base_url: str,
        api_key: str,
        code_statuses: Callable[[], Mapping[str, Status]] | None = None,
    ) -> None:
        super().__init__(http)
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._code_statuses = code_statuses

    def __repr__(self) -> str:
        return f"PostPlusClient(base_url={self.base_url!r})"

    def _list_request(self, path: str, parameter: str, numbers: Sequence[str]) -> httpx.Request:
        # The document shows literal commas between numbers; httpx's params= would send them as %2C.
        joined = ",".join(quote(number, safe="") for number in numbers)
        return self.http.build_request(
            "GET", f"{self.base_url}{path}?{parameter}={joined}", headers=_headers(self._api_key)
        )

    def _feed_request(self, start_date: date, fetch_id: str, count: int) -> httpx.Request:
        params = {"startDate": start_date.isoformat(), "count": str(count)}
        if fetch_id:
            params["fetchId"] = fetch_id
        return self.http.build_request(
            "GET", f"{self.base_url}{FEED_PATH}", params=params, headers=_headers(self._api_key)
        )

    def _event_codes_request(self) -> httpx.Request:
        return self.http.build_request("GET", f"{self.base_url}{EVENT_CODES_PATH}", headers=_headers(self._api_key))

    def _import_request(self, events: Sequence[ImportEvent], integration_key: str) -> httpx.Request:
        # Only the field list is published: we send a bare JSON array of event objects.
        return self.http.build_request(
            "POST",
            f"{self.base_url}{IMPORT_PATH}",
            json=[import_event_body(event) for event in events],
            headers=_headers(integration_key),
        )

    def _get_json(self, request: httpx.Request) -> Any:
        response = send(self.http, request, carrier=self.slug)
        _raise_for_status(response)
        return decode_json(response, carrier=self.slug)

    def track_batch(self, numbers: Sequence[str], kind: str = "") -> Mapping[str, Found]:
        """Look up at most 50 PostPlus parcel numbers in one call; numbers without events are absent."""
        items = feed_items(self._get_json(self._list_request(PARCEL_NRS_PATH, "ParcelNrs", numbers)))
        extra = self.code_statuses() if any(unknown_code(item) for item in items) else {}
        return {number: Found(parcel) for number, parcel in parcels_by_parcel_nr(items, numbers, extra).items()}

    def code_statuses(self) -> Mapping[str, Status]:
        """The statuses PostPlus's own event-code list gives codes our table lacks; empty when unavailable."""
        if self._code_statuses is None:
            return {}
        try:
            return self._code_statuses()
        except Exception as exc:  # the list only refines statuses: without it, an event's message decides
            logger.warning("carrier=%s outcome=event_code_statuses_failed error=%s", self.slug, type(exc).__name__)
            return {}

    def fetch_by_sender_numbers(self, numbers: list[str]) -> dict[str, Parcel]:
        """Parcels keyed by the shop's own reference asked for; each Parcel carries its PostPlus parcelNr."""
        wanted = unique(numbers)
        for number in wanted:
            if not number or "," in number:
                raise ValueError("A sender parcel number is non-empty and has no comma.")
        found: dict[str, Parcel] = {}
        for batch in chunked(wanted, MAX_NUMBERS_PER_CALL):
            items = feed_items(self._get_json(self._list_request(SENDER_PARCEL_NRS_PATH, "SenderParcelNrs", batch)))
            extra = self.code_statuses() if any(unknown_code(item) for item in items) else {}
            found.update(parcels_by_sender_nr(items, batch, extra))
        return found

    def fetch_feed_page(self, start_date: date, fetch_id: str = "", count: int = MAX_FEED_COUNT) -> FeedPage:
        """One page of the event feed, from `fetch_id` (empty on the very first call)."""
        if not 1 <= count <= MAX_FEED_COUNT:
            raise ValueError(f"count must be between 1 and {MAX_FEED_COUNT}")
        return feed_page(self._get_json(self._feed_request(start_date, fetch_id, count)))

    def fetch_event_codes(self) -> dict[str, str]:
        """PostPlus's event codes and their standard messages."""
        return event_codes(self._get_json(self._event_codes_request()))

    def import_events(self, events: list[ImportEvent], integration_key: str) -> None:
        """Push up to 500 events to PostPlus; the whole batch is accepted or refused."""
        if len(events) > MAX_IMPORT_EVENTS:
            raise ValueError(f"PostPlus imports at most {MAX_IMPORT_EVENTS} events per request")
        if not events:
            return
        response = send(self.http, self._import_request(events, integration_key), carrier=self.slug)
        if response.is_success:
            return
        reason = _refusal_reason(response, secrets=(integration_key, self._api_key))
        detail = f"HTTP {response.status_code}: {reason}" if reason else f"HTTP {response.status_code}"
        try:
            check_status(response, carrier=self.slug)
        except CarrierUnavailable as exc:
            raise CarrierUnavailable(exc.reason, detail) from None
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, detail)


def build_postplus_client(
    http: httpx.Client,
    *,
    base_url: str,
    api_key: str,
    code_statuses: Callable[[], Mapping[str, Status]] | None = None,
) -> PostPlusClient:
    """The PostPlus client the registry puts behind the site."""
    return PostPlusClient(http, base_url=base_url, api_key=api_key, code_statuses=code_statuses)


def _headers(api_key: str) -> dict[str, str]:
    return {"X-API-KEY": api_key, "Accept": "application/json"}


def import_event_body(event: ImportEvent) -> dict[str, str]:
    """The JSON object PostPlus expects for one imported event."""
    occurred = event.event_time
    # The import's time format carries no offset; we send UTC, the zone of PostPlus's published sample times.
    if occurred.tzinfo is not None:
        occurred = occurred.astimezone(UTC)
    body = {
        "eventSourceAlt": event.event_source_alt,
        "eventCode": event.event_code,
        "eventMessage": event.event_message,
        "eventTime": occurred.strftime(IMPORT_TIME_FORMAT),
        "eventLocation": event.event_location,
        "trackingNr": event.tracking_nr,
    }
    if event.event_id is not None:
        body = {"eventId": event.event_id, **body}
    return body


def _raise_for_status(response: httpx.Response) -> None:
    if response.status_code in (401, 403):
        status, path = response.status_code, response.request.url.path
        logger.error("carrier=%s outcome=key_refused status=%d path=%s", POSTPLUS, status, path)
        raise CarrierUnavailable(
            FailureReason.AUTH,
            f"HTTP {response.status_code}: the PostPlus API key was refused or lacks permission for this call",
        )
    check_status(response, carrier=POSTPLUS)


def _refusal_reason(response: httpx.Response, *, secrets: Iterable[str]) -> str:
    """A short reason from an error answer's JSON (title, first validation error), with any key blanked out."""
    try:
        body = as_dict(response.json())
    except (ValueError, UnicodeDecodeError):
        return ""
    reason = _first_text(body, ("title", "detail", "message", "error"))
    # ASP.NET-style validation answers list the failing fields under "errors": name the first one.
    for field, messages in as_dict(body.get("errors")).items():
        first = as_text(messages[0]) if isinstance(messages, list) and messages else as_text(messages)
        reason = f"{reason} {field}: {first}".strip()
        break
    reason = " ".join(reason.split())[:MAX_REASON_LENGTH]
    for secret in secrets:
        if secret:
            reason = reason.replace(secret, "***")
    return reason


# --- parse answers into the public model ------------------------------------------------------------------


@dataclass(frozen=True)
class RawItem:
    """One feed-shaped item after defensive reading; senderParcelNr is kept only for matching."""

    parcel: dict[str, Any]
    event: dict[str, Any]


def feed_items(body: Any) -> list[RawItem]:
    """The items of a get-many answer; CarrierUnavailable when it is not the shape we expect.

    The get-many answers are not published: we assume the feed's {"events": [{"parcel", "event"}]} and
    also accept a bare list of such items.
    """
    raw = body if isinstance(body, list) else as_dict(body).get("events")
    if not isinstance(raw, list):
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the answer has no list of events")
    items = [
        RawItem(parcel=item["parcel"], event=item["event"])
        for item in raw
        if isinstance(item, dict) and isinstance(item.get("parcel"), dict) and isinstance(item.get("event"), dict)
    ]
    if raw and not items:
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "no event in the answer has the expected shape")
    return items


def unknown_code(item: RawItem) -> bool:
    """Whether an item's event code is missing from our own table (PostPlus's code list may know it)."""
    code = as_text(item.event.get("eventCode")).upper()
    return bool(code) and code not in EVENT_CODE_STATUS


def parcels_by_parcel_nr(
    items: list[RawItem], numbers: Sequence[str], extra_codes: Mapping[str, Status] | None = None
) -> dict[str, Parcel]:
    """Group items by the asked number they belong to (parcelNr, or carrierParcelNr) and build Parcels."""
    asked = {number.upper(): number for number in numbers}
    grouped: dict[str, list[RawItem]] = {}
    for item in items:
        for field in ("parcelNr", "carrierParcelNr"):
            number = asked.get(as_text(item.parcel.get(field)).upper())
            if number:
                grouped.setdefault(number, []).append(item)
                break
    return {number: parcel_from_items(number, group, extra_codes) for number, group in grouped.items()}


def parcels_by_sender_nr(
    items: list[RawItem], sender_numbers: Sequence[str], extra_codes: Mapping[str, Status] | None = None
) -> dict[str, Parcel]:
    """Parcels keyed by the sender number asked; when a shop reused a reference, its newest parcel wins."""
    asked = {number.upper(): number for number in sender_numbers}
    grouped: dict[str, dict[str, list[RawItem]]] = {}
    for item in items:
        sender_number = asked.get(as_text(item.parcel.get("senderParcelNr")).upper())
        parcel_nr = as_text(item.parcel.get("parcelNr"))
        if sender_number and parcel_nr:
            grouped.setdefault(sender_number, {}).setdefault(parcel_nr, []).append(item)
    found: dict[str, Parcel] = {}
    for sender_number, by_parcel in grouped.items():
        parcels = [parcel_from_items(parcel_nr, group, extra_codes) for parcel_nr, group in by_parcel.items()]
        found[sender_number] = max(parcels, key=_newest_time)
    return found


EARLIEST = datetime.min.replace(tzinfo=UTC)


def _newest_time(parcel: Parcel) -> datetime:
    latest = parcel.latest_event
    return latest.occurred_at if latest else EARLIEST


def parcel_from_items(
    tracking_number: str, items: list[RawItem], extra_codes: Mapping[str, Status] | None = None
) -> Parcel:
    """A Parcel from one parcel's items: events deduplicated by eventId, country and last mile from the parcel data."""
    newest = latest_versions(items)
    events = [event for item in newest if (event := tracking_event(item.event, extra_codes)) is not None]
    countries = [country for item in items if (country := country_code(item.parcel.get("destinationCountry")))]
    return parcel_from_events(
        carrier=POSTPLUS,
        tracking_number=tracking_number,
        events=events,
        destination_country=countries[-1] if countries else "",
        last_mile=newest_last_mile(newest),
    )


def newest_last_mile(items: Iterable[RawItem]) -> LastMile | None:
    """The delivering carrier named by the parcel data of the newest event that names one."""
    by_time = sorted(items, key=lambda item: parse_event_time(item.event.get("eventTime")) or EARLIEST)
    for item in reversed(by_time):
        handover = last_mile(item.parcel.get("carrier"), item.parcel.get("carrierParcelNr"))
        if handover is not None:
            return handover
    return None


def latest_versions(items: Iterable[RawItem]) -> list[RawItem]:
    """One item per eventId, the one with the highest eventVersion; items without an eventId all stay."""
    by_id: dict[str, RawItem] = {}
    kept: list[RawItem] = []
    for item in items:
        event_id = as_text(item.event.get("eventId"))
        if not event_id:
            kept.append(item)
            continue
        current = by_id.get(event_id)
        if current is None or not _is_older(item.event.get("eventVersion"), current.event.get("eventVersion")):
            by_id[event_id] = item
    return kept + list(by_id.values())


def _is_older(candidate: Any, current: Any) -> bool:
    """Whether version `candidate` is below `current`; digits compare as numbers, anything else as text."""
    left, right = as_text(candidate), as_text(current)
    if left.isdigit() and right.isdigit():
        return int(left) < int(right)
    return left < right


def tracking_event(event: Mapping[str, Any], extra_codes: Mapping[str, Status] | None = None) -> TrackingEvent | None:
    """The public event, or None when it has no readable time."""
    occurred_at = parse_event_time(event.get("eventTime"))
    if occurred_at is None:
        return None
    message = as_text(event.get("eventMessage"))
    code = as_text(event.get("eventCode"))
    return TrackingEvent(
        occurred_at=occurred_at,
        status=status_for_event(code, message, extra_codes),
        description=message or code.replace("_", " ").capitalize(),
        place=place_from_location(event.get("eventLocation")),
    )


def parse_event_time(value: Any) -> datetime | None:
    """An ISO 8601 eventTime with its own offset kept; None when unreadable."""
    text = as_text(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    # Published times carry an offset; one without is read as UTC rather than dropped.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


# eventLocation is free text: a scan's place, but also whatever an integrator typed ("Kase tn 7, 10149
# Tallinn", "Delivered to Mari Maasikas"). Only two shapes become a place; everything else is dropped.
# A depot code: a country, a hyphen, a location code of letters first ("EE-TLL01", "GB-LHR-CUS"); a
# country and digits alone ("LT-01100") is a postal code. PostPlus's own "PPLUS" says "in PostPlus's
# systems", not where.
DEPOT_CODE = re.compile(r"[A-Z]{2}-[A-Z]{3}[A-Z0-9]{0,3}(?:-[A-Z0-9]{2,4})?")
# A town name: one to four words of letters (hyphens and apostrophes inside, a dot after), each capitalised
# but for the particles of place names ("Frankfurt am Main", "Newcastle upon Tyne"). No digits, no commas.
PLACE_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?")
PLACE_PARTICLES = frozenset({"am", "an", "de", "del", "der", "di", "du", "en", "im", "la", "le", "on", "op", "upon"})
# Words that say who, not where: a person, a handover, an address.
PERSON_WORDS = frozenset(
    {
        "delivered", "signed", "received", "collected", "handed", "left", "picked", "recipient", "receiver",
        "customer", "neighbour", "neighbor", "courier", "driver", "mr", "mrs", "ms", "miss", "dr", "sir",
        "street", "road", "avenue", "str", "tn", "mnt", "iela", "gatan", "katu", "ulica", "box",
    }
)  # fmt: skip
MAX_PLACE_WORDS = 4
MAX_PLACE_LENGTH = 40


def place_from_location(value: Any) -> Place:
    """A depot for an eventLocation shaped like a depot code or a town name; anything else gives no place."""
    text = " ".join(as_text(value).split())
    if len(text) > MAX_PLACE_LENGTH:
        return Place()
    if DEPOT_CODE.fullmatch(text) or is_town_name(text):
        return Place(depot=text)
    return Place()


def is_town_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= MAX_PLACE_WORDS or not all(PLACE_WORD.fullmatch(word) for word in words):
        return False
    if any(word.rstrip(".").casefold() in PERSON_WORDS for word in words):
        return False
    # An all-capitals single word is a system code ("PPLUS"), not a name.
    if len(words) == 1 and text.isupper():
        return False
    return all(word[0].isupper() or word in PLACE_PARTICLES for word in words) and words[0][0].isupper()


# --- last-mile carriers ---------------------------------------------------------------------------------

# The parcel data's `carrier` is the operator that delivers the last mile; it is free text too. A name is
# kept when it reads like a carrier's name: up to 40 letters, digits, spaces and & . ' ( ) -, with a letter
# somewhere ("4PX" is a carrier, "42" is not). PostPlus itself and placeholders ("TestCarrier" in the
# published sample, from PostPlus's test environment) are not another carrier.
CARRIER_NAME = re.compile(r"(?=.*[^\W\d_])[^\W_][\w &.'’()-]{0,39}")
OWN_NAMES = frozenset({"postplus", "pplus"})
PLACEHOLDER_NAMES = frozenset({"test", "testcarrier", "unknown", "none", "null", "na", "carrier"})


def last_mile(carrier: Any, number: Any) -> LastMile | None:
    """The carrier delivering the last mile and its number, when the parcel data names another carrier."""
    name = " ".join(as_text(carrier).split())
    folded = re.sub(r"[^a-z]", "", name.casefold())
    if not CARRIER_NAME.fullmatch(name) or folded in OWN_NAMES or folded in PLACEHOLDER_NAMES:
        return None
    try:
        # The number will be shown and linked like a visitor's own: it must pass the same check.
        handover_number = normalize_number(as_text(number))
    except InvalidNumber:
        return None
    return LastMile(carrier=name, number=handover_number)


def country_code(value: Any) -> str:
    text = as_text(value).upper()
    return text if len(text) == 2 and text.isalpha() and text.isascii() else ""


def feed_page(body: Any) -> FeedPage:
    """A parsed page of the cursor feed; CarrierUnavailable when the page could not be followed."""
    page = as_dict(body)
    raw = page.get("events")
    if not isinstance(raw, list):
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the feed page has no list of events")
    fetch_done = page.get("fetchDone") is True or as_text(page.get("fetchDone")).lower() == "true"
    next_fetch_id = as_text(page.get("nextFetchId"))
    if not fetch_done and not next_fetch_id:
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the feed page is not done but has no next cursor")
    items = tuple(event for item in raw if (event := feed_event(item)) is not None)
    if len(items) < len(raw):
        logger.warning("carrier=%s outcome=feed_items_skipped count=%d", POSTPLUS, len(raw) - len(items))
    return FeedPage(next_fetch_id=next_fetch_id, fetch_done=fetch_done, items=items)


def feed_event(item: Any) -> FeedEvent | None:
    """One feed item without its senderParcelNr; None when it has no eventId or no readable time."""
    parcel, event = as_dict(as_dict(item).get("parcel")), as_dict(as_dict(item).get("event"))
    event_id = as_text(event.get("eventId"))
    event_time = parse_event_time(event.get("eventTime"))
    if not event_id or event_time is None:
        return None
    return FeedEvent(
        event_id=event_id,
        event_version=as_text(event.get("eventVersion")),
        parcel_nr=as_text(parcel.get("parcelNr")),
        destination_country=country_code(parcel.get("destinationCountry")),
        carrier=as_text(parcel.get("carrier")),
        carrier_parcel_nr=as_text(parcel.get("carrierParcelNr")),
        event_code=as_text(event.get("eventCode")),
        event_message=as_text(event.get("eventMessage")),
        event_time=event_time,
        event_location=as_text(event.get("eventLocation")),
    )


def event_codes(body: Any) -> dict[str, str]:
    """Code → message from the event-codes answer, whose shape is not published.

    Accepted: a list of objects with code/eventCode and message/eventMessage/description, or an object
    mapping each code to its message.
    """
    codes: dict[str, str] = {}
    if isinstance(body, dict):
        codes = {
            code.strip(): message.strip() for code, message in body.items() if code.strip() and isinstance(message, str)
        }
    elif isinstance(body, list):
        for entry in map(as_dict, body):
            code = _first_text(entry, ("code", "eventCode"))
            if code:
                codes[code] = _first_text(entry, ("message", "eventMessage", "description"))
    else:
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the event codes answer is neither a list nor an object")
    if body and not codes:
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "no event code in the answer has the expected shape")
    return codes


def _first_text(entry: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    return next((text for key in keys if (text := as_text(entry.get(key)))), "")


# --- map codes --------------------------------------------------------------------------------------------

# Only CREATE_OR_UPDATE is published. PostPlus serves the rest at /api/v1/tracking/event-codes at run time;
# the other codes here are ours (the ones our fake uses), not PostPlus's published list.
EVENT_CODE_STATUS: dict[str, Status] = {
    "CREATE_OR_UPDATE": Status.INFO_RECEIVED,
    "ACCEPTED_AT_HUB": Status.IN_TRANSIT,
    "DEPARTED_HUB": Status.IN_TRANSIT,
    "IN_TRANSIT": Status.IN_TRANSIT,
    "ARRIVED_AT_DESTINATION_COUNTRY": Status.IN_TRANSIT,
    "CUSTOMS_CLEARED": Status.IN_TRANSIT,
    "HANDED_TO_LAST_MILE_CARRIER": Status.IN_TRANSIT,
    "OUT_FOR_DELIVERY": Status.OUT_FOR_DELIVERY,
    "DELIVERED": Status.DELIVERED,
    "DELIVERY_FAILED": Status.DELIVERY_FAILED,
    "AT_PICKUP_POINT": Status.AWAITING_PICKUP,
    "CUSTOMS_HELD": Status.EXCEPTION,
    "DAMAGED": Status.EXCEPTION,
    "RETURNED_TO_SENDER": Status.RETURNED,
}

# For codes we do not know: the first pattern found in the event message decides. Failure and return come
# before "delivered" so that "could not be delivered" and "returned, delivered to sender" read right.
MESSAGE_KEYWORD_STATUS: tuple[tuple[re.Pattern[str], Status], ...] = (
    (re.compile(r"\b(failed|unsuccessful|undeliverable|not (be )?delivered)\b"), Status.DELIVERY_FAILED),
    (re.compile(r"\breturn"), Status.RETURNED),
    (re.compile(r"\b(exception|held|damaged)\b"), Status.EXCEPTION),
    (re.compile(r"\bout for delivery\b"), Status.OUT_FOR_DELIVERY),
    (re.compile(r"\b(pickup point|pick-up point|parcel locker|collection point)\b"), Status.AWAITING_PICKUP),
    (re.compile(r"\bdelivered\b"), Status.DELIVERED),
    (re.compile(r"\b(transit|hub|departed|arrived)\b"), Status.IN_TRANSIT),
)


def status_for_event(code: str, message: str, extra_codes: Mapping[str, Status] | None = None) -> Status:
    """The status of one PostPlus event: our code table, then `extra_codes`, then the message's keywords."""
    key = code.strip().upper()
    if key in EVENT_CODE_STATUS:
        return EVENT_CODE_STATUS[key]
    if extra_codes and key in extra_codes:
        return extra_codes[key]
    text = message.lower()
    for pattern, status in MESSAGE_KEYWORD_STATUS:
        if pattern.search(text):
            return status
    return Status.UNKNOWN
