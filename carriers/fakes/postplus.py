"""A fake PostPlus tracking API (a plain WSGI app) for demo mode, tests and benchmarks.

It answers in the shapes PostPlus publishes (tests/fixtures/postplus/): get-many a bare list of parcels with their
events nested, the cursor feed {"nextFetchId", "fetchDone", "events": [{"parcel", "event"}]}, the event codes with
their milestone flags, the tracking import taking {"events": [...]}. It also serves PostPlus's published samples
themselves under their own numbers (the feed example's PARCEL-NR-1, the import example's PARCEL-NR-2, the get-many
schema's placeholder parcel "string"), beside the demo parcels.

Parcels are held as raw feed items ({"parcel": {...}, "event": {...}}) in processing order, so tests can plant
anything in any field. Where PostPlus publishes no shape (error bodies, the import's answer) the fake answers like
an ASP.NET Core API would, which the paths and PascalCase query parameters suggest PostPlus is.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

DEMO_API_KEY = "demo-postplus-key"
DEMO_INTEGRATION_KEY = "demo-postplus-integration-key"

PARCEL_NRS_PATH = "/api/v1/tracking/parcel-nrs/get-many"
SENDER_PARCEL_NRS_PATH = "/api/v1/tracking/sender-parcel-nrs/get-many"
FEED_PATH = "/api/v1/tracking"
EVENT_CODES_PATH = "/api/v1/tracking/event-codes"
IMPORT_PATH = "/api/v1/integrations/tracking-import"

MAX_NUMBERS = 50
MAX_FEED_COUNT = 500
MAX_IMPORT_EVENTS = 500
IMPORT_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# Demo events are rebuilt relative to "now" once they are this old, so a long-running demo stays recent.
DEMO_REFRESH = timedelta(hours=1)

# A get-many parcel's fields, in the order PostPlus's published answer lists them (after its "events").
GET_MANY_FIELDS = (
    "parcelNr",
    "manifestParcelNr",
    "senderParcelNr",
    "destinationCountry",
    "carrier",
    "carrierParcelNr",
    "carrierUrl",
)
# The fields the import takes besides the event's own (tests/fixtures/postplus/import-request-schema.json).
IMPORT_TEXT_FIELDS = (
    "eventSourceAlt",
    "eventCodeAlt",
    "eventMessage",
    "eventLocation",
    "senderTrackingNr",
    "carrier",
    "carrierParcelNr",
    "otherTrackingData",
)


def _code(code: str, message: str, *milestones: str) -> dict[str, Any]:
    """An event-codes entry in the published shape: every flag present, the ones named true."""
    flags = ("isPreAlert", "isStartclock", "isDeparted", "isAtDestination", "isStopclock", "isDelivered")
    return {"code": code, "message": message, **{flag: flag in milestones for flag in flags}}


# CREATE_OR_UPDATE and DELIVERED are PostPlus's published codes; the rest, and every flag, are our invention in
# PostPlus's style.
EVENT_CODES: dict[str, dict[str, Any]] = {
    entry["code"]: entry
    for entry in (
        _code("CREATE_OR_UPDATE", "Parcel data received or updated", "isPreAlert"),
        _code("ACCEPTED_AT_HUB", "Parcel accepted at PostPlus hub", "isStartclock"),
        _code("DEPARTED_HUB", "Parcel departed from PostPlus hub", "isDeparted"),
        _code("IN_TRANSIT", "Parcel in transit", "isDeparted"),
        _code("ARRIVED_AT_DESTINATION_COUNTRY", "Parcel arrived in destination country", "isAtDestination"),
        _code("CUSTOMS_CLEARED", "Customs clearance completed", "isAtDestination"),
        _code("CUSTOMS_HELD", "Parcel held by customs", "isAtDestination"),
        _code("HANDED_TO_LAST_MILE_CARRIER", "Parcel handed over to the delivering carrier", "isAtDestination"),
        _code("OUT_FOR_DELIVERY", "Parcel out for delivery", "isAtDestination"),
        _code("DELIVERED", "Parcel delivered", "isStopclock", "isDelivered"),
        _code("DELIVERY_FAILED", "Delivery attempt unsuccessful", "isStopclock"),
        _code("AT_PICKUP_POINT", "Parcel ready for collection at pickup point", "isStopclock"),
        _code("RETURNED_TO_SENDER", "Parcel returned to sender"),
        _code("DAMAGED", "Parcel damaged in transit"),
    )
}

# PostPlus's published samples, value for value (tests check them against tests/fixtures/postplus/).
PUBLISHED_FEED_ITEM: dict[str, Any] = {
    "parcel": {
        "parcelNr": "PARCEL-NR-1",
        "senderParcelNr": "13111315031",
        "destinationCountry": "EE",
        "carrier": "TestCarrier",
        "carrierParcelNr": "PARCEL-NR-1",
    },
    "event": {
        "eventId": "WoxFW73f47o2d55PPHwzit",
        "eventTime": "2025-01-13T01:56:27+00:00",
        "eventVersion": "332002",
        "eventCode": "CREATE_OR_UPDATE",
        "eventMessage": "Parcel data received or updated",
        "eventLocation": "PPLUS",
    },
}
PUBLISHED_IMPORT_REQUEST: dict[str, Any] = {
    "events": [
        {
            "eventId": "SomeExternalSourceUNiqueEventId012356",
            "eventSourceAlt": "SomeExternalSource",
            "eventCode": "DELIVERED",
            "eventMessage": "Delivered to the recipient",
            "eventTime": "2024-04-04 04:04:00",
            "eventLocation": "Location",
            "trackingNr": "PARCEL-NR-1",
        },
        {
            "eventSourceAlt": "SomeExternalSource",
            "eventCode": "DELIVERED",
            "eventMessage": "Delivered to the recipient",
            "eventTime": "2024-04-04 04:04:00",
            "eventLocation": "Location",
            "trackingNr": "PARCEL-NR-2",
        },
    ]
}
# The get-many reference's one parcel, its placeholders as published.
PUBLISHED_GET_MANY_PARCEL: dict[str, Any] = {
    "events": [
        {
            "eventId": "string",
            "eventTime": "string",
            "eventVersion": "string",
            "eventCode": "string",
            "eventMessage": "string",
            "eventLocation": "string",
        }
    ],
    **{name: "string" for name in GET_MANY_FIELDS},
}
PUBLISHED_NUMBERS = ("PARCEL-NR-1", "PARCEL-NR-2", "string")

Clock = Callable[[], datetime]
StartResponse = Callable[..., Any]
Answer = tuple[int, Any]


@dataclass(frozen=True)
class DemoParcel:
    """A demo parcel: its parcel data and its events as (hours before now, code, message or "", location)."""

    number: str
    sender_number: str
    country: str
    carrier: str
    carrier_number: str
    story: str  # what the home page says of it
    events: tuple[tuple[float, str, str, str], ...]
    carrier_url: str = ""
    manifest_number: str = ""


_DEMO_PARCELS = (
    DemoParcel(
        "PPL250113000417",
        "13111315029",
        "DE",
        "DHL Paket",
        "PPL250113000417",
        "Information received: the shop has announced the parcel",
        ((2, "CREATE_OR_UPDATE", "", "PPLUS"),),
    ),
    DemoParcel(
        "LB123456785EE",
        "ORD-2025-004417",
        "GB",
        "Royal Mail",
        "LB123456785EE",
        "In transit: cleared customs in the United Kingdom",
        (
            (74, "CREATE_OR_UPDATE", "", "PPLUS"),
            (54, "ACCEPTED_AT_HUB", "", "Tallinn"),
            (50, "DEPARTED_HUB", "", "Tallinn"),
            (27, "ARRIVED_AT_DESTINATION_COUNTRY", "Parcel arrived in the United Kingdom", "London Heathrow"),
            (19, "CUSTOMS_CLEARED", "", "GB-LHR-CUS"),
            (6, "IN_TRANSIT", "Parcel in transit to the delivery depot", "Swindon"),
        ),
        # Royal Mail's own page: not in our table of carrier pages, so the site names Royal Mail without a link.
        carrier_url="https://www.royalmail.com/track-your-item#/tracking-results/LB123456785EE",
        manifest_number="PPLM0250113004417",
    ),
    DemoParcel(
        "CE310477291FI",
        "ORD-2025-004498",
        "FI",
        "Posti",
        "CE310477291FI",
        "Out for delivery today",
        (
            (52, "CREATE_OR_UPDATE", "", "PPLUS"),
            (44, "ACCEPTED_AT_HUB", "", "Tallinn"),
            (24, "ARRIVED_AT_DESTINATION_COUNTRY", "Parcel arrived in Finland", "Vantaa"),
            (20, "HANDED_TO_LAST_MILE_CARRIER", "Parcel handed over to Posti", "Vantaa"),
            (1.5, "OUT_FOR_DELIVERY", "", "Espoo"),
        ),
        carrier_url="https://www.posti.fi/en/tracking#/lahetys/CE310477291FI",
    ),
    DemoParcel(
        "RR204817360LV",
        "13111315187",
        "LV",
        "Latvijas Pasts",
        "RR204817360LV",
        "Delivered yesterday, signature obtained",
        (
            (98, "CREATE_OR_UPDATE", "", "PPLUS"),
            (76, "ACCEPTED_AT_HUB", "", "Tallinn"),
            (72, "DEPARTED_HUB", "", "Tallinn"),
            (50, "ARRIVED_AT_DESTINATION_COUNTRY", "Parcel arrived in Latvia", "Riga"),
            (28, "OUT_FOR_DELIVERY", "", "Riga"),
            (25, "DELIVERED", "Parcel delivered, signature obtained", "Riga"),
        ),
        # Plain http, as an integrator might type it: never linked.
        carrier_url="http://www.pasts.lv/en/Category/Tracking_of_Postal_Items/?id=RR204817360LV",
    ),
    DemoParcel(
        "UA550182640LT",
        "ORD-2025-004503",
        "LT",
        "Omniva",
        "UA550182640LT",
        "Delivery attempt failed: nobody was at home",
        (
            (70, "CREATE_OR_UPDATE", "", "PPLUS"),
            (48, "ACCEPTED_AT_HUB", "", "Tallinn"),
            (26, "ARRIVED_AT_DESTINATION_COUNTRY", "Parcel arrived in Lithuania", "Vilnius"),
            (7, "OUT_FOR_DELIVERY", "", "Vilnius"),
            (3, "DELIVERY_FAILED", "Delivery unsuccessful: recipient not available, new attempt tomorrow", "Vilnius"),
        ),
        carrier_url="https://www.omniva.ee/private/track-and-trace?barcode=UA550182640LT",
    ),
    DemoParcel(
        "LX603928515SE",
        "13111315240",
        "SE",
        "PostNord",
        "00370712345678901234",
        "Awaiting pickup at a pickup point",
        (
            (80, "CREATE_OR_UPDATE", "", "PPLUS"),
            (60, "ACCEPTED_AT_HUB", "", "Tallinn"),
            (33, "ARRIVED_AT_DESTINATION_COUNTRY", "Parcel arrived in Sweden", "Stockholm"),
            (30, "HANDED_TO_LAST_MILE_CARRIER", "Parcel handed over to PostNord", "Stockholm"),
            (5, "AT_PICKUP_POINT", "", "Solna"),
        ),
        carrier_url="https://tracking.postnord.com/?id=00370712345678901234",
    ),
    DemoParcel(
        "PPL250112009931",
        "ORD-2025-003980",
        "NO",
        "Posten",
        "PPL250112009931",
        "Held by customs, then returned to the sender",
        (
            (230, "CREATE_OR_UPDATE", "", "PPLUS"),
            (210, "ACCEPTED_AT_HUB", "", "Tallinn"),
            (205, "DEPARTED_HUB", "", "Tallinn"),
            (180, "ARRIVED_AT_DESTINATION_COUNTRY", "Parcel arrived in Norway", "Oslo"),
            (170, "CUSTOMS_HELD", "Parcel held by customs: import documents missing", "Oslo"),
            (40, "RETURNED_TO_SENDER", "Parcel returned to sender: customs clearance not completed", "Tallinn"),
        ),
    ),
)

DEMO_NUMBERS: list[tuple[str, str]] = [(parcel.number, parcel.story) for parcel in _DEMO_PARCELS]

# The delivered demo parcel's first event is sent again later with a higher eventVersion, as PostPlus does
# when parcel data is updated.
_DEMO_UPDATED_PARCEL = "RR204817360LV"
FIRST_DEMO_VERSION = 332002


def event_id_for(*parts: str) -> str:
    """A stable 22-character id in the style of PostPlus's eventIds."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return base64.b64encode(digest, altchars=b"Ab").decode()[:22]


def published_records() -> list[dict[str, Any]]:
    """PostPlus's published samples as feed items, in processing order: the feed example, the get-many schema's
    placeholder parcel, then the import example's events as PostPlus would store them."""
    schema_event = PUBLISHED_GET_MANY_PARCEL["events"][0]
    schema_parcel = {name: PUBLISHED_GET_MANY_PARCEL[name] for name in GET_MANY_FIELDS}
    records = [copy.deepcopy(PUBLISHED_FEED_ITEM), {"parcel": schema_parcel, "event": dict(schema_event)}]
    parcels = {item["parcel"]["parcelNr"].upper(): item["parcel"] for item in records}
    for version, event in enumerate(PUBLISHED_IMPORT_REQUEST["events"], start=FIRST_DEMO_VERSION + 1):
        records.append(imported_record(event, parcels, version))
    return records


def story_records(now: datetime) -> list[dict[str, Any]]:
    """The demo parcels' feed items in processing order, with event times relative to `now`."""
    timed: list[tuple[datetime, dict[str, Any]]] = []
    for demo in _DEMO_PARCELS:
        parcel = {
            "parcelNr": demo.number,
            "senderParcelNr": demo.sender_number,
            "destinationCountry": demo.country,
            "carrier": demo.carrier,
            "carrierParcelNr": demo.carrier_number,
        }
        parcel.update({"manifestParcelNr": demo.manifest_number} if demo.manifest_number else {})
        parcel.update({"carrierUrl": demo.carrier_url} if demo.carrier_url else {})
        for hours_ago, code, message, location in demo.events:
            occurred = (now - timedelta(hours=hours_ago)).astimezone(UTC).replace(microsecond=0)
            event = {
                "eventId": event_id_for(demo.number, code, str(hours_ago)),
                "eventTime": occurred.isoformat(),
                "eventVersion": "",
                "eventCode": code,
                "eventMessage": message or EVENT_CODES[code]["message"],
                "eventLocation": location,
            }
            timed.append((occurred, {"parcel": dict(parcel), "event": event}))
    records = [item for _, item in sorted(timed, key=lambda pair: pair[0])]
    for version, item in enumerate(records, start=FIRST_DEMO_VERSION):
        item["event"]["eventVersion"] = str(version)
    first_event = next(item for item in records if item["parcel"]["parcelNr"] == _DEMO_UPDATED_PARCEL)
    update = copy.deepcopy(first_event)
    update["event"]["eventVersion"] = str(FIRST_DEMO_VERSION + len(records))
    records.append(update)
    return records


def demo_records(now: datetime) -> list[dict[str, Any]]:
    """Everything the demo fake serves, in processing order: the published samples, then the demo parcels."""
    return published_records() + story_records(now)


def imported_record(event: dict[str, Any], parcels: dict[str, dict[str, Any]], version: int) -> dict[str, Any]:
    """The feed item PostPlus would make of one imported event (its parcel data from `parcels` when known)."""
    number = event["trackingNr"]
    occurred = datetime.strptime(event["eventTime"], IMPORT_TIME_FORMAT).replace(tzinfo=UTC)
    parcel = dict(parcels.get(number.upper(), {"parcelNr": number, "carrierParcelNr": number}))
    given = {"senderParcelNr": event.get("senderTrackingNr"), "carrier": event.get("carrier")}
    given["carrierParcelNr"] = event.get("carrierParcelNr")
    parcel.update({name: value for name, value in given.items() if value})
    return {
        "parcel": parcel,
        "event": {
            "eventId": event.get("eventId") or event_id_for(number, event["eventTime"], event["eventCode"]),
            "eventTime": occurred.isoformat(),
            "eventVersion": str(version),
            "eventCode": event["eventCode"],
            "eventMessage": event.get("eventMessage") or EVENT_CODES[event["eventCode"]]["message"],
            "eventLocation": event.get("eventLocation", ""),
        },
    }


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FakePostPlus:
    """The PostPlus tracking API as a WSGI app; `calls` counts requests per path."""

    def __init__(
        self,
        records: Iterable[dict[str, Any]] | None = None,
        *,
        latency_seconds: float = 0.0,
        clock: Clock = _utc_now,
        api_key: str = DEMO_API_KEY,
        integration_key: str = DEMO_INTEGRATION_KEY,
        fail_with: int | None = None,
        malformed: bool = False,
    ) -> None:
        self.latency_seconds = latency_seconds
        self.clock = clock
        self.api_key = api_key
        self.integration_key = integration_key
        self.fail_with = fail_with
        self.malformed = malformed
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._demo = records is None
        self._built_at = clock()
        self.records: list[dict[str, Any]] = (
            demo_records(self._built_at) if records is None else copy.deepcopy(list(records))
        )
        # Imported events come after the records in processing order and survive a demo refresh.
        self.imported: list[dict[str, Any]] = []
        self._next_version = 1 + max(
            (int(v) for item in self.records if (v := str(_event(item).get("eventVersion", ""))).isdigit()),
            default=FIRST_DEMO_VERSION - 1,
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        with self._lock:
            self.calls[path] += 1
        if self.latency_seconds > 0:
            time.sleep(self.latency_seconds)
        if self.malformed:
            return _respond(start_response, 200, b'[{"events": [{"eventId": ')
        if self.fail_with is not None:
            return _respond(start_response, self.fail_with, _problem(self.fail_with, "Injected failure"))
        status, body = self._answer(environ, path)
        return _respond(start_response, status, body)

    def _answer(self, environ: dict[str, Any], path: str) -> Answer:
        routes: dict[str, tuple[str, str, Callable[[dict[str, Any]], Answer]]] = {
            PARCEL_NRS_PATH: ("GET", self.api_key, self._by_parcel_nrs),
            SENDER_PARCEL_NRS_PATH: ("GET", self.api_key, self._by_sender_parcel_nrs),
            FEED_PATH: ("GET", self.api_key, self._feed),
            EVENT_CODES_PATH: ("GET", self.api_key, self._event_codes),
            IMPORT_PATH: ("POST", self.integration_key, self._import),
        }
        if path not in routes:
            return 404, _problem(404, "Not Found")
        method, wanted_key, handler = routes[path]
        if environ.get("REQUEST_METHOD", "GET") != method:
            return 405, _problem(405, "Method Not Allowed")
        key = environ.get("HTTP_X_API_KEY", "")
        if key != wanted_key:
            # A valid key of the other kind lacks the permission; anything else is not a key at all.
            known = key in (self.api_key, self.integration_key)
            return (403, _problem(403, "Forbidden")) if known else (401, _problem(401, "Unauthorized"))
        return handler(environ)

    def _items(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._demo and self.clock() - self._built_at > DEMO_REFRESH:
                self._built_at = self.clock()
                self.records = demo_records(self._built_at)
            return self.records + self.imported

    def _by_parcel_nrs(self, environ: dict[str, Any]) -> Answer:
        return self._get_many(environ, "parcelnrs", ("parcelNr", "manifestParcelNr", "carrierParcelNr"))

    def _by_sender_parcel_nrs(self, environ: dict[str, Any]) -> Answer:
        return self._get_many(environ, "senderparcelnrs", ("senderParcelNr",))

    def _get_many(self, environ: dict[str, Any], parameter: str, fields: tuple[str, ...]) -> Answer:
        raw = _query(environ).get(parameter, "")
        wanted = {number.strip().upper() for number in raw.split(",") if number.strip()}
        if not wanted:
            return 400, _validation_problem({parameter: ["At least one number is required."]})
        if len(wanted) > MAX_NUMBERS:
            return 400, _validation_problem({parameter: [f"At most {MAX_NUMBERS} numbers per request."]})
        matching = [
            item
            for item in self._items()
            if any(str(_parcel(item).get(field, "")).upper() in wanted for field in fields)
        ]
        # A lookup by number shows each event's current version only; the feed shows every version.
        return 200, get_many_answer(_current_versions(matching))

    def _feed(self, environ: dict[str, Any]) -> Answer:
        query = _query(environ)
        fetch_id, start_text = query.get("fetchid", ""), query.get("startdate", "")
        if not fetch_id and not start_text:
            return 400, _validation_problem({"startDate": ["startDate is required when fetchId is empty."]})
        try:
            start = datetime.combine(date.fromisoformat(start_text), datetime.min.time(), UTC) if start_text else None
        except ValueError:
            return 400, _validation_problem({"startDate": ["startDate must be YYYY-MM-DD."]})
        count_text = query.get("count") or str(MAX_FEED_COUNT)
        count = int(count_text) if count_text.isdigit() else 0
        if not 1 <= count <= MAX_FEED_COUNT:
            return 400, _validation_problem({"count": [f"count must be between 1 and {MAX_FEED_COUNT}."]})
        position = _decode_cursor(fetch_id) if fetch_id else 0
        if position is None:
            return 400, _validation_problem({"fetchId": ["Unknown fetchId."]})
        items = self._items()
        page: list[dict[str, Any]] = []
        while position < len(items) and len(page) < count:
            item = items[position]
            position += 1
            occurred = _event_time(item)
            if start is None or occurred is None or occurred >= start:
                page.append(item)
        return 200, {"nextFetchId": _encode_cursor(position), "fetchDone": position >= len(items), "events": page}

    def _event_codes(self, environ: dict[str, Any]) -> Answer:
        return 200, list(EVENT_CODES.values())

    def _import(self, environ: dict[str, Any]) -> Answer:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"null")
        except (ValueError, UnicodeDecodeError):
            return 400, _problem(400, "The request body is not valid JSON.")
        events = body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list) or not events:
            return 400, _problem(400, 'The request body must be an object with a non-empty "events" list.')
        if len(events) > MAX_IMPORT_EVENTS:
            return 400, _problem(400, f"At most {MAX_IMPORT_EVENTS} events per request.")
        errors: dict[str, list[str]] = {}
        for index, event in enumerate(events):
            for field, message in _import_errors(event):
                errors.setdefault(f"events[{index}].{field}", []).append(message)
        if errors:
            return 400, _validation_problem(errors)
        with self._lock:
            parcels = {str(_parcel(item).get("parcelNr", "")).upper(): _parcel(item) for item in self.records}
            for event in events:
                self.imported.append(imported_record(event, parcels, self._next_version))
                self._next_version += 1
        return 200, {"importedCount": len(events)}


def get_many_answer(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Feed items grouped into get-many's published shape: one object per parcel, its events nested.

    A parcel's fields are those of its latest item; a field PostPlus's reference lists but the item lacks is null.
    """
    parcels: dict[str, dict[str, Any]] = {}
    for item in items:
        number = str(_parcel(item).get("parcelNr", "")).upper()
        entry = parcels.setdefault(number, {"events": []})
        entry["events"].append(_event(item))
        entry.update({name: _parcel(item).get(name) for name in GET_MANY_FIELDS})
    return list(parcels.values())


def _import_errors(event: Any) -> list[tuple[str, str]]:
    if not isinstance(event, dict):
        return [("", "Each event must be an object.")]
    errors: list[tuple[str, str]] = []
    if event.get("eventCode") not in EVENT_CODES:
        errors.append(("eventCode", "Unknown event code."))
    try:
        datetime.strptime(str(event.get("eventTime")), IMPORT_TIME_FORMAT)
    except ValueError:
        errors.append(("eventTime", "eventTime must be yyyy-MM-dd HH:mm:ss."))
    if not isinstance(event.get("trackingNr"), str) or not event["trackingNr"].strip():
        errors.append(("trackingNr", "trackingNr is required."))
    if "eventId" in event and (not isinstance(event["eventId"], str) or not event["eventId"]):
        errors.append(("eventId", "eventId must be a non-empty string when given."))
    for field in IMPORT_TEXT_FIELDS:
        if not isinstance(event.get(field, ""), str):
            errors.append((field, f"{field} must be a string."))
    return errors


def _parcel(item: dict[str, Any]) -> dict[str, Any]:
    parcel = item.get("parcel") if isinstance(item, dict) else None
    return parcel if isinstance(parcel, dict) else {}


def _event(item: dict[str, Any]) -> dict[str, Any]:
    event = item.get("event") if isinstance(item, dict) else None
    return event if isinstance(event, dict) else {}


def _event_time(item: dict[str, Any]) -> datetime | None:
    try:
        occurred = datetime.fromisoformat(str(_event(item).get("eventTime")))
    except ValueError:
        return None
    return occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)


def _current_versions(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items with each eventId's newest version only, at the place of its first version."""
    latest: dict[str, dict[str, Any]] = {}
    for item in items:
        latest[str(_event(item).get("eventId", id(item)))] = item
    return list(latest.values())


def _query(environ: dict[str, Any]) -> dict[str, str]:
    # ASP.NET Core binds query parameters case-insensitively: ParcelNrs, parcelNrs and parcelnrs all work.
    parsed = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    return {name.lower(): values[0] for name, values in parsed.items()}


def _encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"pos:{position}".encode()).decode().rstrip("=")


def _decode_cursor(fetch_id: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(fetch_id + "=" * (-len(fetch_id) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    prefix, _, position = text.partition(":")
    return int(position) if prefix == "pos" and position.isdigit() else None


def _problem(status: int, title: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status}


def _validation_problem(errors: dict[str, list[str]]) -> dict[str, Any]:
    return {**_problem(400, "One or more validation errors occurred."), "errors": errors}


def _respond(start_response: StartResponse, status: int, body: Any) -> list[bytes]:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(payload)))]
    if status == 429:
        headers.append(("Retry-After", "1"))
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    start_response(f"{status} {phrase}", headers)
    return [payload]
