"""DHL eCommerce Americas, Tracking API v4: packages by their identifiers, by manifest, or by pickup and dates.

Only events, the product name, the expected delivery date and whether someone signed leave this module.
`pickupDetail`, `recipient` (the signer's name included) and the package's billing references are DHL's
"reference only" data and are never copied.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from .base import (
    CarrierClient,
    CarrierUnavailable,
    Clock,
    as_dict,
    as_list,
    as_text,
    fetch_json,
)
from .detect import DHL_ECOMMERCE, is_dhl_package_id, is_long_digits
from .model import FailureReason, Found, Parcel, Place, Status, TrackingEvent, TrackingResult, parcel_from_events
from .oauth import ClientCredentials, TokenStore

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

    def _get_answer(self, url: httpx.URL) -> dict[str, Any]:
        """One authorized GET; a 404 is DHL's way of saying it found nothing."""
        body = fetch_json(self.http, url, carrier=self.slug, auth=self.credentials, nothing_found=(404,))
        if body is None:
            return {}
        if not isinstance(body, dict) or not isinstance(body.get("packages", []), list):
            logger.warning("carrier=%s outcome=unexpected_shape path=%s", self.slug, url.path)
            raise CarrierUnavailable(FailureReason.BAD_RESPONSE, "the answer is not a list of packages")
        return body

    def _next_page_url(self, answer: Mapping[str, Any]) -> httpx.URL | None:
        # Only `next` is followed; the document names its sibling `prev`, published samples `previous`.
        link = as_text(as_dict(answer.get("links")).get("next"))
        if not link:
            return None
        base = httpx.URL(f"{self.base_url}/")
        url = base.join(link)
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
        answer = self._get_answer(self._identifier_url(kind, numbers))
        matched = match_packages(kind, numbers, as_list(answer.get("packages")))
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
            answer = self._get_answer(url)
            for raw in as_list(answer.get("packages")):
                item = as_dict(raw)
                reference = package_reference(item)
                if reference:
                    parcels.append(parse_package(item, carrier=self.slug, tracking_number=reference))
            url = self._next_page_url(answer)
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


def match_packages(kind: str, numbers: Sequence[str], packages: list[Any]) -> dict[str, dict[str, Any]]:
    """The answer's packages keyed by the asked number they belong to (first match wins)."""
    fields = [field.casefold() for field in (TRACKING_ID_ALIASES if kind == TRACKING_ID else (kind,))]
    wanted = {number.upper(): number for number in numbers}
    matched: dict[str, dict[str, Any]] = {}
    unmatched: list[dict[str, Any]] = []
    for raw in packages:
        item = as_dict(raw)
        package = {str(name).casefold(): value for name, value in as_dict(item.get("package")).items()}
        references = {as_text(package.get(field)).upper() for field in fields} - {""}
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
        reference = as_text(package.get(field))
        if reference:
            return reference
    return ""


def parse_package(item: Mapping[str, Any], *, carrier: str, tracking_number: str) -> Parcel:
    """One answer package as a public Parcel; recipient and pickup details are not read beyond `signed`."""
    package = as_dict(item.get("package"))
    events = [event for raw in as_list(item.get("events")) if (event := parse_event(as_dict(raw))) is not None]
    # The signer's name never leaves this line: only the fact that someone signed.
    signer = as_dict(item.get("recipient")).get("signedForName")
    signed = isinstance(signer, str) and bool(signer.strip())
    return parcel_from_events(
        carrier=carrier,
        tracking_number=tracking_number,
        events=events,
        expected_delivery=parse_date(package.get("expectedDelivery")),
        signed=signed,
        service=as_text(package.get("productName")),
    )


def parse_event(raw: Mapping[str, Any]) -> TrackingEvent | None:
    """One scan, or None when it has no usable date. The scan's postal code is dropped."""
    place = parse_place(as_text(raw.get("location")))
    occurred_at = parse_local_time(raw.get("date"), raw.get("time"), raw.get("timeZone"), region=place.region)
    if occurred_at is None:
        return None
    primary = as_text(raw.get("primaryEventDescription"))
    secondary = as_text(raw.get("secondaryEventDescription"))
    status = status_for(event_code(raw.get("primaryEventId")), primary, secondary)
    description = primary or secondary
    if primary and secondary and secondary.upper() != primary.upper():
        description = f"{primary} – {secondary}"
    return TrackingEvent(occurred_at=occurred_at, status=status, description=description, place=place)


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


def parse_date(value: Any) -> date | None:
    text = as_text(value)
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def parse_local_time(day: Any, hour: Any, zone_name: Any, *, region: str = "") -> datetime | None:
    """An aware datetime from DHL's local date, time and short zone name."""
    local_date = parse_date(day)
    if local_date is None:
        return None
    text = as_text(hour)
    try:
        # A scan without a time keeps its date: midnight local, ordered by the carrier's own order within the day.
        local_time = clock_time.fromisoformat(text) if text else clock_time()
    except ValueError:
        local_time = clock_time()
    return datetime.combine(local_date, local_time.replace(tzinfo=None), tzinfo=zone_for(zone_name, region=region))


def zone_for(zone_name: Any, *, region: str = "") -> ZoneInfo:
    """The IANA zone behind one of DHL's short zone names."""
    name = as_text(zone_name).upper()
    zone = TIME_ZONES.get(name)
    if zone is None:
        # An unknown name could be any offset; UTC at least claims no local daylight-saving rule it cannot know.
        if name:
            logger.info("carrier=%s outcome=unknown_time_zone zone=%s", DHL_ECOMMERCE, name[:8])
        return ZoneInfo("UTC")
    # Arizona keeps standard time all year, but DHL gives it the same "MT" as Denver: the scan's state tells them apart.
    if zone == MOUNTAIN and region.upper() in ("AZ", "ARIZONA"):
        return ZoneInfo(ARIZONA)
    return ZoneInfo(zone)


def event_code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = as_text(value)
    return int(text) if text.isdigit() else None


def status_for(code: int | None, primary: str, secondary: str = "") -> Status:
    """An event's status: its code first, its words where the code is unknown or only says "moving"."""
    by_code = EVENT_CODE_STATUSES.get(code) if code is not None else None
    by_words = status_from_words(primary) or status_from_words(secondary)
    if by_code is None:
        return by_words or Status.UNKNOWN
    # The codes we hold for the middle of the journey are generic; a description naming more says more.
    if by_code is Status.IN_TRANSIT and by_words is not None:
        return by_words
    return by_code


def status_from_words(description: str) -> Status | None:
    text = description.upper()
    for pattern, status in DESCRIPTION_STATUSES:
        if pattern.search(text):
            return status
    return None


# --- Map codes ---------------------------------------------------------------------------------------------------

MOUNTAIN = "America/Denver"
ARIZONA = "America/Phoenix"

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
    # Atlantic time in DHL's US network means Puerto Rico and the Virgin Islands: no daylight saving.
    "AT": "America/Puerto_Rico",
    "AST": "America/Puerto_Rico",
    "CHST": "Pacific/Guam",
    "UTC": "UTC",
    "GMT": "UTC",
    "Z": "UTC",
}

# DHL has not published its event code table in the documents we hold. 600 (DELIVERED) is in the published
# sample and 598 (OUT FOR DELIVERY) in answers seen in public integrations; the others are the milestone codes
# of the journey through DHL's network to the delivery service provider, read as "in transit" and refined by
# the event's description (see status_for).
EVENT_CODE_STATUSES: dict[int, Status] = {
    198: Status.IN_TRANSIT,
    220: Status.IN_TRANSIT,
    300: Status.IN_TRANSIT,
    400: Status.IN_TRANSIT,
    500: Status.IN_TRANSIT,
    510: Status.IN_TRANSIT,
    520: Status.IN_TRANSIT,
    580: Status.IN_TRANSIT,
    598: Status.OUT_FOR_DELIVERY,
    600: Status.DELIVERED,
}


def _words(phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(phrase) for phrase in phrases.split("|")) + r")\b")


# First match wins: failures before "DELIVERED" (UNDELIVERABLE), pickup points before "PICKED UP".
DESCRIPTION_STATUSES: tuple[tuple[re.Pattern[str], Status], ...] = (
    (_words("RETURNED TO SENDER|RETURN TO SENDER|RETURNED TO SHIPPER|RETURN TO SHIPPER|RETURNED"), Status.RETURNED),
    (_words("AVAILABLE FOR PICKUP|READY FOR PICKUP|AWAITING PICKUP|HELD FOR PICKUP"), Status.AWAITING_PICKUP),
    (
        _words(
            "DELIVERY ATTEMPTED|ATTEMPTED DELIVERY|DELIVERY ATTEMPT|NOTICE LEFT|UNDELIVERABLE|UNDELIVERED"
            "|NOT DELIVERED|UNABLE TO DELIVER|REFUSED|NO ACCESS"
        ),
        Status.DELIVERY_FAILED,
    ),
    (_words("OUT FOR DELIVERY"), Status.OUT_FOR_DELIVERY),
    (_words("DELIVERED"), Status.DELIVERED),
    (
        _words(
            "EXCEPTION|DAMAGED|MISSORT|MISSENT|MIS-SHIPPED|ADDRESS ISSUE|INCORRECT ADDRESS|INSUFFICIENT ADDRESS"
            "|DELAYED|LOST|ON HOLD|CUSTOMS HOLD"
        ),
        Status.EXCEPTION,
    ),
    (
        _words("ELECTRONIC NOTIFICATION|LABEL CREATED|SHIPMENT DATA RECEIVED|PRE-SHIPMENT|AWAITING ITEM"),
        Status.INFO_RECEIVED,
    ),
    (
        _words(
            "PICKED UP|ARRIVAL|ARRIVED|DEPARTURE|DEPARTED|PROCESSED|PROCESSING|TENDERED|IN TRANSIT|EN ROUTE"
            "|SORT FACILITY|FORWARDED|RECEIVED"
        ),
        Status.IN_TRANSIT,
    ),
)
