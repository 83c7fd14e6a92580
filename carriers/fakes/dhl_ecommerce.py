"""A fake DHL eCommerce Americas API (token endpoint and Tracking API v4) for demo mode, tests and benchmarks.

A plain WSGI app on the standard library. Its packages are raw DHL-shaped records, private fields included
(pickupDetail, recipient with signedForName, weight, billing references), so tests can check that none of
them leaves the client. They take the shapes of DHL's published answers (tests/fixtures/README.md): the
expected delivery as MM/DD/YYYY, account numbers as strings, a scan's zone as the season's abbreviation
(EST), page links named `previous` and `next`, errors as DHL's own problem bodies. DHL's published sample
answer itself is served, byte for byte, under its own package numbers.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.types import StartResponse, WSGIEnvironment
from zoneinfo import ZoneInfo

DEMO_CLIENT_ID = "demo-dhl-client"
DEMO_CLIENT_SECRET = "demo-dhl-secret"  # noqa: S105 - the fake's own demo credential, public by design
DEMO_SOLD_TO = "5300000"
DEMO_PICKUP = "5351244"
DEMO_MANIFEST_ID = "5c1d7e42-93b0-4f6a-8d25-0e8b7a61c3f9"
TOKEN_LIFETIME_SECONDS = 3599

AUTH_PATH = "/auth/v4/accesstoken"
TRACKING_PATH = "/tracking/v4/package/open"
IDENTIFIER_KINDS = ("packageId", "dhlPackageId", "trackingId")
# DHL accepts these legacy references as a trackingId and always answers with the DSP Mail Identifier.
TRACKING_ID_ALIASES = (
    "trackingId",
    "deliveryConfirmationNumber",
    "intelligentMailBarcode",
    "overlabeledIntelligentMailBarcode",
    "overlabeledDspNumber",
)
RECIPIENT_FILTERS = ("city", "state", "country", "postalCode")
# DHL's own error bodies, as DHL's SDK for this API records them (tests/fixtures/dhl_ecommerce/sdk_*.json).
INVALID_TOKEN = {"type": "https://api-sandbox.dhlecs.com/docs/errors/401.0000002", "title": "Access token invalid"}
INVALID_CREDENTIALS = {"type": "https://api-sandbox.dhlecs.com/docs/errors/401.0000007", "title": "Invalid credentials"}
INVALID_GRANT_TYPE = {"type": "https://api-sandbox.dhlecs.com/docs/errors/400.0000004", "title": "Invalid grant type"}
GATEWAY_ERROR = {
    "type": "https://api-sandbox.dhlecs.com/docs/errors/500.0000002",
    "title": "Internal Gateway Server Error",
}
PUBLISHED_ERRORS = {401: INVALID_TOKEN, 500: GATEWAY_ERROR}
MAX_IDENTIFIERS = 10
MAX_LIMIT = 10
MAX_SEARCH_DAYS = 7

DELIVERED_SIGNED = "GM295117494011076408"
OUT_FOR_DELIVERY = "GM295117494011076415"
IN_TRANSIT_IMPB = "9261290357311200174526"
INFO_RECEIVED = "GM295117494011076422"
DELIVERY_ATTEMPTED = "GM295117494011076439"
AWAITING_PICKUP = "GM295117494011076446"
RETURNED_SHOP_ID = "ORDER-58213-B"
MOVING_ALONG = "GM295117494011076477"
# The moving demo parcel starts its journey again every cycle, a step every quarter of an hour.
MOVING_STEP_MINUTES = 15

# DHL eCommerce Americas' published sample answer to GET /tracking/v4/package/open, verbatim as karrio copied it
# (karrioapi/karrio, schemas/dhl_ecom_am/schemas/tracking_response.json; the fixture of the same name in
# tests/fixtures/dhl_ecommerce/ holds the same bytes, and tests/fixtures/README.md its source).
PUBLISHED_TRACKING_ANSWER = """{
  "total": 2,
  "limit": 10,
  "offset": 0,
  "timestamp": "2020-02-10T22:02:33.748Z",
  "links": {
    "previous": "/tracking/v4/package?packageId=123456789&limit=10&offset=10",
    "next": "/tracking/v4/package?packageId=123456789&limit=10&offset=10"
  },
  "packages": [
    {
      "recipient": {
        "name": "Norcross",
        "address1": "5923 Peachtree Industrial Blvd",
        "address2": "Suite 100",
        "city": "Norcross",
        "state": "GA",
        "postalCode": "30024",
        "country": "US",
        "signedForName": "Jess"
      },
      "events": [
        {
          "location": "Hebron, KY, US",
          "date": "2020-02-10",
          "time": "15:50:39",
          "timeZone": "EST",
          "postalCode": "0",
          "primaryEventId": 132,
          "primaryEventDescription": "EN ROUTE TO DHL ECOMMERCE DISTRIBUTION CENTER",
          "secondaryEventId": 132,
          "secondaryEventDescription": "EN ROUTE TO DHL ECOMMERCE DISTRIBUTION CENTER"
        }
      ],
      "pickupDetail": {
        "soldTo": "5115238",
        "pickup": "5323392",
        "pickupAddress": {
          "name": "ENDICIA A NEWELL RUBBERMAID BRAND",
          "address1": "247 HIGH ST",
          "address2": "",
          "address3": "",
          "city": "PALO ALTO",
          "state": "CA",
          "country": "US",
          "postalCode": "94301-1041",
          "phone": "650-321-2640"
        }
      },
      "package": {
        "dhlPackageId": "4341002003719794",
        "packageId": "V4-TEST-1581367640092",
        "manifestId": "532339200210204734751",
        "trackingId": "532339200210204734751",
        "deliveryConfirmationNumber": "9374869903500011991251",
        "overlabeledDspNumber": "",
        "intelligentMailBarcode": "",
        "overlabeledIntelligentMailBarcode": "",
        "productClass": "Domestic",
        "orderedProductId": "GND",
        "billedProductId": "GND",
        "productName": "DHL SM Parcel Ground",
        "signatureConfirmationFlag": false,
        "intelligentMailBarcodeFlag": false,
        "deliveryConfirmationFlag": true,
        "customerReference": "test bill ref 1",
        "expectedDelivery": "12/25/2019",
        "weight": {
          "value": 0.625,
          "unitOfMeasure": "LB",
          "intelligentMailBarcodeFlag": true,
          "declaredValue": 0.999,
          "declaredValueCurrency": "LB",
          "batchReference": "LB",
          "deliveryConfirmationFlag": true,
          "customerReference": "TEST",
          "contentCategory": "01"
        }
      }
    }
  ]
}"""
PUBLISHED_PACKAGE_ID = "V4-TEST-1581367640092"

STORY_NUMBERS: list[tuple[str, str]] = [
    (DELIVERED_SIGNED, "Delivered in Phoenix yesterday, signed for"),
    (OUT_FOR_DELIVERY, "Out for delivery in Brooklyn today"),
    (IN_TRANSIT_IMPB, "In transit: handed over to USPS in Los Angeles (a 22-digit USPS barcode)"),
    (INFO_RECEIVED, "Label created, DHL has not scanned it yet"),
    (DELIVERY_ATTEMPTED, "Delivery attempted in Austin: no secure place to leave it"),
    (AWAITING_PICKUP, "Waiting for pickup at a Seattle post office"),
    (RETURNED_SHOP_ID, "A shop's own package id: returned to sender"),
    (MOVING_ALONG, "Moves on every 15 minutes until delivered: follow it to see notifications"),
]
# DHL's own published sample, as DHL wrote it in 2020: a label DHL has not scanned yet, expected 12/25/2019.
PUBLISHED_NUMBERS: list[tuple[str, str]] = [
    (PUBLISHED_PACKAGE_ID, "DHL's own published sample answer: en route to DHL, not scanned yet"),
]
DEMO_NUMBERS: list[tuple[str, str]] = STORY_NUMBERS + PUBLISHED_NUMBERS

ZONES = {
    "ET": ZoneInfo("America/New_York"),
    "CT": ZoneInfo("America/Chicago"),
    "MT": ZoneInfo("America/Denver"),
    "PT": ZoneInfo("America/Los_Angeles"),
}
# Arizona keeps standard time all year though DHL labels it "MT" like Denver.
ARIZONA = ZoneInfo("America/Phoenix")

ORIGIN = ("Melrose Park, IL, US", "60160", "CT")
PRODUCTS = (("DHL Parcel Expedited", "EXP"), ("DHL Parcel Ground", "GND"), ("DHL Parcel Expedited Max", "MAX"))

# DHL's event code list is not published: the codes below are illustrative (only 132, "EN ROUTE TO DHL ECOMMERCE
# DISTRIBUTION CENTER", is in DHL's sample); the descriptions are those DHL's answers carry.
LABEL_CREATED = (198, "ELECTRONIC NOTIFICATION RECEIVED")
PICKED_UP = (220, "PICKED UP")
ARRIVAL_ORIGIN = (300, "ARRIVAL DHL ECOMMERCE FACILITY")
PROCESSED = (400, "PROCESSED")
DEPARTURE_ORIGIN = (500, "DEPARTURE ORIGIN DHL ECOMMERCE FACILITY")
ARRIVAL_DESTINATION = (510, "ARRIVAL DESTINATION DHL ECOMMERCE FACILITY")
TENDERED = (520, "TENDERED TO DELIVERY SERVICE PROVIDER")
USPS_SORT = (580, "ARRIVED USPS SORT FACILITY")
OUT_FOR_DELIVERY_SCAN = (598, "OUT FOR DELIVERY")
DELIVERED = (600, "DELIVERED")
ATTEMPTED = (620, "DELIVERY ATTEMPTED")
AVAILABLE_FOR_PICKUP = (640, "AVAILABLE FOR PICKUP")
RETURNED = (700, "RETURNED TO SENDER")


def _scan(
    at: datetime,
    place: tuple[str, str, str],
    event: tuple[int, str],
    secondary: str | None = None,
) -> dict[str, Any]:
    location, postal_code, zone = place
    local = at.astimezone(ARIZONA if ", AZ," in location else ZONES[zone])
    return {
        "date": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M:%S"),
        # As in DHL's sample ("EST"): the abbreviation of the season where the scan happened (Phoenix: MST).
        "timeZone": local.tzname(),
        "location": location,
        "postalCode": postal_code,
        "primaryEventId": event[0],
        "primaryEventDescription": event[1],
        "secondaryEventId": 0,
        "secondaryEventDescription": secondary,
    }


def _journey(start: datetime, destination: tuple[str, str, str], hours: Sequence[float]) -> list[dict[str, Any]]:
    """The first scans of a parcel, oldest first, `hours` after `start` each; as many as `hours` has."""
    steps = [
        (ORIGIN, LABEL_CREATED),
        (ORIGIN, PICKED_UP),
        (ORIGIN, ARRIVAL_ORIGIN),
        (ORIGIN, PROCESSED),
        (ORIGIN, DEPARTURE_ORIGIN),
        (destination, ARRIVAL_DESTINATION),
        (destination, TENDERED),
        (destination, USPS_SORT),
        (destination, OUT_FOR_DELIVERY_SCAN),
    ]
    return [
        _scan(start + timedelta(hours=offset), place, event)
        for (place, event), offset in zip(steps, hours, strict=False)
    ]


def _record(
    number: int,
    *,
    dhl_package_id: str,
    package_id: str,
    tracking_id: str,
    recipient: dict[str, Any],
    events_oldest_first: list[dict[str, Any]],
    expected_delivery: date,
    product: int = 0,
) -> dict[str, Any]:
    product_name, product_code = PRODUCTS[product % len(PRODUCTS)]
    return {
        "pickupDetail": {
            "soldTo": DEMO_SOLD_TO,
            "pickup": DEMO_PICKUP,
            "pickupAddress": {
                "name": "Northwind Outfitters Fulfilment",
                "address1": "2100 N Mannheim Rd",
                "city": "Melrose Park",
                "state": "IL",
                "postalCode": "60160",
                "country": "US",
            },
        },
        "package": {
            "packageId": package_id,
            "dhlPackageId": dhl_package_id,
            "trackingId": tracking_id,
            "manifestId": DEMO_MANIFEST_ID,
            "productName": product_name,
            "orderedProductId": product_code,
            "billedProductId": product_code,
            "customerReference": f"NWO-INV-{40100 + number}",
            # DHL's published answer writes this date the US way: "12/25/2019".
            "expectedDelivery": expected_delivery.strftime("%m/%d/%Y"),
            "weight": {"value": round(0.4 + 0.3 * number, 1), "unitOfMeasure": "LB"},
        },
        "recipient": recipient,
        "events": list(reversed(events_oldest_first)),
    }


def _recipient(name: str, address: str, city: str, state: str, postal_code: str, phone: str) -> dict[str, Any]:
    return {
        "name": name,
        "address1": address,
        "city": city,
        "state": state,
        "postalCode": postal_code,
        "country": "US",
        "phone": phone,
    }


def demo_records(now: datetime) -> list[dict[str, Any]]:
    """The demo packages, their scans placed relative to `now` so the demo always looks recent."""
    phoenix = ("Phoenix, AZ, US", "85004", "MT")
    brooklyn = ("Brooklyn, NY, US", "11201", "ET")
    los_angeles = ("Los Angeles, CA, US", "90021", "PT")
    austin = ("Austin, TX, US", "78701", "CT")
    seattle = ("Seattle, WA, US", "98101", "PT")
    today = now.date()

    delivered_start = now - timedelta(days=4)
    delivered = _journey(delivered_start, phoenix, (0, 5, 9, 10, 13, 40, 46, 60, 70))
    delivered.append(_scan(delivered_start + timedelta(hours=75), phoenix, DELIVERED, "LEFT WITH INDIVIDUAL"))
    signed_recipient = _recipient("Jordan Avery", "1180 E Roosevelt St", "Phoenix", "AZ", "85006", "602-555-0143")
    signed_recipient["signedForName"] = "J AVERY"

    out_start = now - timedelta(days=3)
    out_for_delivery = _journey(out_start, brooklyn, (0, 4, 8, 9, 12, 36, 44, 60, _hours_before_now(now, out_start, 2)))

    transit_start = now - timedelta(days=2)
    in_transit = _journey(transit_start, los_angeles, (0, 6, 10, 11, 14, 40, _hours_before_now(now, transit_start, 5)))

    attempted_start = now - timedelta(days=3, hours=6)
    attempted = _journey(attempted_start, austin, (0, 3, 7, 8, 11, 30, 38, 52, 60))
    attempted.append(_scan(attempted_start + timedelta(hours=66), austin, ATTEMPTED, "NO SECURE LOCATION AVAILABLE"))

    pickup_start = now - timedelta(days=5)
    awaiting_pickup = _journey(pickup_start, seattle, (0, 5, 9, 10, 14, 50, 58, 70, 80))
    awaiting_pickup.append(_scan(pickup_start + timedelta(hours=86), seattle, ATTEMPTED, "RECIPIENT NOT AVAILABLE"))
    awaiting_pickup.append(
        _scan(pickup_start + timedelta(hours=87), seattle, AVAILABLE_FOR_PICKUP, "HELD AT POST OFFICE")
    )

    returned_start = now - timedelta(days=6)
    returned = _journey(returned_start, austin, (0, 4, 8, 9, 12, 34, 40, 52, 60))
    returned.append(_scan(returned_start + timedelta(hours=66), austin, ATTEMPTED, "ADDRESSEE UNKNOWN"))
    returned.append(_scan(returned_start + timedelta(hours=120), ORIGIN, RETURNED))

    records = [
        _record(
            1,
            dhl_package_id=DELIVERED_SIGNED,
            package_id="ORDER-58190-A",
            tracking_id="9261290357311200174502",
            recipient=signed_recipient,
            events_oldest_first=delivered,
            expected_delivery=today - timedelta(days=1),
        ),
        _record(
            2,
            dhl_package_id=OUT_FOR_DELIVERY,
            package_id="ORDER-58194-A",
            tracking_id="9261290357311200174519",
            recipient=_recipient("Priya Natarajan", "75 Henry St Apt 4C", "Brooklyn", "NY", "11201", "718-555-0182"),
            events_oldest_first=out_for_delivery,
            expected_delivery=today,
            product=1,
        ),
        _record(
            3,
            dhl_package_id="GM295117494011076453",
            package_id="ORDER-58197-C",
            tracking_id=IN_TRANSIT_IMPB,
            recipient=_recipient("Marcus Lee", "1420 S Alameda St", "Los Angeles", "CA", "90021", "213-555-0117"),
            events_oldest_first=in_transit,
            expected_delivery=today + timedelta(days=2),
            product=1,
        ),
        _record(
            4,
            dhl_package_id=INFO_RECEIVED,
            package_id="ORDER-58201-A",
            tracking_id="9261290357311200174533",
            recipient=_recipient("Elena Sokolova", "230 W 41st St", "New York", "NY", "10036", "212-555-0164"),
            events_oldest_first=[_scan(now - timedelta(hours=3), ORIGIN, LABEL_CREATED)],
            expected_delivery=today + timedelta(days=5),
            product=1,
        ),
        _record(
            5,
            dhl_package_id=DELIVERY_ATTEMPTED,
            package_id="ORDER-58205-B",
            tracking_id="9261290357311200174540",
            recipient=_recipient("Sam Okafor", "901 E 6th St", "Austin", "TX", "78702", "512-555-0129"),
            events_oldest_first=attempted,
            expected_delivery=today,
        ),
        _record(
            6,
            dhl_package_id=AWAITING_PICKUP,
            package_id="ORDER-58209-A",
            tracking_id="9261290357311200174557",
            recipient=_recipient("Hana Kim", "1520 Pike Pl", "Seattle", "WA", "98101", "206-555-0191"),
            events_oldest_first=awaiting_pickup,
            expected_delivery=today - timedelta(days=1),
            product=2,
        ),
        _record(
            7,
            dhl_package_id="GM295117494011076460",
            package_id=RETURNED_SHOP_ID,
            tracking_id="9261290357311200174564",
            recipient=_recipient("Alex Moreno", "12 Unknown Ln", "Austin", "TX", "78704", "512-555-0108"),
            events_oldest_first=returned,
            expected_delivery=today - timedelta(days=3),
        ),
        _record(
            8,
            dhl_package_id=MOVING_ALONG,
            package_id="ORDER-58217-A",
            tracking_id="9261290357311200174571",
            recipient=_recipient("Noor Haddad", "48 Court St", "Brooklyn", "NY", "11201", "718-555-0175"),
            events_oldest_first=_moving_along(now, brooklyn),
            expected_delivery=today,
        ),
    ]
    # More parcels of the same pickup and manifest, so that group searches run over several pages.
    destinations = (brooklyn, los_angeles, austin, seattle, phoenix)
    for index in range(8):
        start = now - timedelta(days=5, hours=2) + timedelta(hours=11 * index)
        steps = (0, 4, 8, 9, 12, 36, 44)[: 3 + index % 5]
        records.append(
            _record(
                10 + index,
                dhl_package_id=f"GM2951174940110765{index:02d}",
                package_id=f"ORDER-583{index:02d}-A",
                tracking_id=f"92612903573112001746{index:02d}",
                recipient=_recipient(
                    f"Customer {index + 1}", f"{100 + index} Main St", "Springfield", "IL", "62701", "217-555-0100"
                ),
                events_oldest_first=_journey(start, destinations[index % len(destinations)], steps),
                expected_delivery=today + timedelta(days=1 + index % 3),
                product=index,
            )
        )
    return records


def published_packages() -> list[dict[str, Any]]:
    """The packages of DHL's published sample answer, as published."""
    packages: list[dict[str, Any]] = json.loads(PUBLISHED_TRACKING_ANSWER)["packages"]
    return packages


def _moving_along(now: datetime, destination: tuple[str, str, str]) -> list[dict[str, Any]]:
    """Scans so far of a journey that takes a step every MOVING_STEP_MINUTES and starts again once delivered."""
    steps = [
        (ORIGIN, LABEL_CREATED),
        (ORIGIN, DEPARTURE_ORIGIN),
        (destination, ARRIVAL_DESTINATION),
        (destination, OUT_FOR_DELIVERY_SCAN),
        (destination, DELIVERED),
    ]
    cycle = timedelta(minutes=MOVING_STEP_MINUTES * (len(steps) + 1))
    started = now - (now - datetime(2024, 1, 1, tzinfo=UTC)) % cycle
    scans = [(started + timedelta(minutes=MOVING_STEP_MINUTES * index), step) for index, step in enumerate(steps)]
    return [_scan(at, place, event) for at, (place, event) in scans if at <= now]


def _hours_before_now(now: datetime, start: datetime, hours_ago: float) -> float:
    """The offset from `start` of a scan made `hours_ago` before now."""
    return (now - start).total_seconds() / 3600 - hours_ago


class FakeDhlEcommerce:
    """The DHL eCommerce token endpoint and Tracking API v4, served from raw records and DHL's published sample."""

    def __init__(
        self,
        records: Iterable[Mapping[str, Any]] | None = None,
        *,
        latency_seconds: float = 0.0,
        clock: Callable[[], datetime] | None = None,
        client_id: str = DEMO_CLIENT_ID,
        client_secret: str = DEMO_CLIENT_SECRET,
        fail_with: int | None = None,
        malformed: bool = False,
        published: bool = True,
    ) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self._records = [dict(record) for record in records] if records is not None else None
        # Served beside the records, whichever they are, under the sample's own numbers; `published=False` serves
        # the records alone (tests that plant markers in a copy of the sample serve that copy instead).
        self._published = published_packages() if published else []
        self.latency_seconds = latency_seconds
        self.client_id = client_id
        self.client_secret = client_secret
        # Fault injection for the tracking endpoint: answer every call with this status, or with broken JSON.
        self.fail_with = fail_with
        self.malformed = malformed
        self.calls: Counter[str] = Counter()
        self._tokens: dict[str, float] = {}
        self._demo: tuple[datetime, list[dict[str, Any]]] | None = None
        self._lock = threading.Lock()

    def records(self) -> list[dict[str, Any]]:
        """The packages served now: the planted ones, or the demo set as of the clock's current minute."""
        if self._records is not None:
            return self._records
        # Rebuilt once a minute, not per request, so the fake stays cheap under benchmark load.
        minute = self.clock().replace(second=0, microsecond=0)
        with self._lock:
            if self._demo is None or self._demo[0] != minute:
                self._demo = (minute, demo_records(minute))
            return self._demo[1]

    def expire_all_tokens(self) -> None:
        """Forget every issued token, as if they had all expired."""
        with self._lock:
            self._tokens.clear()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        with self._lock:
            self.calls[path] += 1
        if self.latency_seconds > 0:
            time.sleep(self.latency_seconds)
        if path == AUTH_PATH:
            status, body, headers = self._token(environ)
        elif path == TRACKING_PATH:
            status, body, headers = self._tracking(environ)
        else:
            status, body, headers = _problem(404, "Not Found", "No such resource.")
        start_response(f"{status} {HTTPStatus(status).phrase}", [("Content-Length", str(len(body))), *headers])
        return [body]

    # --- Token endpoint ---

    def _token(self, environ: WSGIEnvironment) -> tuple[int, bytes, list[tuple[str, str]]]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _problem(405, "Method Not Allowed", "Use POST.")
        form = {name: values[0] for name, values in parse_qs(_read_body(environ)).items()}
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = _basic_credentials(environ.get("HTTP_AUTHORIZATION", ""))
        if basic:
            client_id, client_secret = basic
        if form.get("grant_type") != "client_credentials":
            return _error(400, INVALID_GRANT_TYPE)
        if not (
            hmac.compare_digest(client_id.encode(), self.client_id.encode())
            and hmac.compare_digest(client_secret.encode(), self.client_secret.encode())
        ):
            return _error(401, INVALID_CREDENTIALS)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = self.clock().timestamp() + TOKEN_LIFETIME_SECONDS
        # The fields in the order of DHL's SDK's recorded answer; the lifetime as our documents give it.
        answer = {
            "access_token": token,
            "client_id": client_id,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECONDS,
        }
        return _json(200, answer, [("Cache-Control", "no-store")])

    def _authorized(self, environ: WSGIEnvironment) -> bool:
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        with self._lock:
            expires_at = self._tokens.get(token.strip())
        return expires_at is not None and expires_at > self.clock().timestamp()

    # --- Tracking endpoint ---

    def _tracking(self, environ: WSGIEnvironment) -> tuple[int, bytes, list[tuple[str, str]]]:
        if environ.get("REQUEST_METHOD") != "GET":
            return _problem(405, "Method Not Allowed", "Use GET.")
        if self.fail_with is not None:
            if self.fail_with in PUBLISHED_ERRORS:
                return _error(self.fail_with, PUBLISHED_ERRORS[self.fail_with])
            retry_after = [("Retry-After", "1")] if self.fail_with == 429 else []
            return _problem(self.fail_with, HTTPStatus(self.fail_with).phrase, "Injected failure.", retry_after)
        if not self._authorized(environ):
            return _error(401, INVALID_TOKEN)
        if self.malformed:
            return (
                200,
                b'{"timestamp": "2024-05-02T14:31:05Z", "packages": [{"package": ',
                [("Content-Type", "application/json")],
            )
        params = {name: values[0].strip() for name, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            matches, paged = self._search(params)
            offset, limit = _paging(params) if paged else (0, MAX_LIMIT)
        except ValueError as exc:
            return _problem(400, "Invalid Parameter", str(exc))
        if not matches:
            return _problem(404, "Not Found", "No packages found for the given search.")
        if not paged and all(any(record is sample for sample in self._published) for record in matches):
            return 200, PUBLISHED_TRACKING_ANSWER.encode(), [("Content-Type", "application/json")]
        answer: dict[str, Any] = {
            "timestamp": self.clock().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "total": len(matches),
            "offset": offset,
            "limit": limit,
        }
        page = matches[offset : offset + limit] if paged else matches
        links = _links(environ, params, offset, limit, len(matches)) if paged else {}
        if links:
            answer["links"] = links
        answer["packages"] = page
        return _json(200, answer)

    def _search(self, params: Mapping[str, str]) -> tuple[list[dict[str, Any]], bool]:
        """The packages a query matches, and whether the query is a paged group search."""
        kinds = [kind for kind in IDENTIFIER_KINDS if params.get(kind)]
        pickup = params.get("pickup", "")
        records = [*self.records(), *self._published]
        if len(kinds) > 1:
            raise ValueError("Only one kind of package identifier may be given per request.")
        if kinds:
            if params.get("manifestId") or params.get("startDate") or params.get("endDate"):
                raise ValueError("Package identifiers cannot be combined with a manifest or date search.")
            wanted = [value.strip().upper() for value in params[kinds[0]].split(",") if value.strip()]
            if len(wanted) > MAX_IDENTIFIERS:
                raise ValueError(f"At most {MAX_IDENTIFIERS} package identifiers per request.")
            fields = TRACKING_ID_ALIASES if kinds[0] == "trackingId" else (kinds[0],)
            found = [
                record
                for record in records
                if _package_refs(record, fields) & set(wanted) and (not pickup or _pickup(record) == pickup)
            ]
            return found, False
        if params.get("manifestId"):
            manifest = params["manifestId"]
            found = [
                record
                for record in records
                if _text(_dict(record.get("package")).get("manifestId")) == manifest
                and (not pickup or _pickup(record) == pickup)
            ]
            return found, True
        if pickup and params.get("startDate") and params.get("endDate"):
            start, end = _day(params["startDate"], "startDate"), _day(params["endDate"], "endDate")
            if end < start or end > start + timedelta(days=MAX_SEARCH_DAYS):
                raise ValueError(f"endDate must be within {MAX_SEARCH_DAYS} days after startDate.")
            found = [
                record
                for record in records
                if _pickup(record) == pickup
                and (shipped := _shipped_on(record)) is not None
                and start <= shipped <= end
                and _filters_match(record, params)
            ]
            return found, True
        raise ValueError("Give package identifiers, a manifestId, or pickup with startDate and endDate.")


# --- Helpers ---


def _json(
    status: int, answer: Any, headers: list[tuple[str, str]] | None = None
) -> tuple[int, bytes, list[tuple[str, str]]]:
    return status, json.dumps(answer).encode(), [("Content-Type", "application/json"), *(headers or [])]


def _error(status: int, body: Mapping[str, str]) -> tuple[int, bytes, list[tuple[str, str]]]:
    return status, json.dumps(body).encode(), [("Content-Type", "application/problem+json")]


def _problem(
    status: int, title: str, detail: str, headers: list[tuple[str, str]] | None = None
) -> tuple[int, bytes, list[tuple[str, str]]]:
    # DHL answers errors as problem details; where no body of DHL's own is published for a case, only the gist.
    answer = {
        "type": f"https://api.dhlecs.com/docs/errors/{status}",
        "title": title,
        "detail": detail,
    }
    return status, json.dumps(answer).encode(), [("Content-Type", "application/problem+json"), *(headers or [])]


def _read_body(environ: WSGIEnvironment) -> str:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length).decode("utf-8", "replace") if length > 0 else ""


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        client_id, _, client_secret = base64.b64decode(value).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, client_secret


def _paging(params: Mapping[str, str]) -> tuple[int, int]:
    try:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or MAX_LIMIT)
    except ValueError:
        raise ValueError("offset and limit must be whole numbers.") from None
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"offset must be at least 0 and limit between 1 and {MAX_LIMIT}.")
    return offset, limit


def _links(environ: WSGIEnvironment, params: Mapping[str, str], offset: int, limit: int, total: int) -> dict[str, str]:
    """Absolute links to the pages around this one, spelled as in DHL's published samples."""
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    base = f"{environ.get('wsgi.url_scheme', 'http')}://{host}{TRACKING_PATH}"
    links = {}
    if offset > 0:
        links["previous"] = f"{base}?{urlencode({**params, 'offset': max(offset - limit, 0), 'limit': limit})}"
    if offset + limit < total:
        links["next"] = f"{base}?{urlencode({**params, 'offset': offset + limit, 'limit': limit})}"
    return links


def _day(value: str, name: str) -> date:
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"{name} must be a date as yyyyMMdd.") from None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def _package_refs(record: Mapping[str, Any], fields: Sequence[str]) -> set[str]:
    package = _dict(record.get("package"))
    return {_text(package.get(field)).upper() for field in fields} - {""}


def _pickup(record: Mapping[str, Any]) -> str:
    return _text(_dict(record.get("pickupDetail")).get("pickup"))


def _shipped_on(record: Mapping[str, Any]) -> date | None:
    """The package's first scan date: what a pickup-and-dates search filters on in this fake."""
    days = []
    for event in record.get("events") or []:
        try:
            days.append(date.fromisoformat(_text(_dict(event).get("date"))))
        except ValueError:
            continue
    return min(days) if days else None


def _filters_match(record: Mapping[str, Any], params: Mapping[str, str]) -> bool:
    recipient = _dict(record.get("recipient"))
    for name in RECIPIENT_FILTERS:
        wanted = params.get(name, "")
        if wanted and _text(recipient.get(name)).upper() != wanted.upper():
            return False
    ordered = params.get("orderedProductId", "")
    return not ordered or _text(_dict(record.get("package")).get("orderedProductId")).upper() == ordered.upper()
