"""PostPlus tracking API: parcels by number, the event feed, the event codes and the tracking import.

What PostPlus publishes (copied verbatim into tests/fixtures/postplus/): get-many answers a bare list of parcels,
each with its events nested; the cursor feed answers {"nextFetchId", "fetchDone", "events": [{"parcel", "event"}]};
the event codes come with milestone flags; the tracking import takes {"events": [...]}. Anything else is read
where it can be, and reported to the drift alarm (carriers/drift.py) by its path: `$` for the answer itself,
`[].events[].eventTime` for a get-many event's time, `events[].event.eventTime` for a feed event's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import httpx

from .base import (
    CarrierClient,
    CarrierUnavailable,
    InvalidNumber,
    as_dict,
    as_text,
    check_status,
    chunked,
    fetch_json,
    logger,
    send,
    unique,
)
from .detect import POSTPLUS, normalize_number
from .drift import report_drift
from .model import FailureReason, Found, LastMile, Parcel, Place, Status, TrackingEvent, parcel_from_events
from .status_map import StatusMap, phrases

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
# Longer than any tracking page's address: a carrierUrl beyond it is left out (and reported).
MAX_URL_LENGTH = 2000
KEY_REFUSED = "the PostPlus API key was refused or lacks permission for this call"


@dataclass(frozen=True)
class EventRecord:
    """One PostPlus event as read (its time readable: events without one are left out where they are read)."""

    event_id: str
    event_version: str
    occurred_at: datetime
    code: str
    message: str
    location: str


@dataclass(frozen=True)
class ParcelRecord:
    """One parcel as PostPlus answered it, field by field, with its events.

    `sender_parcel_nr` (the shop's own reference) is here only to match the staff console's sender search: no
    Parcel, FeedEvent or stored row has a field for it.
    """

    parcel_nr: str
    manifest_parcel_nr: str
    destination_country: str
    carrier: str
    carrier_parcel_nr: str
    carrier_site: str  # carrierUrl's origin only (carrier_site())
    events: tuple[EventRecord, ...] = ()
    sender_parcel_nr: str = field(default="", repr=False)

    @property
    def numbers(self) -> tuple[str, ...]:
        """The numbers the parcel answers to (a record naming none is no parcel)."""
        return tuple(number for number in (self.parcel_nr, self.manifest_parcel_nr, self.carrier_parcel_nr) if number)


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
    manifest_parcel_nr: str = ""
    carrier_site: str = ""


@dataclass(frozen=True)
class FeedPage:
    """One page of the cursor feed and the cursor to ask for the next one."""

    next_fetch_id: str
    fetch_done: bool
    items: tuple[FeedEvent, ...]


@dataclass(frozen=True)
class EventCode:
    """One of PostPlus's event codes: its standard message and the milestone flags PostPlus sets for it."""

    code: str
    message: str
    milestones: frozenset[str] = frozenset()


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


class ApiKey(httpx.Auth):
    """PostPlus's key, sent in X-API-KEY on each request; no repr shows it."""

    def __init__(self, key: str) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "ApiKey(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-API-KEY"] = self._key
        yield request


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
        self._auth = ApiKey(api_key)
        self._code_statuses = code_statuses

    def __repr__(self) -> str:
        return f"PostPlusClient(base_url={self.base_url!r})"

    def _get_json(self, path: str, query: str = "") -> Any:
        """One GET through the shared helper; a refused key says so (a key may lack one call's permission)."""
        url = f"{self.base_url}{path}?{query}" if query else f"{self.base_url}{path}"
        try:
            return fetch_json(self.http, url, carrier=self.slug, auth=self._auth, extensions=self.extensions)
        except CarrierUnavailable as exc:
            if exc.reason is FailureReason.AUTH:
                raise CarrierUnavailable(FailureReason.AUTH, f"{exc.detail}: {KEY_REFUSED}") from None
            raise

    def _get_many(self, path: str, parameter: str, numbers: Sequence[str]) -> list[ParcelRecord]:
        # The published examples put literal commas between numbers; urlencode would send them as %2C.
        joined = ",".join(quote(number, safe="") for number in numbers)
        return get_many_records(self._get_json(path, f"{parameter}={joined}"))

    def track_batch(self, numbers: Sequence[str], kind: str = "") -> Mapping[str, Found]:
        """Look up at most 50 PostPlus numbers in one call; numbers PostPlus does not answer are absent."""
        records = self._get_many(PARCEL_NRS_PATH, "ParcelNrs", numbers)
        parcels = parcels_by_number(records, numbers, self._statuses_for(records))
        return {number: Found(parcel) for number, parcel in parcels.items()}

    def _statuses_for(self, records: Iterable[ParcelRecord]) -> Mapping[str, Status]:
        """PostPlus's own code list, asked only when an event's code is missing from our table."""
        codes = (event.code for record in records for event in record.events)
        return self.code_statuses() if any(code and not STATUS_MAP.knows(code) for code in codes) else {}

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
            records = self._get_many(SENDER_PARCEL_NRS_PATH, "SenderParcelNrs", batch)
            found.update(parcels_by_sender_number(records, batch, self._statuses_for(records)))
        return found

    def fetch_feed_page(self, start_date: date, fetch_id: str = "", count: int = MAX_FEED_COUNT) -> FeedPage:
        """One page of the event feed, from `fetch_id` (empty on the very first call, as published)."""
        if not 1 <= count <= MAX_FEED_COUNT:
            raise ValueError(f"count must be between 1 and {MAX_FEED_COUNT}")
        query = urlencode({"startDate": start_date.isoformat(), "count": count, "fetchId": fetch_id})
        return feed_page(self._get_json(FEED_PATH, query))

    def fetch_event_codes(self) -> dict[str, EventCode]:
        """PostPlus's event codes, each with its standard message and milestone flags."""
        return event_codes(self._get_json(EVENT_CODES_PATH))

    def import_events(self, events: list[ImportEvent], integration_key: str) -> None:
        """Push up to 500 events to PostPlus; the whole batch is accepted or refused."""
        if len(events) > MAX_IMPORT_EVENTS:
            raise ValueError(f"PostPlus imports at most {MAX_IMPORT_EVENTS} events per request")
        if not events:
            return
        request = self.http.build_request(
            "POST",
            f"{self.base_url}{IMPORT_PATH}",
            json={"events": [import_event_body(event) for event in events]},
            headers={"Accept": "application/json"},
            extensions=dict(self.extensions),
        )
        response = send(self.http, request, carrier=self.slug, auth=ApiKey(integration_key))
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


def import_event_body(event: ImportEvent) -> dict[str, str]:
    """The JSON object PostPlus expects for one imported event (inside the request's "events" list)."""
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


def _refusal_reason(response: httpx.Response, *, secrets: Iterable[str]) -> str:
    """A short reason from an error answer's JSON (title, first validation error), with any key blanked out."""
    try:
        body = as_dict(response.json())
    except (ValueError, UnicodeDecodeError):
        return ""
    reason = _first_text(body, ("title", "detail", "message", "error"))
    # ASP.NET-style validation answers list the failing fields under "errors": name the first one.
    for field_name, messages in as_dict(body.get("errors")).items():
        first = as_text(messages[0]) if isinstance(messages, list) and messages else as_text(messages)
        reason = f"{reason} {field_name}: {first}".strip()
        break
    reason = " ".join(reason.split())[:MAX_REASON_LENGTH]
    for secret in secrets:
        if secret:
            reason = reason.replace(secret, "***")
    return reason


def _first_text(entry: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    return next((text for key in keys if (text := as_text(entry.get(key)))), "")


# --- parse answers into the public model ------------------------------------------------------------------


def text_field(record: Mapping[str, Any], key: str, path: str) -> str:
    """A text field, cleaned (ids and codes may come as numbers); any other JSON type is left out and reported."""
    value = record.get(key)
    if _is_text(value):
        return as_text(value)
    report_drift(POSTPLUS, f"{path}.{key}", value)
    return ""


def _is_text(value: Any) -> bool:
    """Whether a JSON value reads as text: a string, a number, or null (nothing)."""
    return value is None or (isinstance(value, (str, int, float)) and not isinstance(value, bool))


def get_many_records(body: Any) -> list[ParcelRecord]:
    """The parcels of a get-many answer: published as a bare list of parcels with their events nested.

    Also read, and reported as drift at `$`: the feed's {"events": [{"parcel", "event"}]}, a list of such items,
    an object wrapping the list under one key, a single parcel. CarrierUnavailable when nothing can be read.
    """
    raw, feed_shaped = _get_many_list(body)
    records: list[ParcelRecord] = []
    for item in raw:
        record = _get_many_item(item, feed_shaped)
        if record is not None and record.numbers:
            records.append(record)
        elif record is not None:
            report_drift(POSTPLUS, "events[]" if feed_shaped else "[]", item)  # an object naming no parcel
    if raw and not records:
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "no parcel in the answer has a shape we can read")
    return records


def _get_many_list(body: Any) -> tuple[list[Any], bool]:
    """The answer's list of parcels (or of feed items, then True), from whichever shape it came in."""
    if isinstance(body, list):
        return body, False
    report_drift(POSTPLUS, "$", body)
    if isinstance(body, dict):
        events = body.get("events")
        if isinstance(events, list) and all(isinstance(item, dict) and _is_feed_item(item) for item in events):
            return events, True
        if "parcelNr" in body:
            return [body], False
        lists = [value for value in body.values() if isinstance(value, list)]
        if len(lists) == 1:
            return lists[0], False
    raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the answer is not a list of parcels")


def _get_many_item(item: Any, feed_shaped: bool) -> ParcelRecord | None:
    if not isinstance(item, dict):
        report_drift(POSTPLUS, "events[]" if feed_shaped else "[]", item)
        return None
    if feed_shaped:
        return _feed_item_record(item, "events[]")
    if _is_feed_item(item):
        report_drift(POSTPLUS, "[].event", item.get("event"))
        return _feed_item_record(item, "[]")
    return parcel_record(item, "[]")


def _is_feed_item(item: Mapping[str, Any]) -> bool:
    return isinstance(item.get("event"), dict) and "events" not in item


def _feed_item_record(item: Mapping[str, Any], path: str) -> ParcelRecord:
    """A feed item as a parcel record with its one event (none when the event cannot be read)."""
    parcel = item.get("parcel")
    if not isinstance(parcel, dict):
        report_drift(POSTPLUS, f"{path}.parcel", parcel)
        parcel = {}
    event = event_record(item.get("event"), f"{path}.event")
    return parcel_record(parcel, f"{path}.parcel", events=(event,) if event else ())


def parcel_record(raw: Mapping[str, Any], path: str, events: tuple[EventRecord, ...] | None = None) -> ParcelRecord:
    """One parcel read field by field (its nested events too, unless `events` are given); an unreadable field
    is left out and reported, never the parcel."""
    if events is None:
        nested = raw.get("events")
        if not isinstance(nested, list):
            if nested is not None:
                report_drift(POSTPLUS, f"{path}.events", nested)
            nested = []
        events = tuple(event for item in nested if (event := event_record(item, f"{path}.events[]")) is not None)
    url = text_field(raw, "carrierUrl", path)
    if len(url) > MAX_URL_LENGTH:
        report_drift(POSTPLUS, f"{path}.carrierUrl", url)
        url = ""
    return ParcelRecord(
        parcel_nr=text_field(raw, "parcelNr", path),
        manifest_parcel_nr=text_field(raw, "manifestParcelNr", path),
        destination_country=_country(raw, path),
        carrier=text_field(raw, "carrier", path),
        carrier_parcel_nr=text_field(raw, "carrierParcelNr", path),
        carrier_site=carrier_site(url),
        events=events,
        sender_parcel_nr=text_field(raw, "senderParcelNr", path),
    )


def carrier_site(url: str) -> str:
    """carrierUrl's scheme, host and port: all the site needs to tell whose tracking page it is. The path and query
    may carry the recipient's postcode or name, so they are dropped where the answer is read. "" for an address
    that names no host or carries user info (`https://name@host/`)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    host = parts.hostname or ""
    if not parts.scheme or not host or ":" in host or "@" in parts.netloc:
        return ""
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


def event_record(raw: Any, path: str) -> EventRecord | None:
    """One event read field by field; None (reported) when it is not an object or its time is unreadable.

    A code our table does not know is reported too (the event keeps it: PostPlus's code list or the message
    may still say what it means).
    """
    if not isinstance(raw, dict):
        report_drift(POSTPLUS, path, raw)
        return None
    occurred_at = parse_event_time(text_field(raw, "eventTime", path))
    if occurred_at is None:
        if _is_text(raw.get("eventTime")):  # another type was reported as it was read
            report_drift(POSTPLUS, f"{path}.eventTime", raw.get("eventTime"))
        return None
    code = text_field(raw, "eventCode", path)
    if code and not STATUS_MAP.knows(code):
        report_drift(POSTPLUS, f"{path}.eventCode", raw.get("eventCode"))
    return EventRecord(
        event_id=text_field(raw, "eventId", path),
        event_version=text_field(raw, "eventVersion", path),
        occurred_at=occurred_at,
        code=code,
        message=text_field(raw, "eventMessage", path),
        location=text_field(raw, "eventLocation", path),
    )


def parse_event_time(text: str) -> datetime | None:
    """An ISO 8601 eventTime with its own offset kept; None when unreadable."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    # Published times carry an offset; one without is read as UTC rather than dropped.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def country_code(text: str) -> str:
    """An ISO 3166 alpha-2 code, upper-cased; "" for anything else."""
    code = text.upper()
    return code if len(code) == 2 and code.isalpha() and code.isascii() else ""


def _country(raw: Mapping[str, Any], path: str) -> str:
    """The parcel's destination country; a value that is no country code is left out and reported."""
    text = text_field(raw, "destinationCountry", path)
    code = country_code(text)
    if text and not code:
        report_drift(POSTPLUS, f"{path}.destinationCountry", raw.get("destinationCountry"))
    return code


def parcels_by_number(
    records: Iterable[ParcelRecord], numbers: Sequence[str], extra_codes: Mapping[str, Status] | None = None
) -> dict[str, Parcel]:
    """Parcels keyed by the asked number each record answers: its parcelNr, manifestParcelNr or carrierParcelNr."""
    asked = {number.upper(): number for number in numbers}
    grouped: dict[str, list[ParcelRecord]] = {}
    for record in records:
        for candidate in record.numbers:
            number = asked.get(candidate.upper())
            if number:
                grouped.setdefault(number, []).append(record)
                break
    return {number: parcel_from_records(number, group, extra_codes) for number, group in grouped.items()}


def parcels_by_sender_number(
    records: Iterable[ParcelRecord], sender_numbers: Sequence[str], extra_codes: Mapping[str, Status] | None = None
) -> dict[str, Parcel]:
    """Parcels keyed by the sender number asked; when a shop reused a reference, its newest parcel wins."""
    asked = {number.upper(): number for number in sender_numbers}
    grouped: dict[str, dict[str, list[ParcelRecord]]] = {}
    for record in records:
        sender_number = asked.get(record.sender_parcel_nr.upper())
        if sender_number and record.parcel_nr:
            grouped.setdefault(sender_number, {}).setdefault(record.parcel_nr, []).append(record)
    found: dict[str, Parcel] = {}
    for sender_number, by_parcel in grouped.items():
        parcels = [parcel_from_records(parcel_nr, group, extra_codes) for parcel_nr, group in by_parcel.items()]
        found[sender_number] = max(parcels, key=_newest_time)
    return found


EARLIEST = datetime.min.replace(tzinfo=UTC)


def _newest_time(parcel: Parcel) -> datetime:
    latest = parcel.latest_event
    return latest.occurred_at if latest else EARLIEST


def _record_time(record: ParcelRecord) -> datetime:
    return max((event.occurred_at for event in record.events), default=EARLIEST)


def parcel_from_records(
    tracking_number: str, records: Sequence[ParcelRecord], extra_codes: Mapping[str, Status] | None = None
) -> Parcel:
    """A Parcel from one parcel's records: one event per eventId (its newest version), country and last mile
    from the parcel data of its newest event."""
    newest = newest_versions(event for record in records for event in record.events)
    events = [
        tracking_event(event.occurred_at, event.code, event.message, event.location, extra_codes) for event in newest
    ]
    by_time = sorted(records, key=_record_time)
    countries = [record.destination_country for record in by_time if record.destination_country]
    named = (
        last_mile(record.carrier, record.carrier_parcel_nr, url=record.carrier_site, handed_over=shows_handover(events))
        for record in reversed(by_time)
    )
    return parcel_from_events(
        carrier=POSTPLUS,
        tracking_number=tracking_number,
        events=events,
        destination_country=countries[-1] if countries else "",
        last_mile=next((handover for handover in named if handover is not None), None),
    )


class Versioned(Protocol):
    @property
    def event_id(self) -> str: ...

    @property
    def event_version(self) -> str: ...


V = TypeVar("V", bound=Versioned)


def version_is_newer(candidate: str, current: str) -> bool:
    """Whether eventVersion `candidate` is above `current`: as numbers when both are digits, else as text."""
    if candidate.isdigit() and current.isdigit():
        return int(candidate) > int(current)
    return candidate > current


def newest_versions(events: Iterable[V]) -> list[V]:
    """One event per eventId, its highest eventVersion (of equal versions, the later); events without an id stay."""
    by_id: dict[str, V] = {}
    kept: list[V] = []
    for event in events:
        if not event.event_id:
            kept.append(event)
            continue
        current = by_id.get(event.event_id)
        if current is None or not version_is_newer(current.event_version, event.event_version):
            by_id[event.event_id] = event
    return kept + list(by_id.values())


def tracking_event(
    occurred_at: datetime, code: str, message: str, location: str, extra_codes: Mapping[str, Status] | None = None
) -> TrackingEvent:
    """The public event of one PostPlus event (from the API or the stored feed)."""
    return TrackingEvent(
        occurred_at=occurred_at,
        status=status_for_event(code, message, extra_codes),
        description=message or code.replace("_", " ").capitalize(),
        place=place_from_location(location),
        code=code,
    )


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
PLACEHOLDER_NAMES = frozenset({"test", "testcarrier", "unknown", "none", "null", "na", "carrier", "string"})


def last_mile(carrier: Any, number: Any, *, url: str = "", handed_over: bool = False) -> LastMile | None:
    """The carrier delivering the last mile, its number and the site of the page its data names, when it names
    another carrier.

    `url` (carrier_site()'s origin) is kept as given: untrusted, the site only asks whose host it is.
    """
    name = " ".join(as_text(carrier).split())
    folded = re.sub(r"[^a-z]", "", name.casefold())
    if not CARRIER_NAME.fullmatch(name) or folded in OWN_NAMES or folded in PLACEHOLDER_NAMES:
        return None
    try:
        # The number will be shown and linked like a visitor's own: it must pass the same check.
        handover_number = normalize_number(as_text(number))
    except InvalidNumber:
        return None
    return LastMile(carrier=name, number=handover_number, handed_over=handed_over, url=as_text(url))


# Which scans show that the last-mile carrier has the parcel. PostPlus publishes no handover code:
# HANDED_TO_LAST_MILE_CARRIER is our own guess at one (see EVENT_CODE_STATUS). A scan of the delivery itself
# (out for delivery, at a pickup point, a failed attempt, delivered) can only be the delivering carrier's:
# PostPlus consolidates and hands on, it does not deliver.
HANDOVER_CODES = frozenset({"HANDED_TO_LAST_MILE_CARRIER"})
HANDOVER_STATUSES = frozenset(
    {Status.OUT_FOR_DELIVERY, Status.AWAITING_PICKUP, Status.DELIVERY_FAILED, Status.DELIVERED}
)


def shows_handover(events: Iterable[TrackingEvent]) -> bool:
    """Whether any of the events shows the parcel in the last-mile carrier's hands."""
    return any(event.code.upper() in HANDOVER_CODES or event.status in HANDOVER_STATUSES for event in events)


# --- the feed and the event codes -------------------------------------------------------------------------


def feed_page(body: Any) -> FeedPage:
    """A parsed page of the cursor feed; CarrierUnavailable when the page could not be followed.

    An item that cannot be read is left out (and reported): one bad event never stops the feed.
    """
    if not isinstance(body, dict):
        report_drift(POSTPLUS, "$", body)
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the feed page is not an object")
    raw = body.get("events")
    if not isinstance(raw, list):
        report_drift(POSTPLUS, "events", raw)
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the feed page has no list of events")
    fetch_done = _flag(body, "fetchDone", "")
    next_fetch_id = text_field(body, "nextFetchId", "$")
    if not fetch_done and not next_fetch_id:
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the feed page is not done but has no next cursor")
    items = tuple(event for item in raw if (event := feed_event(item)) is not None)
    if len(items) < len(raw):
        logger.warning("carrier=%s outcome=feed_items_skipped count=%d", POSTPLUS, len(raw) - len(items))
    return FeedPage(next_fetch_id=next_fetch_id, fetch_done=fetch_done, items=items)


def feed_event(item: Any) -> FeedEvent | None:
    """One feed item without its senderParcelNr; None (reported) when it has no eventId or no readable time."""
    if not isinstance(item, dict):
        report_drift(POSTPLUS, "events[]", item)
        return None
    record = _feed_item_record(item, "events[]")
    if not record.events:
        return None
    event = record.events[0]
    if not event.event_id:
        report_drift(POSTPLUS, "events[].event.eventId", as_dict(item.get("event")).get("eventId"))
        return None
    return FeedEvent(
        event_id=event.event_id,
        event_version=event.event_version,
        parcel_nr=record.parcel_nr,
        destination_country=record.destination_country,
        carrier=record.carrier,
        carrier_parcel_nr=record.carrier_parcel_nr,
        event_code=event.code,
        event_message=event.message,
        event_time=event.occurred_at,
        event_location=event.location,
        manifest_parcel_nr=record.manifest_parcel_nr,
        carrier_site=record.carrier_site,
    )


# PostPlus's milestone flags, as the event-codes answer names them, in the order a parcel reaches them.
MILESTONE_FLAGS = ("isPreAlert", "isStartclock", "isDeparted", "isAtDestination", "isStopclock", "isDelivered")


def event_codes(body: Any) -> dict[str, EventCode]:
    """Code → EventCode from the event-codes answer, published as a list of {code, message, flags}."""
    if not isinstance(body, list):
        report_drift(POSTPLUS, "$", body)
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the event codes answer is not a list")
    codes: dict[str, EventCode] = {}
    for entry in body:
        if not isinstance(entry, dict):
            report_drift(POSTPLUS, "[]", entry)
            continue
        code = text_field(entry, "code", "[]")
        if not code:
            report_drift(POSTPLUS, "[].code", entry.get("code"))
            continue
        milestones = frozenset(flag for flag in MILESTONE_FLAGS if _flag(entry, flag, "[]"))
        codes[code] = EventCode(code=code, message=text_field(entry, "message", "[]"), milestones=milestones)
    if body and not codes:
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "no event code in the answer has the expected shape")
    return codes


def _flag(entry: Mapping[str, Any], key: str, path: str) -> bool:
    """A JSON boolean; null or missing is false; "true"/"false" are read as such; anything else is reported."""
    value = entry.get(key)
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    report_drift(POSTPLUS, f"{path}.{key}" if path else key, value)
    return False


# --- map codes --------------------------------------------------------------------------------------------

# PostPlus publishes two of its codes: CREATE_OR_UPDATE (the feed example) and DELIVERED (the import example).
# The others are ours (our fake's), a guess in PostPlus's style; PostPlus's own list, served at
# /api/v1/tracking/event-codes with milestone flags, maps the codes it really sends (code_list_statuses).
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

# For codes neither table knows: the first phrase found in the event's message decides. Failure and return come
# before "delivered" so that "could not be delivered" and "returned, delivered to sender" read right.
STATUS_MAP = StatusMap(
    codes=EVENT_CODE_STATUS,
    words=(
        (
            phrases("failed", "unsuccessful", "undeliverable", "not delivered", "not be delivered"),
            Status.DELIVERY_FAILED,
        ),
        (phrases("return", "returns", "returned", "returning"), Status.RETURNED),
        (phrases("exception", "held", "damaged"), Status.EXCEPTION),
        (phrases("out for delivery"), Status.OUT_FOR_DELIVERY),
        (phrases("pickup point", "pick-up point", "parcel locker", "collection point"), Status.AWAITING_PICKUP),
        (phrases("delivered"), Status.DELIVERED),
        (phrases("transit", "hub", "departed", "arrived"), Status.IN_TRANSIT),
    ),
)


def status_for_event(code: str, message: str, extra_codes: Mapping[str, Status] | None = None) -> Status:
    """The status of one PostPlus event: our code table, then `extra_codes` (PostPlus's list), then the message."""
    return STATUS_MAP.status(code, (message,), extra_codes=extra_codes)


def status_from_milestones(milestones: frozenset[str]) -> Status | None:
    """The status PostPlus's milestone flags say, the furthest milestone deciding; None when they say nothing clear.

    Delivered is delivered. The clock stops at a delivery, but also at a failed attempt or on arrival at a pickup
    point: a stop without delivery is left to the words. Started, departed or at destination is on its way; a
    pre-alert alone is the shop's announcement (information received). No flag at all says nothing.
    """
    if "isDelivered" in milestones:
        return Status.DELIVERED
    if "isStopclock" in milestones:
        return None
    if milestones & {"isStartclock", "isDeparted", "isAtDestination"}:
        return Status.IN_TRANSIT
    return Status.INFO_RECEIVED if "isPreAlert" in milestones else None


def code_list_statuses(codes: Mapping[str, EventCode]) -> dict[str, Status]:
    """A status for each code of PostPlus's list: its flags first, else what its standard message says.

    Codes neither says anything clear about are left out, so an event's own message can still decide.
    """
    statuses: dict[str, Status] = {}
    for code, entry in codes.items():
        status = status_from_milestones(entry.milestones) or STATUS_MAP.status_from_words((entry.message,))
        if status is not None:
            statuses[code.strip().upper()] = status
    return statuses
