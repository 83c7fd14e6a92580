"""DHL eCommerce Americas, Tracking API v4: packages by their identifiers, by manifest, or by pickup and dates.

Only events, the product name, the expected delivery date, whether someone signed and the USPS number of a
parcel handed to USPS leave this module. `pickupDetail`, `recipient` (the signer's name included) and the
package's billing references are DHL's "reference only" data and are never copied.

The parser reads what DHL publishes (tests/fixtures/README.md): `expectedDelivery` as `MM/DD/YYYY` or ISO,
ids and codes as JSON numbers or strings, `links.previous` where the document says `prev`. What it cannot read
it leaves out and reports to the drift alarm by field path; one unreadable field never costs a parcel its answer.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from .base import (
    CarrierClient,
    CarrierUnavailable,
    Clock,
    as_dict,
    as_text,
    fetch_json,
)
from .detect import DHL_ECOMMERCE, IMPB, is_dhl_package_id, is_long_digits
from .drift import report_drift
from .model import (
    FailureReason,
    Found,
    LastMile,
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

TRACKING_PATH = "/tracking/v4/package/open"
AUTH_PATH = "/auth/v4/accesstoken"

PACKAGE_ID = "packageId"
DHL_PACKAGE_ID = "dhlPackageId"
TRACKING_ID = "trackingId"
IDENTIFIER_KINDS = (PACKAGE_ID, DHL_PACKAGE_ID, TRACKING_ID)
# The references DHL accepts as a trackingId, spelt as its document spells them (field names are matched
# case-insensitively: answers seen elsewhere write "intelligentMailBarcode"). The answer's own trackingId
# is always the DSP Mail Identifier.
TRACKING_ID_ALIASES = (
    TRACKING_ID,
    "deliveryConfirmationNumber",
    "intelligentMailBarCode",
    "overlabeledintelligentMailBarCode",
    "overlabeledDSPNumber",
)

MAX_IDENTIFIERS_PER_CALL = 10
PAGE_LIMIT = 10
# A safety net against a carrier whose `next` links never end.
MAX_PAGES = 100
MAX_PICKUP_SEARCH_DAYS = 7


# --- Build requests ----------------------------------------------------------------------------------------------


def identifier_kind(number: str) -> str:
    """The identifier kind a number's shape suggests."""
    if is_dhl_package_id(number):
        return DHL_PACKAGE_ID
    if is_long_digits(number):
        return TRACKING_ID
    return PACKAGE_ID


def lookup_order(number: str) -> tuple[str, ...]:
    """The kinds to try for a number: the one its shape suggests, then the others."""
    first = identifier_kind(number)
    return (first, *(kind for kind in IDENTIFIER_KINDS if kind != first))


def pickup_search_params(
    pickup: str,
    start: date,
    end: date,
    *,
    city: str = "",
    state: str = "",
    country: str = "",
    postal_code: str = "",
    ordered_product_id: str = "",
) -> dict[str, str]:
    """The query of a pickup-and-dates search, or ValueError for a range DHL would refuse."""
    if not pickup.strip():
        raise ValueError("A pickup search needs a pickup number.")
    if end < start:
        raise ValueError("The end date is before the start date.")
    if end > start + timedelta(days=MAX_PICKUP_SEARCH_DAYS):
        raise ValueError(f"The end date must be within {MAX_PICKUP_SEARCH_DAYS} days of the start date.")
    params = {"pickup": pickup.strip(), "startDate": start.strftime("%Y%m%d"), "endDate": end.strftime("%Y%m%d")}
    filters = {
        "city": city,
        "state": state,
        "country": country,
        "postalCode": postal_code,
        "orderedProductId": ordered_product_id,
    }
    params.update({name: value.strip() for name, value in filters.items() if value.strip()})
    return params


class DhlEcommerceClient(CarrierClient):
    """Tracks DHL eCommerce packages: ten identifiers of one kind per call, other kinds tried for the rest."""

    slug = DHL_ECOMMERCE
    name = "DHL eCommerce"
    batch_size = MAX_IDENTIFIERS_PER_CALL

    def __init__(self, http: httpx.Client, *, base_url: str, credentials: ClientCredentials, pickup: str = "") -> None:
        super().__init__(http)
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.pickup = pickup.strip()

    def __repr__(self) -> str:
        return f"DhlEcommerceClient(base_url={self.base_url!r})"

    def _tracking_url(self, params: Mapping[str, str]) -> httpx.URL:
        return httpx.URL(f"{self.base_url}{TRACKING_PATH}", params=dict(params))

    def _identifier_url(self, kind: str, numbers: Sequence[str]) -> httpx.URL:
        params = {kind: ",".join(numbers)}
        if self.pickup:
            params["pickup"] = self.pickup
        return self._tracking_url(params)

    def _get_answer(self, url: httpx.URL) -> AnswerPage:
        """One authorized GET; a 404 is DHL's way of saying it found nothing."""
        body = fetch_json(
            self.http, url, carrier=self.slug, auth=self.credentials, nothing_found=(404,), extensions=self.extensions
        )
        try:
            return read_answer(body)
        except CarrierUnavailable:
            logger.warning("carrier=%s outcome=unexpected_shape path=%s", self.slug, url.path)
            raise

    def _next_page_url(self, page: AnswerPage) -> httpx.URL | None:
        if not page.next_link:
            return None
        base = httpx.URL(f"{self.base_url}/")
        url = base.join(page.next_link)
        # The request carries our bearer token: a link to any other host (or a downgrade to http) would hand it over.
        if (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port):
            logger.warning("carrier=%s outcome=foreign_next_link", self.slug)
            raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the next page link points to another host")
        return url

    # --- Tracking by identifiers ---------------------------------------------------------------------------------

    def identifier_kinds(self, number: str) -> tuple[str, ...]:
        """The kind the number's shape suggests first, then the others."""
        return lookup_order(number)

    def track_batch(self, numbers: Sequence[str], kind: str = "") -> Mapping[str, TrackingResult]:
        """One call for up to ten identifiers of one kind (without one, the kind the first number suggests)."""
        if not numbers:
            return {}
        kind = kind or identifier_kind(numbers[0])
        page = self._get_answer(self._identifier_url(kind, numbers))
        matched = match_packages(kind, numbers, page.packages)
        return {
            number: Found(parse_package(item, carrier=self.slug, tracking_number=number))
            for number, item in matched.items()
        }

    # --- Group searches (staff console) ---------------------------------------------------------------------------

    def search_manifest(self, manifest_id: str) -> list[Parcel]:
        """Every package of one manifest, all pages."""
        if not manifest_id.strip():
            raise ValueError("A manifest search needs a manifest id.")
        return self._search({"manifestId": manifest_id.strip()})

    def search_pickup(self, pickup: str, start: date, end: date, **filters: str) -> list[Parcel]:
        """Every package of one pickup between two dates at most a week apart, all pages.

        `filters` are pickup_search_params's: city, state, country, postal_code, ordered_product_id.
        """
        return self._search(pickup_search_params(pickup, start, end, **filters))

    def _search(self, params: Mapping[str, str]) -> list[Parcel]:
        url: httpx.URL | None = self._tracking_url({**params, "limit": str(PAGE_LIMIT)})
        parcels: list[Parcel] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return parcels
            page = self._get_answer(url)
            for item in page.packages:
                reference = package_reference(item)
                if reference:
                    parcels.append(parse_package(item, carrier=self.slug, tracking_number=reference))
            url = self._next_page_url(page)
        if url is not None:
            logger.warning("carrier=%s outcome=page_cap_reached pages=%d", self.slug, MAX_PAGES)
        return parcels


def build_dhl_ecommerce_client(
    http: httpx.Client,
    *,
    base_url: str,
    client_id: str,
    client_secret: str,
    pickup: str = "",
    clock: Clock = time.time,
    token_store: TokenStore | None = None,
) -> DhlEcommerceClient:
    """The registry's factory: a client whose token comes from DHL's own token endpoint (`clock` dates it)."""
    base = base_url.rstrip("/")
    token_url = f"{base}{AUTH_PATH}"
    credentials = ClientCredentials(
        http, token_url, client_id, client_secret, carrier=DHL_ECOMMERCE, clock=clock, store=token_store
    )
    return DhlEcommerceClient(http, base_url=base, credentials=credentials, pickup=pickup)


# --- Parse answers into the public model -------------------------------------------------------------------------

# Field paths the drift alarm is told about: where in DHL's answer, never what was there.
PACKAGE = "packages[].package"
EVENT = "packages[].events[]"


@dataclass(frozen=True)
class AnswerPage:
    """One answer of the tracking endpoint: its package objects and the link to the next page ("" on the last)."""

    packages: tuple[dict[str, Any], ...] = ()
    next_link: str = ""


def read_answer(body: Any) -> AnswerPage:
    """The packages and next link of a decoded answer (None: DHL found nothing); CarrierUnavailable for an
    answer that is not DHL's shape at all (reported to the drift alarm)."""
    if body is None:
        return AnswerPage()
    if not isinstance(body, dict):
        report_drift(DHL_ECOMMERCE, "$", body)
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the answer is not an object")
    raw_packages = body.get("packages")
    if raw_packages is None:
        # An answer with no package list says nothing about any number; it is not a shape DHL publishes.
        report_drift(DHL_ECOMMERCE, "packages", raw_packages)
        raw_packages = []
    if not isinstance(raw_packages, list):
        report_drift(DHL_ECOMMERCE, "packages", raw_packages)
        raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the answer is not a list of packages")
    packages = []
    for raw in raw_packages:
        if not isinstance(raw, dict):
            report_drift(DHL_ECOMMERCE, "packages[]", raw)
            continue
        if raw.get("package") is not None and not isinstance(raw["package"], dict):
            # Without its package object an item cannot be matched to a number: it is left out.
            report_drift(DHL_ECOMMERCE, PACKAGE, raw["package"])
        packages.append(raw)
    return AnswerPage(packages=tuple(packages), next_link=next_link(body.get("links")))


def next_link(links: Any) -> str:
    """The `next` page link; no `links` object means no other page.

    Only `next` is followed. Its sibling is `prev` in DHL's document and `previous` in its published samples: both
    are known names, checked like `next` so that a link of another JSON type is reported.
    """
    if links is None:
        return ""
    if not isinstance(links, dict):
        report_drift(DHL_ECOMMERCE, "links", links)
        return ""
    for name in ("previous", "prev"):
        link_at(links.get(name), f"links.{name}")
    return link_at(links.get("next"), "links.next")


def link_at(value: Any, path: str) -> str:
    """A link: a string, or "" (reported when something other than a string or null was there)."""
    if value is None or isinstance(value, str):
        return as_text(value)
    report_drift(DHL_ECOMMERCE, path, value)
    return ""


def match_packages(kind: str, numbers: Sequence[str], packages: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """The answer's packages keyed by the asked number they belong to (first match wins)."""
    fields = [field.casefold() for field in (TRACKING_ID_ALIASES if kind == TRACKING_ID else (kind,))]
    wanted = {number.upper(): number for number in numbers}
    matched: dict[str, dict[str, Any]] = {}
    unmatched: list[dict[str, Any]] = []
    for raw in packages:
        item = as_dict(raw)
        package = {str(name).casefold(): value for name, value in as_dict(item.get("package")).items()}
        references = {identifier(package.get(field)).upper() for field in fields} - {""}
        hits = [wanted[reference] for reference in references if reference in wanted]
        if hits:
            for number in hits:
                matched.setdefault(number, item)
        elif item:
            unmatched.append(item)
    missing = [number for number in numbers if number not in matched]
    # DHL answers a legacy trackingId (Delcon, IMb...) with the DSP Mail Identifier instead: when exactly one
    # number and one package are left over, they can only belong together.
    if kind == TRACKING_ID and len(missing) == 1 and len(unmatched) == 1:
        matched[missing[0]] = unmatched[0]
    return matched


def package_reference(item: Mapping[str, Any]) -> str:
    """The number a group search lists a package under: DHL's own id first."""
    package = as_dict(item.get("package"))
    for field in (DHL_PACKAGE_ID, TRACKING_ID, PACKAGE_ID):
        reference = identifier(package.get(field))
        if reference:
            return reference
    return ""


def parse_package(item: Mapping[str, Any], *, carrier: str, tracking_number: str) -> Parcel:
    """One answer package as a public Parcel; recipient and pickup details are not read beyond `signed`."""
    package = as_dict(item.get("package"))
    events = parse_events(item.get("events"))
    # The signer's name never leaves this line: only the fact that someone signed.
    signer = as_dict(item.get("recipient")).get("signedForName")
    signed = isinstance(signer, str) and bool(signer.strip())
    return parcel_from_events(
        carrier=carrier,
        tracking_number=tracking_number,
        events=events,
        expected_delivery=parse_date(package.get("expectedDelivery"), f"{PACKAGE}.expectedDelivery"),
        signed=signed,
        service=text_at(package.get("productName"), f"{PACKAGE}.productName"),
        last_mile=usps_handover(events, identifier(package.get(TRACKING_ID))),
    )


def parse_events(value: Any) -> list[TrackingEvent]:
    """A package's events that have a readable date; the others are reported and left out."""
    if value is None:
        return []
    if not isinstance(value, list):
        report_drift(DHL_ECOMMERCE, "packages[].events", value)
        return []
    events = []
    for raw in value:
        if not isinstance(raw, dict):
            report_drift(DHL_ECOMMERCE, EVENT, raw)
        elif (event := parse_event(raw)) is not None:
            events.append(event)
    return events


def parse_event(raw: Mapping[str, Any]) -> TrackingEvent | None:
    """One scan, or None when it has no readable date. The scan's postal code is dropped."""
    place = parse_place(text_at(raw.get("location"), f"{EVENT}.location"))
    occurred_at = event_time(raw, region=place.region)
    if occurred_at is None:
        return None
    code = event_code(raw.get("primaryEventId"))
    if code and not STATUS_MAP.knows(code):
        report_drift(DHL_ECOMMERCE, f"{EVENT}.primaryEventId", raw.get("primaryEventId"))
    primary = text_at(raw.get("primaryEventDescription"), f"{EVENT}.primaryEventDescription")
    secondary = text_at(raw.get("secondaryEventDescription"), f"{EVENT}.secondaryEventDescription")
    description = primary or secondary
    if primary and secondary and secondary.upper() != primary.upper():
        description = f"{primary} – {secondary}"
    status = STATUS_MAP.status(code, (primary, secondary))
    return TrackingEvent(occurred_at=occurred_at, status=status, description=description, place=place, code=code)


def parse_place(location: str) -> Place:
    """'Chicago, IL, US' as a Place; fewer parts fill city, then region. Postal codes are dropped."""
    parts = []
    for part in location.split(","):
        # "IL 60601" keeps "IL": a delivery scan's postal code is the recipient's.
        words = [word for word in part.split() if not any(char.isdigit() for char in word)]
        if words:
            parts.append(" ".join(words))
    if not parts:
        return Place()
    if len(parts) == 1:
        return Place(city=parts[0])
    if len(parts) == 2:
        return Place(city=parts[0], region=parts[1])
    return Place(city=parts[0], region=parts[-2], country=parts[-1])


def usps_handover(events: Sequence[TrackingEvent], tracking_id: str) -> LastMile | None:
    """USPS as the last mile, with DHL's trackingId, once a scan shows USPS has the parcel; before that, None.

    A scan naming USPS is enough. A scan naming only "the delivery service provider" or a post office is enough
    when the trackingId is a USPS barcode (IMpb): DHL's delivery service provider in other countries is not USPS.
    """
    if not tracking_id:
        return None
    usps_barcode = IMPB.fullmatch(tracking_id) is not None
    for event in events:
        if NAMES_USPS.search(event.description) or (
            usps_barcode and HANDED_TO_POSTAL_SERVICE.search(event.description)
        ):
            return LastMile(carrier="USPS", number=tracking_id, handed_over=True)
    return None


# --- Reading DHL's values ---


def text_at(value: Any, path: str) -> str:
    """A text field through `as_text` (numbers read as their digits); an object, array or boolean is reported."""
    if value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return as_text(value)
    report_drift(DHL_ECOMMERCE, path, value)
    return ""


def identifier(value: Any) -> str:
    """An id DHL may send as a JSON string or number (5115238, "5115238", 5115238.0 all read "5115238")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return as_text(value)


def event_code(value: Any) -> str:
    """The primaryEventId as a string code ("600" from 600 or "600"); "" when absent or of another JSON type."""
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        if value is not None:
            report_drift(DHL_ECOMMERCE, f"{EVENT}.primaryEventId", value)
        return ""
    return identifier(value)


# A date as DHL writes it: ISO (2024-05-02) or US (05/02/2024, 5/2/2024), then optionally a time after "T" or
# spaces. The document shows ISO only; DHL's published answers write expectedDelivery in the US form.
DATE = re.compile(
    r"(?:(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"|(?P<us_month>\d{1,2})/(?P<us_day>\d{1,2})/(?P<us_year>\d{4}))"
    r"(?:(?:T|\s+)(?P<clock>.*))?"
)
# 14:31:05, 14:31, 14:31:05.123, 2:31 PM, optionally with an offset (Z, -05:00, -0500, -05).
CLOCK = re.compile(
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?"
    r"\s*(?P<half>[AP]\.?M\.?)?\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
OFFSET = re.compile(r"(?:UTC|GMT)?\s*(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?", re.IGNORECASE)


def read_date(text: str) -> tuple[date, str] | None:
    """A date in one of DHL's forms and the text of the time after it ("" when none); None if unreadable."""
    match = DATE.fullmatch(text.strip())
    if match is None:
        return None
    if match["year"]:
        year, month, day = match["year"], match["month"], match["day"]
    else:
        year, month, day = match["us_year"], match["us_month"], match["us_day"]
    try:
        return date(int(year), int(month), int(day)), (match["clock"] or "").strip()
    except ValueError:
        return None


def read_clock(text: str) -> tuple[clock_time, tzinfo | None] | None:
    """A wall-clock time and the offset written with it, if any; None if unreadable."""
    match = CLOCK.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["half"].upper().startswith("P") else 0)
    microsecond = int((match["fraction"] or "0")[:6].ljust(6, "0"))
    offset = fixed_offset(match["offset"]) if match["offset"] else None
    try:
        return clock_time(hour, minute, second, microsecond), offset
    except ValueError:
        return None


def fixed_offset(text: str) -> timezone | None:
    """Z, +07, -05:00, -0500, UTC-5 as a fixed-offset zone; None if it is not one."""
    if text.strip().upper() == "Z":
        return UTC
    match = OFFSET.fullmatch(text.strip())
    if match is None:
        return None
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if match["sign"] == "-" else delta)


def parse_date(value: Any, path: str) -> date | None:
    """A date field in any of DHL's forms (its time, if any, ignored), or None; unreadable ones are reported."""
    if value is None or value == "":
        return None
    read = read_date(value) if isinstance(value, str) else None
    if read is None or (read[1] and read_clock(read[1]) is None):
        report_drift(DHL_ECOMMERCE, path, value)
        return None
    return read[0]


def event_time(raw: Mapping[str, Any], *, region: str = "") -> datetime | None:
    """When a scan happened, from its local date, time and zone name; None (reported) without a readable date.

    A scan whose time is missing or unreadable keeps its date at local midnight (an unreadable one is reported):
    the scan still happened that day, and a delivery scan must not vanish over its time of day.
    """
    day_value = raw.get("date")
    read = read_date(day_value) if isinstance(day_value, str) else None
    if read is None:
        report_drift(DHL_ECOMMERCE, f"{EVENT}.date", day_value)
        return None
    day, clock_in_date = read
    clock = clock_at(raw.get("time"), f"{EVENT}.time")
    if clock is None and clock_in_date:
        clock = clock_at(clock_in_date, f"{EVENT}.date")
    local_time, written_offset = clock or (clock_time(), None)
    zone = written_offset or zone_for(raw.get("timeZone"), region=region)
    return datetime.combine(day, local_time, tzinfo=zone)


def clock_at(value: Any, path: str) -> tuple[clock_time, tzinfo | None] | None:
    """A time field, or None when absent; an unreadable one is reported."""
    if value is None or value == "":
        return None
    clock = read_clock(value) if isinstance(value, str) else None
    if clock is None:
        report_drift(DHL_ECOMMERCE, path, value)
    return clock


def zone_for(zone_name: Any, *, region: str = "") -> tzinfo:
    """The zone behind one of DHL's zone names; for a missing or unknown one (reported), the zone of the scan's
    state where the whole state keeps one clock, else UTC, which at least claims no daylight-saving rule."""
    name = text_at(zone_name, f"{EVENT}.timeZone").upper()
    zone = TIME_ZONES.get(name)
    if zone is not None:
        # Arizona keeps standard time all year, but DHL gives it the same "MT" as Denver: the scan's state tells.
        if zone == MOUNTAIN and region.upper() in ("AZ", "ARIZONA"):
            return ZoneInfo(ARIZONA)
        return ZoneInfo(zone)
    if name and (offset := fixed_offset(name)) is not None:
        return offset
    if name:
        report_drift(DHL_ECOMMERCE, f"{EVENT}.timeZone", zone_name)
    state_zone = STATE_ZONES.get(region.upper())
    return ZoneInfo(state_zone) if state_zone else ZoneInfo("UTC")


# --- Map codes ---------------------------------------------------------------------------------------------------

MOUNTAIN = "America/Denver"
ARIZONA = "America/Phoenix"

# DHL names a scan's zone generically (ET, as its document's examples) or by the abbreviation of the season
# (EST in its published sample). Either way the time is the local wall clock of that US zone.
TIME_ZONES: dict[str, str] = {
    "ET": "America/New_York",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CT": "America/Chicago",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MT": MOUNTAIN,
    "MST": MOUNTAIN,
    "MDT": MOUNTAIN,
    "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKT": "America/Anchorage",
    "AKST": "America/Anchorage",
    "AKDT": "America/Anchorage",
    "HT": "Pacific/Honolulu",
    "HST": "Pacific/Honolulu",
    # Hawaii keeps no daylight saving time: a daylight Hawaii-Aleutian time can only be the Aleutians'.
    "HDT": "America/Adak",
    # Atlantic time in DHL's US network means Puerto Rico and the Virgin Islands: no daylight saving.
    "AT": "America/Puerto_Rico",
    "AST": "America/Puerto_Rico",
    "CHST": "Pacific/Guam",
    "UTC": "UTC",
    "GMT": "UTC",
    "Z": "UTC",
}

# The states (and territories) that keep one clock throughout, for a scan whose zone name is missing or unknown.
# States split between two zones (FL, IN, KY, MI, TN, KS, NE, ND, SD, TX, ID, NV, OR, AK) are left out.
STATE_ZONES: dict[str, str] = {
    state: zone
    for zone, states in {
        "America/New_York": "CT DC DE GA MA MD ME NC NH NJ NY OH PA RI SC VA VT WV",
        "America/Chicago": "AL AR IA IL LA MN MO MS OK WI",
        "America/Denver": "CO MT NM UT WY",
        ARIZONA: "AZ",
        "America/Los_Angeles": "CA WA",
        "Pacific/Honolulu": "HI",
        "America/Puerto_Rico": "PR VI",
    }.items()
    for state in states.split()
}

# DHL has not published its event code table. 132 (EN ROUTE TO DHL ECOMMERCE DISTRIBUTION CENTER: a label DHL
# has not scanned yet) is in DHL's published sample answer; 600 (DELIVERED) and 598 (OUT FOR DELIVERY) are in
# our reading of the documents; the others are the milestone codes of our fakes, read as "in transit" and refined
# by the event's words. Unknown codes are reported to the drift alarm.
STATUS_MAP = StatusMap(
    codes={
        "132": Status.INFO_RECEIVED,
        "198": Status.IN_TRANSIT,
        "220": Status.IN_TRANSIT,
        "300": Status.IN_TRANSIT,
        "400": Status.IN_TRANSIT,
        "500": Status.IN_TRANSIT,
        "510": Status.IN_TRANSIT,
        "520": Status.IN_TRANSIT,
        "580": Status.IN_TRANSIT,
        "598": Status.OUT_FOR_DELIVERY,
        "600": Status.DELIVERED,
    },
    # First match wins: returns before all; a successful second attempt and an out-for-delivery second attempt
    # before "DELIVERY ATTEMPT"; failures before "DELIVERED" (UNDELIVERABLE); pickup points before "PICKED UP";
    # a label DHL has not scanned ("EN ROUTE TO DHL ECOMMERCE ...") before "EN ROUTE".
    words=(
        (
            phrases("RETURNED TO SENDER", "RETURN TO SENDER", "RETURNED TO SHIPPER", "RETURN TO SHIPPER", "RETURNED"),
            Status.RETURNED,
        ),
        (
            phrases("AVAILABLE FOR PICKUP", "READY FOR PICKUP", "AWAITING PICKUP", "HELD FOR PICKUP"),
            Status.AWAITING_PICKUP,
        ),
        (phrases("DELIVERY ATTEMPT SUCCESSFUL"), Status.DELIVERED),
        (phrases("OUT FOR SECOND DELIVERY"), Status.OUT_FOR_DELIVERY),
        (
            phrases(
                "DELIVERY ATTEMPTED",
                "ATTEMPTED DELIVERY",
                "DELIVERY ATTEMPT",
                "NOTICE LEFT",
                "UNDELIVERABLE",
                "UNDELIVERED",
                "NOT DELIVERED",
                "UNABLE TO DELIVER",
                "REFUSED",
                "NO ACCESS",
            ),
            Status.DELIVERY_FAILED,
        ),
        (phrases("OUT FOR DELIVERY"), Status.OUT_FOR_DELIVERY),
        (phrases("DELIVERED"), Status.DELIVERED),
        (
            phrases(
                "EXCEPTION",
                "DAMAGED",
                "MISSORT",
                "MISSENT",
                "MIS-SHIPPED",
                "ADDRESS ISSUE",
                "INCORRECT ADDRESS",
                "INSUFFICIENT ADDRESS",
                "DELAYED",
                "LOST",
                "ON HOLD",
                "CUSTOMS HOLD",
            ),
            Status.EXCEPTION,
        ),
        (
            phrases(
                "ELECTRONIC NOTIFICATION",
                "LABEL CREATED",
                "SHIPMENT DATA RECEIVED",
                "PRE-SHIPMENT",
                "AWAITING ITEM",
                "AWAITING SHIPMENT",
                "EN ROUTE TO DHL ECOMMERCE",
            ),
            Status.INFO_RECEIVED,
        ),
        (
            phrases(
                "PICKED UP",
                "ARRIVAL",
                "ARRIVED",
                "DEPARTURE",
                "DEPARTED",
                "PROCESSED",
                "PROCESSING",
                "SORTING",
                "TENDERED",
                "IN TRANSIT",
                "EN ROUTE",
                "SORT FACILITY",
                "FORWARDED",
                "RECEIVED",
            ),
            Status.IN_TRANSIT,
        ),
    ),
    # DHL's codes for the middle of the journey are generic; a description naming more says more.
    refined_by_words=frozenset({Status.IN_TRANSIT}),
)

# Scans that show USPS has the parcel (descriptions DHL's answers carry, as public integrations record them:
# "TENDERED TO DELIVERY SERVICE PROVIDER", "ARRIVED USPS SORT FACILITY", "ARRIVAL AT POST OFFICE").
NAMES_USPS = phrases("USPS", "US POSTAL SERVICE", "UNITED STATES POSTAL SERVICE")
HANDED_TO_POSTAL_SERVICE = phrases("TENDERED TO DELIVERY SERVICE PROVIDER", "TENDERED TO POSTAL SERVICE", "POST OFFICE")
