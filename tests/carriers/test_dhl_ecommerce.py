import copy
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from carriers import dhl_ecommerce
from carriers.base import CarrierUnavailable
from carriers.dhl_ecommerce import (
    DHL_PACKAGE_ID,
    PACKAGE_ID,
    STATUS_MAP,
    TRACKING_ID,
    DhlEcommerceClient,
    build_dhl_ecommerce_client,
    event_code,
    identifier_kind,
    parse_event,
    parse_place,
    pickup_search_params,
)
from carriers.drift import Drift, collected
from carriers.model import CarrierFailure, FailureReason, Found, LastMile, NotFound, Place, Status
from tests.clocks import FakeClock
from tests.tracking_site.planted import MARKER_DIGITS, MARKER_PREFIX, plant, private_markers

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dhl_ecommerce"
BASE_URL = "https://api-sandbox.dhlecs.com"
TOKEN_URL = f"{BASE_URL}/auth/v4/accesstoken"
TRACKING_PATH = "/tracking/v4/package/open"

GM_NUMBER = "GM5119462000000101"
IMPB_NUMBER = "9261290100830000001001"
SHOP_NUMBER = "SHOP-1001"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def package_item(*, package_id: str = "", dhl_package_id: str = "", tracking_id: str = "") -> dict[str, Any]:
    """The in-transit sample package, under other identifiers."""
    item = copy.deepcopy(load("package_in_transit.json")["packages"][0])
    item["package"].update(packageId=package_id, dhlPackageId=dhl_package_id, trackingId=tracking_id)
    return item


def answer(*items: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"timestamp": "2024-07-16T03:10:00Z", "total": len(items), "packages": list(items)})


def not_found() -> httpx.Response:
    return httpx.Response(404, json=load("not_found.json"))


class Dhl:
    """A MockTransport handler: the token endpoint plus whatever `tracking` answers."""

    def __init__(self, tracking: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.tracking = tracking or self.from_known
        self.known: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.token_answer: dict[str, Any] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/auth/v4/accesstoken":
            self.tokens_issued += 1
            if self.token_answer is not None:
                return httpx.Response(200, json=self.token_answer)
            return httpx.Response(200, json={**load("accesstoken.json"), "access_token": f"token-{self.tokens_issued}"})
        return self.tracking(request)

    def from_known(self, request: httpx.Request) -> httpx.Response:
        """Answer an identifier search from `known`, like DHL: only the packages found; 404 when none."""
        for kind in (PACKAGE_ID, DHL_PACKAGE_ID, TRACKING_ID):
            asked = request.url.params.get(kind)
            if asked:
                wanted = {value.upper() for value in asked.split(",")}
                found = [item for item in self.known if str(item["package"].get(kind, "")).upper() in wanted]
                return answer(*found) if found else not_found()
        return httpx.Response(400, json={"title": "Invalid Parameter"})

    @property
    def tracking_requests(self) -> list[httpx.Request]:
        return [request for request in self.requests if request.url.path == TRACKING_PATH]


def make_client(handler: Dhl, *, clock: FakeClock | None = None, pickup: str = "") -> DhlEcommerceClient:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return build_dhl_ecommerce_client(
        http,
        base_url=BASE_URL,
        client_id="sandbox-client-id",
        client_secret="sandbox-client-secret",
        pickup=pickup,
        clock=clock or FakeClock(),
    )


def delivered_handler() -> Dhl:
    return Dhl(lambda request: httpx.Response(200, json=load("package_delivered.json")))


# --- Tokens ---


def test_token_request_posts_form_encoded_client_credentials():
    handler = delivered_handler()
    make_client(handler).track(GM_NUMBER)

    token_request = handler.requests[0]
    assert str(token_request.url) == TOKEN_URL
    assert token_request.method == "POST"
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["sandbox-client-id"],
        "client_secret": ["sandbox-client-secret"],
    }


def test_tracking_call_sends_the_bearer_token():
    handler = delivered_handler()
    make_client(handler).track(GM_NUMBER)

    assert handler.tracking_requests[0].headers["Authorization"] == "Bearer token-1"


def test_token_is_fetched_once_and_reused_while_valid():
    clock = FakeClock()
    handler = delivered_handler()
    client = make_client(handler, clock=clock)

    client.track(GM_NUMBER)
    clock.now += 3000
    client.track(GM_NUMBER)

    assert handler.tokens_issued == 1
    assert [r.headers["Authorization"] for r in handler.tracking_requests] == ["Bearer token-1", "Bearer token-1"]


def test_token_is_refreshed_shortly_before_it_expires():
    clock = FakeClock()
    handler = delivered_handler()
    client = make_client(handler, clock=clock)

    client.track(GM_NUMBER)
    clock.now += 3599 - 30
    client.track(GM_NUMBER)

    assert handler.tokens_issued == 2
    assert handler.tracking_requests[-1].headers["Authorization"] == "Bearer token-2"


def test_token_is_refreshed_once_on_401_and_the_call_retried():
    def tracking(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer token-1":
            return httpx.Response(401, json={"title": "Unauthorized"})
        return httpx.Response(200, json=load("package_delivered.json"))

    handler = Dhl(tracking)
    result = make_client(handler).track(GM_NUMBER)

    assert isinstance(result, Found)
    assert handler.tokens_issued == 2
    assert len(handler.tracking_requests) == 2


def test_a_second_401_after_refresh_is_an_auth_failure():
    handler = Dhl(lambda request: httpx.Response(401, json={"title": "Unauthorized"}))
    result = make_client(handler).track(GM_NUMBER)

    assert result == CarrierFailure("dhl-ecommerce", GM_NUMBER, FailureReason.AUTH)
    assert len(handler.tracking_requests) == 2


def test_token_endpoint_refusing_is_an_auth_failure():
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client"})

    http = httpx.Client(transport=httpx.MockTransport(refuse))
    client = build_dhl_ecommerce_client(
        http, base_url=BASE_URL, client_id="x", client_secret="wrong", clock=FakeClock()
    )

    assert client.track(GM_NUMBER) == CarrierFailure("dhl-ecommerce", GM_NUMBER, FailureReason.AUTH)


def test_secrets_stay_out_of_the_client_repr():
    client = make_client(delivered_handler())

    assert "sandbox-client-secret" not in repr(client)
    assert "sandbox-client-secret" not in repr(client.credentials)


# --- Identifier kinds and batching ---


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("GM5119462000000101", DHL_PACKAGE_ID),
        ("9261290100830000001001", TRACKING_ID),
        ("92612901008300000010011234", TRACKING_ID),
        ("SHOP-1001", PACKAGE_ID),
        ("123521", PACKAGE_ID),
        ("GMX123", PACKAGE_ID),
    ],
)
def test_identifier_kind_follows_the_number_shape(number, kind):
    assert identifier_kind(number) == kind


def test_each_kind_is_asked_with_its_own_parameter():
    handler = Dhl()
    handler.known = [
        package_item(dhl_package_id=GM_NUMBER),
        package_item(tracking_id=IMPB_NUMBER),
        package_item(package_id=SHOP_NUMBER),
    ]
    results = make_client(handler).track_many([GM_NUMBER, IMPB_NUMBER, SHOP_NUMBER])

    assert all(isinstance(result, Found) for result in results)
    asked = [dict(request.url.params) for request in handler.tracking_requests]
    assert asked == [{DHL_PACKAGE_ID: GM_NUMBER}, {TRACKING_ID: IMPB_NUMBER}, {PACKAGE_ID: SHOP_NUMBER}]


def test_identifier_search_calls_the_tracking_path():
    handler = delivered_handler()
    make_client(handler).track(GM_NUMBER)

    request = handler.tracking_requests[0]
    assert (request.method, request.url.host, request.url.path) == ("GET", "api-sandbox.dhlecs.com", TRACKING_PATH)


def test_eleven_numbers_of_one_kind_take_two_calls():
    numbers = [f"GM51194620000001{index:02d}" for index in range(11)]
    handler = Dhl()
    handler.known = [package_item(dhl_package_id=number) for number in numbers]

    results = make_client(handler).track_many(numbers)

    assert [type(result) for result in results] == [Found] * 11
    sent = [request.url.params[DHL_PACKAGE_ID].split(",") for request in handler.tracking_requests]
    assert sent == [numbers[:10], numbers[10:]]


def test_a_number_not_found_is_retried_with_the_other_kinds():
    handler = Dhl()
    handler.known = [package_item(package_id=GM_NUMBER)]

    result = make_client(handler).track(GM_NUMBER)

    assert isinstance(result, Found)
    assert result.tracking_number == GM_NUMBER
    assert [next(iter(request.url.params)) for request in handler.tracking_requests] == [DHL_PACKAGE_ID, PACKAGE_ID]


def test_a_number_found_under_no_kind_is_not_found_after_every_kind():
    handler = Dhl()
    result = make_client(handler).track(SHOP_NUMBER)

    assert result == NotFound("dhl-ecommerce", SHOP_NUMBER)
    assert [next(iter(request.url.params)) for request in handler.tracking_requests] == [
        PACKAGE_ID,
        DHL_PACKAGE_ID,
        TRACKING_ID,
    ]


def test_retries_group_the_numbers_left_over_into_one_call_per_kind():
    handler = Dhl()
    handler.known = [package_item(package_id="SHOP-1"), package_item(tracking_id="SHOP-2")]

    make_client(handler).track_many(["SHOP-1", "SHOP-2", "SHOP-3"])

    sent = [(next(iter(r.url.params)), r.url.params[next(iter(r.url.params))]) for r in handler.tracking_requests]
    assert sent == [
        (PACKAGE_ID, "SHOP-1,SHOP-2,SHOP-3"),
        (DHL_PACKAGE_ID, "SHOP-2,SHOP-3"),
        (TRACKING_ID, "SHOP-2,SHOP-3"),
    ]


def test_results_come_one_per_distinct_number_in_the_order_asked():
    handler = Dhl()
    handler.known = [package_item(dhl_package_id=GM_NUMBER), package_item(package_id=SHOP_NUMBER)]

    results = make_client(handler).track_many([SHOP_NUMBER, "SHOP-404", GM_NUMBER, SHOP_NUMBER])

    assert [result.tracking_number for result in results] == [SHOP_NUMBER, "SHOP-404", GM_NUMBER]
    assert [type(result) for result in results] == [Found, NotFound, Found]


def test_pickup_is_sent_when_configured():
    handler = delivered_handler()
    make_client(handler, pickup="5119462").track(GM_NUMBER)

    assert handler.tracking_requests[0].url.params["pickup"] == "5119462"


def test_pickup_is_left_out_when_not_configured():
    handler = delivered_handler()
    make_client(handler).track(GM_NUMBER)

    assert "pickup" not in handler.tracking_requests[0].url.params


def test_answers_are_matched_case_insensitively_on_the_kind_asked():
    handler = Dhl(lambda request: answer(package_item(package_id="shop-1001", dhl_package_id="GM5119000000001001")))
    result = make_client(handler).track(SHOP_NUMBER)

    assert isinstance(result, Found)
    assert result.tracking_number == SHOP_NUMBER


def test_a_package_is_matched_on_the_kind_asked_not_on_other_identifiers():
    # The answer's packageId equals the other number asked, but this call searched by dhlPackageId.
    other = "GM5119000000009999"
    item = package_item(package_id=other, dhl_package_id=GM_NUMBER)
    handler = Dhl(lambda request: answer(item) if DHL_PACKAGE_ID in request.url.params else not_found())

    results = make_client(handler).track_many([GM_NUMBER, other])

    assert [type(result) for result in results] == [Found, NotFound]


def test_a_legacy_tracking_id_is_matched_to_the_dsp_identifier_returned():
    delcon = "42012345678901234567890123"
    handler = Dhl(lambda request: answer(package_item(tracking_id=IMPB_NUMBER)))

    result = make_client(handler).track(delcon)

    assert isinstance(result, Found)
    assert result.tracking_number == delcon


def test_tracking_id_aliases_in_the_answer_match_the_number_asked():
    delcon, imb = "42012345678901234567890123", "42098765432109876543210987"
    first, second = (
        package_item(tracking_id="9261290100830000000001"),
        package_item(tracking_id="9261290100830000000002"),
    )
    first["package"]["deliveryConfirmationNumber"] = delcon
    second["package"]["intelligentMailBarcode"] = imb
    handler = Dhl(lambda request: answer(second, first))

    results = make_client(handler).track_many([delcon, imb])

    assert [type(result) for result in results] == [Found, Found]
    assert results[0].parcel.events == results[1].parcel.events


@pytest.mark.parametrize(
    "field",
    [
        "deliveryConfirmationNumber",
        "intelligentMailBarCode",
        "overlabeledintelligentMailBarCode",
        "overlabeledDSPNumber",
    ],
)
def test_legacy_references_spelt_as_the_document_spells_them_are_found(field):
    # Two legacy numbers in one call: the "one left over" rule cannot pair them, only the field names can.
    legacy, other = "42012345678901234567890123", "42098765432109876543210987"
    first, second = (
        package_item(tracking_id="9261290100830000000001"),
        package_item(tracking_id="9261290100830000000002"),
    )
    first["package"][field] = legacy
    second["package"][field] = other
    handler = Dhl(lambda request: answer(second, first))

    results = make_client(handler).track_many([legacy, other])

    assert [type(result) for result in results] == [Found, Found]
    assert [result.tracking_number for result in results] == [legacy, other]
    assert len(handler.tracking_requests) == 1


@pytest.mark.parametrize("field", ["INTELLIGENTMAILBARCODE", "IntelligentMailBarcode", "overlabeleddspnumber"])
def test_reference_field_names_match_whatever_their_case(field):
    legacy, other = "42012345678901234567890123", "42098765432109876543210987"
    first = package_item(tracking_id="9261290100830000000001")
    first["package"][field] = legacy
    second = package_item(tracking_id="9261290100830000000002")
    second["package"]["deliveryConfirmationNumber"] = other

    results = make_client(Dhl(lambda request: answer(second, first))).track_many([legacy, other])

    assert [type(result) for result in results] == [Found, Found]


def test_the_answer_our_documents_print_parses_into_a_delivered_parcel():
    sample = load("package_open_sample.json")
    handler = Dhl(lambda request: httpx.Response(200, json=sample))

    result = make_client(handler).track_batch(["GM..."], DHL_PACKAGE_ID)["GM..."]

    assert isinstance(result, Found)
    parcel = result.parcel
    assert (parcel.status, parcel.signed, parcel.expected_delivery) == (Status.DELIVERED, True, None)
    assert parcel.delivered_at is not None and parcel.delivered_at.isoformat() == "2024-05-02T14:31:05-05:00"
    assert parcel.latest_event is not None
    assert parcel.latest_event.place == Place(city="Chicago", region="IL", country="US")
    assert "60601" not in repr(parcel) and "5119000" not in repr(parcel)


def test_the_token_answer_our_documents_print_gives_a_token_for_its_lifetime():
    clock = FakeClock()
    sample = load("accesstoken_sample.json")
    handler = Dhl(lambda request: httpx.Response(200, json=load("package_open_sample.json")))
    handler.token_answer = sample
    client = make_client(handler, clock=clock)

    client.track("GM5119462000000101")
    clock.now += 3599 - 61
    client.track("GM5119462000000101")

    assert handler.tokens_issued == 1
    assert {request.headers["Authorization"] for request in handler.tracking_requests} == {"Bearer ..."}


def test_a_pickup_search_asks_what_the_documents_example_asks():
    handler = Dhl(lambda request: not_found())
    make_client(handler).search_pickup("5119000", date(2019, 7, 1), date(2019, 7, 7))

    documented = httpx.URL(
        "/tracking/v4/package/open?pickup=5119000&startDate=20190701&endDate=20190707&offset=5&limit=10"
    )
    request = handler.tracking_requests[0]
    assert request.url.path == documented.path
    # The first page: the example's offset=5 is a later page's.
    assert dict(request.url.params) == {key: value for key, value in documented.params.items() if key != "offset"}


# --- Parsing ---


def test_delivered_sample_becomes_a_delivered_parcel():
    result = make_client(delivered_handler()).track(GM_NUMBER)

    assert isinstance(result, Found)
    parcel = result.parcel
    assert parcel.carrier == "dhl-ecommerce"
    assert parcel.status is Status.DELIVERED
    assert parcel.service == "DHL SmartMail Parcel Plus Ground"
    assert parcel.delivered_at is not None
    assert parcel.delivered_at.isoformat() == "2024-05-02T14:31:05-05:00"
    assert parcel.latest_event is not None
    assert parcel.latest_event.place == Place(city="Chicago", region="IL", country="US")


def test_signed_for_name_marks_the_parcel_signed_without_the_name():
    parcel = make_client(delivered_handler()).track(GM_NUMBER).parcel

    assert parcel.signed is True
    assert "MARKER-SIGNED-FOR-NAME" not in repr(parcel)


@pytest.mark.parametrize("signer", [None, "", "   ", 0, {"name": "x"}])
def test_no_signer_name_means_not_signed(signer):
    body = load("package_delivered.json")
    body["packages"][0]["recipient"]["signedForName"] = signer
    parcel = make_client(Dhl(lambda request: httpx.Response(200, json=body))).track(GM_NUMBER).parcel

    assert parcel.signed is False


def private_values(value: Any) -> set[str]:
    """Every marker string planted in the fixture, plus its pickup and billing numbers."""
    if isinstance(value, dict):
        return set().union(*(private_values(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(private_values(item) for item in value))
    return {value} if isinstance(value, str) and value.startswith("MARKER-") else set()


def test_no_recipient_pickup_or_billing_value_reaches_the_parcel():
    body = load("package_delivered.json")
    markers = private_values(body) | {"5100731", "5127384", "9.87"}
    parcel = make_client(delivered_handler()).track(GM_NUMBER).parcel

    assert len(markers) > 20
    leaked = [marker for marker in markers if marker in repr(parcel)]
    assert leaked == []


def test_service_and_expected_delivery_are_copied_while_in_transit():
    handler = Dhl(lambda request: answer(package_item(dhl_package_id=GM_NUMBER)))
    parcel = make_client(handler).track(GM_NUMBER).parcel

    assert parcel.status is Status.IN_TRANSIT
    assert parcel.service == "DHL Parcel Expedited"
    assert parcel.expected_delivery == date(2024, 7, 18)


def test_events_across_zones_are_ordered_newest_first():
    handler = Dhl(lambda request: answer(package_item(dhl_package_id=GM_NUMBER)))
    parcel = make_client(handler).track(GM_NUMBER).parcel

    assert [event.description for event in parcel.events] == [
        "ARRIVAL DESTINATION DHL ECOMMERCE FACILITY",
        "ARRIVAL DHL ECOMMERCE FACILITY",
        "ELECTRONIC NOTIFICATION RECEIVED",
    ]
    assert [event.status for event in parcel.events] == [Status.IN_TRANSIT, Status.IN_TRANSIT, Status.INFO_RECEIVED]


def sample_event(**changes: Any) -> dict[str, Any]:
    event = dict(load("package_delivered.json")["packages"][0]["events"][0])
    event.update(changes)
    return event


@pytest.mark.parametrize(
    ("zone", "day", "utc_offset_hours"),
    [
        ("CT", "2024-07-15", -5),
        ("CT", "2024-01-15", -6),
        ("CST", "2024-01-15", -6),
        ("CDT", "2024-07-15", -5),
        ("ET", "2024-07-15", -4),
        ("EST", "2024-01-15", -5),
        ("MT", "2024-07-15", -6),
        ("MST", "2024-01-15", -7),
        ("PT", "2024-07-15", -7),
        ("PST", "2024-01-15", -8),
        ("AKT", "2024-01-15", -9),
        ("HST", "2024-07-15", -10),
        ("AT", "2024-01-15", -4),
        ("AST", "2024-07-15", -4),
        ("UTC", "2024-07-15", 0),
        ("GMT", "2024-01-15", 0),
        ("Z", "2024-07-15", 0),
        ("ct", "2024-07-15", -5),
        (" PT ", "2024-01-15", -8),
        ("XYZ", "2024-07-15", 0),
        ("", "2024-07-15", 0),
        (None, "2024-07-15", 0),
        (5, "2024-07-15", 0),
    ],
)
def test_zone_names_map_to_real_zones_with_daylight_saving(zone, day, utc_offset_hours):
    event = parse_event(sample_event(timeZone=zone, date=day, location="Somewhere"))

    assert event is not None
    assert event.occurred_at.utcoffset() == timedelta(hours=utc_offset_hours)
    assert (event.occurred_at.hour, event.occurred_at.minute, event.occurred_at.second) == (14, 31, 5)


@pytest.mark.parametrize("zone", ["MT", "MST", "MDT"])
def test_arizona_mountain_time_has_no_daylight_saving(zone):
    event = parse_event(sample_event(timeZone=zone, date="2024-07-15", location="Phoenix, AZ, US"))

    assert event is not None
    assert event.occurred_at.utcoffset() == timedelta(hours=-7)


def test_an_event_without_a_time_is_kept_at_local_midnight():
    event = parse_event(sample_event(time=None))

    assert event is not None
    assert event.occurred_at.isoformat() == "2024-05-02T00:00:00-05:00"


@pytest.mark.parametrize("day", [None, "", "not a date", ["2024-05-02"], "2024-13-45"])
def test_an_event_without_a_usable_date_is_dropped(day):
    assert parse_event(sample_event(date=day)) is None


@pytest.mark.parametrize(
    ("location", "place"),
    [
        ("Chicago, IL, US", Place(city="Chicago", region="IL", country="US")),
        ("  Salt Lake City ,UT,  US ", Place(city="Salt Lake City", region="UT", country="US")),
        ("Chicago, IL", Place(city="Chicago", region="IL")),
        ("Chicago", Place(city="Chicago")),
        ("Chicago, IL 60601, US", Place(city="Chicago", region="IL", country="US")),
        ("Memphis, Shelby, TN, US", Place(city="Memphis", region="TN", country="US")),
        ("", Place()),
        (" , , ", Place()),
    ],
)
def test_location_becomes_a_coarse_place(location, place):
    assert parse_place(location) == place


def test_a_scan_postal_code_is_not_copied():
    event = parse_event(sample_event(postalCode="60601", location="Chicago, IL, US"))

    assert event is not None
    assert "60601" not in repr(event)


def test_secondary_description_is_added_when_it_says_more():
    event = parse_event(
        sample_event(
            primaryEventId=None, primaryEventDescription="DELIVERY ATTEMPTED", secondaryEventDescription="NO ACCESS"
        )
    )

    assert event is not None
    assert event.description == "DELIVERY ATTEMPTED – NO ACCESS"
    assert event.status is Status.DELIVERY_FAILED


@pytest.mark.parametrize(
    ("code", "description", "status"),
    [
        (600, "DELIVERED", Status.DELIVERED),
        (598, "OUT FOR DELIVERY", Status.OUT_FOR_DELIVERY),
        (600, "", Status.DELIVERED),
        ("600", "", Status.DELIVERED),
        (598, "", Status.OUT_FOR_DELIVERY),
        (198, "", Status.IN_TRANSIT),
        (220, "", Status.IN_TRANSIT),
        (300, "", Status.IN_TRANSIT),
        (400, "", Status.IN_TRANSIT),
        (500, "", Status.IN_TRANSIT),
        (510, "", Status.IN_TRANSIT),
        (520, "", Status.IN_TRANSIT),
        (580, "", Status.IN_TRANSIT),
        (220, "PROCESSED", Status.IN_TRANSIT),
        (198, "ELECTRONIC NOTIFICATION RECEIVED", Status.INFO_RECEIVED),
        (132, "", Status.INFO_RECEIVED),
        ("132", "EN ROUTE TO DHL ECOMMERCE DISTRIBUTION CENTER", Status.INFO_RECEIVED),
        (600.0, "", Status.DELIVERED),
        (580, "OUT FOR DELIVERY", Status.OUT_FOR_DELIVERY),
        (600, "RETURNED TO SENDER", Status.DELIVERED),
        (True, "", Status.UNKNOWN),
        (None, "", Status.UNKNOWN),
        (999, "SOMETHING NEW", Status.UNKNOWN),
    ],
)
def test_event_codes_map_to_statuses(code, description, status):
    assert STATUS_MAP.status(event_code(code), (description,)) is status


@pytest.mark.parametrize(
    ("description", "status"),
    [
        ("ELECTRONIC NOTIFICATION RECEIVED", Status.INFO_RECEIVED),
        ("LABEL CREATED", Status.INFO_RECEIVED),
        ("PICKED UP", Status.IN_TRANSIT),
        ("ARRIVAL DHL ECOMMERCE FACILITY", Status.IN_TRANSIT),
        ("DEPARTURE ORIGIN DHL ECOMMERCE FACILITY", Status.IN_TRANSIT),
        ("PROCESSED", Status.IN_TRANSIT),
        ("TENDERED TO DELIVERY SERVICE PROVIDER", Status.IN_TRANSIT),
        ("ARRIVED USPS SORT FACILITY", Status.IN_TRANSIT),
        ("EN ROUTE", Status.IN_TRANSIT),
        # Descriptions DHL's answers carry, as public integrations record them.
        ("EN ROUTE TO DHL ECOMMERCE DISTRIBUTION CENTER", Status.INFO_RECEIVED),
        ("En route to DHL eCommerce distribution center or awaiting processing", Status.INFO_RECEIVED),
        (
            "Electronic Notification Received: Your order has been processed and tracking will be updated soon",
            Status.INFO_RECEIVED,
        ),
        ("DHL eCommerce currently awaiting shipment and tracking will be updated when received", Status.INFO_RECEIVED),
        ("PACKAGE RECEIVED AT DHL ECOMMERCE DISTRIBUTION CENTER", Status.IN_TRANSIT),
        ("ARRIVAL AT POST OFFICE", Status.IN_TRANSIT),
        ("Arrived USPS Sort Facility", Status.IN_TRANSIT),
        ("PROCESSED THROUGH USPS SORT FACILITY", Status.IN_TRANSIT),
        ("Sorting Complete", Status.IN_TRANSIT),
        ("EN ROUTE TO DELIVERY LOCATION", Status.IN_TRANSIT),
        ("OUT FOR SECOND DELIVERY ATTEMPT", Status.OUT_FOR_DELIVERY),
        ("SECOND DELIVERY ATTEMPT SUCCESSFUL", Status.DELIVERED),
        ("OUT FOR DELIVERY", Status.OUT_FOR_DELIVERY),
        ("DELIVERED", Status.DELIVERED),
        ("Delivered", Status.DELIVERED),
        ("DELIVERY ATTEMPTED", Status.DELIVERY_FAILED),
        ("NOTICE LEFT", Status.DELIVERY_FAILED),
        ("UNDELIVERABLE AS ADDRESSED", Status.DELIVERY_FAILED),
        ("AVAILABLE FOR PICKUP", Status.AWAITING_PICKUP),
        ("RETURNED TO SENDER", Status.RETURNED),
        ("RETURN TO SHIPPER", Status.RETURNED),
        ("DAMAGED", Status.EXCEPTION),
        ("MISSORT", Status.EXCEPTION),
        ("ADDRESS ISSUE", Status.EXCEPTION),
        ("SOMETHING NEW", Status.UNKNOWN),
        ("", Status.UNKNOWN),
    ],
)
def test_descriptions_map_to_statuses_when_the_code_is_unknown(description, status):
    assert STATUS_MAP.status("", (description,)) is status


def test_secondary_description_decides_when_the_primary_says_nothing_known():
    assert STATUS_MAP.status("", ("UPDATE", "AVAILABLE FOR PICKUP")) is Status.AWAITING_PICKUP


# --- Defensive parsing and failures ---


@pytest.mark.parametrize(
    ("status_code", "reason"),
    [
        (500, FailureReason.UNAVAILABLE),
        (503, FailureReason.UNAVAILABLE),
        (429, FailureReason.RATE_LIMITED),
        (403, FailureReason.AUTH),
        (400, FailureReason.BAD_RESPONSE),
    ],
)
def test_http_errors_become_carrier_failures(status_code, reason):
    handler = Dhl(lambda request: httpx.Response(status_code, json={"title": "error"}))

    assert make_client(handler).track(GM_NUMBER) == CarrierFailure("dhl-ecommerce", GM_NUMBER, reason)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx.ReadTimeout("slow"), FailureReason.TIMEOUT),
        (httpx.ConnectTimeout("slow"), FailureReason.TIMEOUT),
        (httpx.ConnectError("refused"), FailureReason.UNAVAILABLE),
    ],
)
def test_transport_errors_become_carrier_failures(error, reason):
    def tracking(request: httpx.Request) -> httpx.Response:
        raise error

    assert make_client(Dhl(tracking)).track(GM_NUMBER) == CarrierFailure("dhl-ecommerce", GM_NUMBER, reason)


@pytest.mark.parametrize(
    "content",
    [b'{"packages": [', b"<html>Bad gateway</html>", b"", b"\xff\xfe"],
)
def test_malformed_json_is_a_bad_response(content):
    handler = Dhl(lambda request: httpx.Response(200, content=content))

    assert make_client(handler).track(GM_NUMBER).reason is FailureReason.BAD_RESPONSE


@pytest.mark.parametrize("body", [[], "packages", 42, None, {"packages": "GM5119462000000101"}, {"packages": {}}])
def test_json_of_the_wrong_shape_is_a_bad_response(body):
    handler = Dhl(lambda request: httpx.Response(200, json=body))

    assert make_client(handler).track(GM_NUMBER).reason is FailureReason.BAD_RESPONSE


@pytest.mark.parametrize(
    "package",
    [
        {"package": {"dhlPackageId": GM_NUMBER}},
        {"package": {"dhlPackageId": GM_NUMBER}, "events": None},
        {"package": {"dhlPackageId": GM_NUMBER}, "events": {"date": "2024-05-02"}},
        {"package": {"dhlPackageId": GM_NUMBER}, "events": ["DELIVERED", 42, None, {}]},
        {"package": {"dhlPackageId": GM_NUMBER, "expectedDelivery": 20240503, "productName": ["x"]}, "events": []},
        {
            "package": {"dhlPackageId": GM_NUMBER},
            "recipient": "x",
            "pickupDetail": 5,
            "events": [{"date": "2024-05-02"}],
        },
    ],
)
def test_wrong_types_inside_a_package_are_tolerated(package):
    handler = Dhl(lambda request: answer(package))
    result = make_client(handler).track(GM_NUMBER)

    assert isinstance(result, Found)
    assert result.parcel.signed is False


def test_unexpected_items_in_the_package_list_are_skipped():
    handler = Dhl(lambda request: answer("GM5119462000000101", None, [], package_item(dhl_package_id=GM_NUMBER)))

    assert isinstance(make_client(handler).track(GM_NUMBER), Found)


def test_a_failing_call_fails_only_its_own_numbers():
    numbers = [f"GM51194620000001{index:02d}" for index in range(11)]

    def tracking(request: httpx.Request) -> httpx.Response:
        asked = request.url.params[DHL_PACKAGE_ID].split(",")
        if len(asked) == 1:
            return httpx.Response(503)
        return answer(*(package_item(dhl_package_id=number) for number in asked))

    results = make_client(Dhl(tracking)).track_many(numbers)

    assert [type(result) for result in results] == [Found] * 10 + [CarrierFailure]


def test_a_failed_call_is_not_retried_with_other_kinds():
    handler = Dhl(lambda request: httpx.Response(500))
    make_client(handler).track(GM_NUMBER)

    assert len(handler.tracking_requests) == 1


def test_track_batch_gives_the_parcels_found_by_number_in_one_call():
    handler = Dhl()
    handler.known = [package_item(dhl_package_id=GM_NUMBER)]

    found = make_client(handler).track_batch([GM_NUMBER, "GM5119462000000999"], DHL_PACKAGE_ID)

    assert list(found) == [GM_NUMBER]
    assert len(handler.tracking_requests) == 1


def test_track_batch_raises_when_a_call_fails():
    handler = Dhl(lambda request: httpx.Response(429))

    with pytest.raises(CarrierUnavailable) as caught:
        make_client(handler).track_batch([GM_NUMBER], DHL_PACKAGE_ID)
    assert caught.value.reason is FailureReason.RATE_LIMITED


def test_call_batch_gives_every_number_asked_a_result():
    handler = Dhl()
    handler.known = [package_item(package_id=SHOP_NUMBER)]

    results = make_client(handler).call_batch([SHOP_NUMBER, "SHOP-404"], PACKAGE_ID)

    assert [type(result) for result in results.values()] == [Found, NotFound]
    assert len(handler.tracking_requests) == 1


def test_call_batch_catches_a_failed_call_into_per_number_failures():
    handler = Dhl(lambda request: httpx.Response(429))

    results = make_client(handler).call_batch([GM_NUMBER, "GM5119462000000999"], DHL_PACKAGE_ID)

    assert set(results.values()) == {
        CarrierFailure("dhl-ecommerce", GM_NUMBER, FailureReason.RATE_LIMITED),
        CarrierFailure("dhl-ecommerce", "GM5119462000000999", FailureReason.RATE_LIMITED),
    }


def test_track_batch_without_a_kind_asks_the_kind_the_first_number_suggests():
    handler = Dhl()
    handler.known = [package_item(tracking_id=IMPB_NUMBER)]

    assert list(make_client(handler).track_batch([IMPB_NUMBER])) == [IMPB_NUMBER]
    assert dict(handler.tracking_requests[0].url.params) == {TRACKING_ID: IMPB_NUMBER}


def test_identifier_kinds_start_with_the_shape_and_then_try_the_others():
    client = make_client(Dhl())

    assert client.identifier_kinds(GM_NUMBER) == (DHL_PACKAGE_ID, PACKAGE_ID, TRACKING_ID)
    assert client.identifier_kinds(SHOP_NUMBER) == (PACKAGE_ID, DHL_PACKAGE_ID, TRACKING_ID)


# --- Group searches ---


def manifest_pages(request: httpx.Request) -> httpx.Response:
    offset = request.url.params.get("offset", "0")
    return httpx.Response(200, json=load(f"manifest_page_{int(offset) // 2 + 1}.json"))


def test_manifest_search_follows_next_links_until_there_is_none():
    handler = Dhl(manifest_pages)
    parcels = make_client(handler).search_manifest("a1b2c3d4-0000-4000-8000-000000002000")

    assert len(parcels) == 5
    urls = [str(request.url) for request in handler.tracking_requests]
    assert urls == [
        f"{BASE_URL}{TRACKING_PATH}?manifestId=a1b2c3d4-0000-4000-8000-000000002000&limit=10",
        f"{BASE_URL}{TRACKING_PATH}?manifestId=a1b2c3d4-0000-4000-8000-000000002000&offset=2&limit=2",
        f"{BASE_URL}{TRACKING_PATH}?manifestId=a1b2c3d4-0000-4000-8000-000000002000&offset=4&limit=2",
    ]
    assert all(request.headers["Authorization"] == "Bearer token-1" for request in handler.tracking_requests)


def test_group_search_lists_each_parcel_under_dhl_id_then_tracking_id_then_package_id():
    parcels = make_client(Dhl(manifest_pages)).search_manifest("a1b2c3d4-0000-4000-8000-000000002000")

    assert [parcel.tracking_number for parcel in parcels] == [
        "GM5119000000002001",
        "GM5119000000002002",
        "9261290100830000002003",
        "SHOP-2004",
        "GM5119000000002005",
    ]
    assert parcels[-1].status is Status.DELIVERED


def test_group_search_keeps_private_fields_out():
    parcels = make_client(Dhl(manifest_pages)).search_manifest("a1b2c3d4-0000-4000-8000-000000002000")

    text = repr(parcels)
    assert "Recipient 1" not in text
    assert "Example Shop Warehouse" not in text
    assert "a1b2c3d4-0000-4000-8000-000000002000" not in text


def test_a_page_without_links_is_the_last():
    handler = Dhl(lambda request: httpx.Response(200, json=load("manifest_page_3.json") | {"links": None}))
    parcels = make_client(handler).search_manifest("m-1")

    assert len(parcels) == 1
    assert len(handler.tracking_requests) == 1


def test_a_previous_link_alone_ends_the_search():
    page = load("manifest_page_2.json")
    page["links"] = {"previous": page["links"]["previous"]}
    handler = Dhl(lambda request: httpx.Response(200, json=page))

    make_client(handler).search_manifest("m-1")

    assert len(handler.tracking_requests) == 1


def test_nothing_found_in_a_group_search_is_an_empty_list():
    assert make_client(Dhl(lambda request: not_found())).search_manifest("m-1") == []


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/tracking/v4/package/open?manifestId=m-1&offset=2&limit=2",
        "//evil.example/tracking/v4/package/open?offset=2",
        "http://api-sandbox.dhlecs.com/tracking/v4/package/open?manifestId=m-1&offset=2&limit=2",
        "https://api-sandbox.dhlecs.com:8443/tracking/v4/package/open?offset=2",
    ],
)
def test_a_next_link_to_another_host_is_refused(link):
    page = load("manifest_page_1.json")
    page["links"] = {"next": link}
    handler = Dhl(lambda request: httpx.Response(200, json=page))

    with pytest.raises(CarrierUnavailable) as caught:
        make_client(handler).search_manifest("m-1")
    assert caught.value.reason is FailureReason.BAD_RESPONSE
    assert [request.url.host for request in handler.tracking_requests] == ["api-sandbox.dhlecs.com"]


def test_endless_next_links_stop_at_the_page_cap():
    page = load("manifest_page_1.json")
    handler = Dhl(lambda request: httpx.Response(200, json=page))

    parcels = make_client(handler).search_manifest("m-1")

    assert len(handler.tracking_requests) == dhl_ecommerce.MAX_PAGES
    assert len(parcels) == 2 * dhl_ecommerce.MAX_PAGES


def test_group_search_failures_raise_carrier_unavailable():
    with pytest.raises(CarrierUnavailable) as caught:
        make_client(Dhl(lambda request: httpx.Response(502))).search_manifest("m-1")
    assert caught.value.reason is FailureReason.UNAVAILABLE


def test_pickup_search_sends_dates_as_yyyymmdd_with_its_filters():
    handler = Dhl(lambda request: not_found())
    make_client(handler).search_pickup(
        "5119000", date(2024, 7, 1), date(2024, 7, 7), state="TX", postal_code="78701", ordered_product_id="GND"
    )

    assert dict(handler.tracking_requests[0].url.params) == {
        "pickup": "5119000",
        "startDate": "20240701",
        "endDate": "20240707",
        "state": "TX",
        "postalCode": "78701",
        "orderedProductId": "GND",
        "limit": "10",
    }


def test_pickup_search_follows_pages_too():
    parcels = make_client(Dhl(manifest_pages)).search_pickup("5119000", date(2024, 7, 10), date(2024, 7, 16))

    assert len(parcels) == 5


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2024, 7, 8), date(2024, 7, 7)),
        (date(2024, 7, 1), date(2024, 7, 9)),
        (date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_pickup_search_refuses_ranges_dhl_would_refuse(start, end):
    handler = Dhl(lambda request: not_found())
    with pytest.raises(ValueError):
        make_client(handler).search_pickup("5119000", start, end)
    assert handler.requests == []


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2024, 7, 1), date(2024, 7, 1)), (date(2024, 7, 1), date(2024, 7, 8)), (date(2024, 2, 26), date(2024, 3, 4))],
)
def test_pickup_search_accepts_ranges_up_to_seven_days(start, end):
    params = pickup_search_params("5119000", start, end)

    assert params["startDate"] == start.strftime("%Y%m%d")
    assert params["endDate"] == end.strftime("%Y%m%d")


def test_pickup_search_needs_a_pickup():
    with pytest.raises(ValueError):
        pickup_search_params(" ", date(2024, 7, 1), date(2024, 7, 2))


def test_manifest_search_needs_a_manifest_id():
    with pytest.raises(ValueError):
        make_client(Dhl()).search_manifest("  ")


# --- DHL's published answers, verbatim (tests/fixtures/README.md names their sources) ---

# Each fixture's git blob id: the same bytes as the file at the source the README cites.
PUBLISHED_BLOBS = {
    "karrio_tracking_response.json": "2b138a36d2807db6866d7bae30fcc9f1b2d12c8f",
    "sdk_200_token.json": "e7a821b7dc6f179b527bf13e103fe9a20b778004",
    "sdk_401_invalid_token.json": "30c9a0df2dcc5b9a1aea1b8bf9552fc1b59c548f",
    "sdk_401_invalid_credentials.json": "8e2c3881a7d263012c3a7f20283855cc8c139ac1",
    "sdk_400_invalid_grant_type.json": "ccaa9b158469dd85a702cca55f3f966e44d40eb8",
    "sdk_500_gateway_error.json": "dc46f18c636f14669e9f0b99c6f152b6ae54b5e5",
    "sdk_500_unknown_exception.json": "d5c7a8d22cbb8f93b977c0f1e150874ec1edfd72",
}
SAMPLE = "karrio_tracking_response.json"
# The published sample's package under each of its identifiers, and the kind each is asked by first.
SAMPLE_NUMBERS = {
    "4341002003719794": DHL_PACKAGE_ID,
    "V4-TEST-1581367640092": PACKAGE_ID,
    "532339200210204734751": TRACKING_ID,
    "9374869903500011991251": TRACKING_ID,
}


@pytest.mark.parametrize(("name", "blob"), PUBLISHED_BLOBS.items())
def test_published_fixtures_are_the_sources_bytes(name, blob):
    data = (FIXTURES / name).read_bytes()

    assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == blob  # noqa: S324 - git's object id


def published_sample_handler() -> Dhl:
    body = (FIXTURES / SAMPLE).read_bytes()
    return Dhl(lambda request: httpx.Response(200, content=body, headers={"Content-Type": "application/json"}))


@pytest.mark.parametrize(("number", "kind"), SAMPLE_NUMBERS.items())
def test_the_published_sample_is_found_under_each_of_its_numbers(number, kind):
    result = make_client(published_sample_handler()).track_batch([number], kind)[number]

    assert isinstance(result, Found)
    assert result.tracking_number == number


def test_the_published_sample_reads_whole_without_drift():
    with collected() as drift:
        parcel = make_client(published_sample_handler()).track_batch(["4341002003719794"], DHL_PACKAGE_ID)
    parcel = parcel["4341002003719794"].parcel

    assert drift == []
    assert parcel.status is Status.INFO_RECEIVED
    assert parcel.expected_delivery == date(2019, 12, 25)
    assert parcel.service == "DHL SM Parcel Ground"
    assert parcel.signed is True
    assert parcel.last_mile is None
    [event] = parcel.events
    assert event.occurred_at.isoformat() == "2020-02-10T15:50:39-05:00"
    assert event.description == "EN ROUTE TO DHL ECOMMERCE DISTRIBUTION CENTER"
    assert (event.code, event.status) == ("132", Status.INFO_RECEIVED)
    assert event.place == Place(city="Hebron", region="KY", country="US")


def test_the_published_sample_keeps_its_reference_only_data_out():
    parcel = make_client(published_sample_handler()).track("4341002003719794").parcel
    sample = json.loads((FIXTURES / SAMPLE).read_text())["packages"][0]
    private = [
        # Every recipient and pickup address field but the country, which a scan's own place may name too.
        *(value for name, value in sample["recipient"].items() if name != "country"),
        *(value for name, value in sample["pickupDetail"]["pickupAddress"].items() if value and name != "country"),
        sample["pickupDetail"]["soldTo"],
        sample["pickupDetail"]["pickup"],
        sample["package"]["customerReference"],
        sample["package"]["manifestId"],
        sample["package"]["billedProductId"],
        str(sample["package"]["weight"]["value"]),
    ]

    assert len(private) > 15
    assert [value for value in private if value in repr(parcel)] == []


def test_the_published_token_answer_of_dhls_sdk_is_used_for_its_lifetime():
    clock = FakeClock()
    handler = delivered_handler()
    handler.token_answer = load("sdk_200_token.json")
    client = make_client(handler, clock=clock)

    client.track(GM_NUMBER)
    clock.now += 3600 - 61
    client.track(GM_NUMBER)
    clock.now += 60
    client.track(GM_NUMBER)

    assert handler.tokens_issued == 2
    assert {request.headers["Authorization"] for request in handler.tracking_requests} == {"Bearer t0k3n"}


def test_dhls_invalid_token_answer_refreshes_the_token_once():
    def tracking(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer token-1":
            return httpx.Response(401, json=load("sdk_401_invalid_token.json"))
        return httpx.Response(200, json=load("package_delivered.json"))

    handler = Dhl(tracking)

    assert isinstance(make_client(handler).track(GM_NUMBER), Found)
    assert handler.tokens_issued == 2


@pytest.mark.parametrize("answer_name", ["sdk_401_invalid_credentials.json", "sdk_400_invalid_grant_type.json"])
def test_dhls_token_refusals_are_auth_failures(answer_name):
    status = int(answer_name.split("_")[1])

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=load(answer_name))

    http = httpx.Client(transport=httpx.MockTransport(refuse))
    client = build_dhl_ecommerce_client(http, base_url=BASE_URL, client_id="x", client_secret="y", clock=FakeClock())

    assert client.track(GM_NUMBER) == CarrierFailure("dhl-ecommerce", GM_NUMBER, FailureReason.AUTH)


@pytest.mark.parametrize("answer_name", ["sdk_500_gateway_error.json", "sdk_500_unknown_exception.json"])
def test_dhls_server_errors_are_unavailable(answer_name):
    handler = Dhl(lambda request: httpx.Response(500, json=load(answer_name)))

    assert make_client(handler).track(GM_NUMBER) == CarrierFailure(
        "dhl-ecommerce", GM_NUMBER, FailureReason.UNAVAILABLE
    )


# --- Dates, times and zones in every form DHL writes them ---


def in_transit_with(**package: Any) -> dict[str, Any]:
    item = package_item(dhl_package_id=GM_NUMBER)
    item["package"].update(package)
    return item


def parcel_of(*items: dict[str, Any]):
    result = make_client(Dhl(lambda request: answer(*items))).track(GM_NUMBER)
    assert isinstance(result, Found)
    return result.parcel


@pytest.mark.parametrize(
    "written",
    [
        "12/25/2019",
        "2019-12-25",
        "12/25/2019 00:00:00",
        "12/25/2019 11:59 PM",
        "12/25/2019T08:00:00",
        "2019-12-25T00:00:00Z",
        "2019-12-25T08:00:00.000-05:00",
        "2019-12-25 08:00",
        " 12/25/2019 ",
    ],
)
def test_expected_delivery_is_read_in_each_of_dhls_forms(written):
    with collected() as drift:
        parcel = parcel_of(in_transit_with(expectedDelivery=written))

    assert parcel.expected_delivery == date(2019, 12, 25)
    assert drift == []


@pytest.mark.parametrize(("written", "day"), [("1/5/2024", date(2024, 1, 5)), ("02/29/2024", date(2024, 2, 29))])
def test_us_dates_are_month_first(written, day):
    assert parcel_of(in_transit_with(expectedDelivery=written)).expected_delivery == day


@pytest.mark.parametrize(
    "written",
    [
        "13/45/2019",
        "25.12.2019",
        "2019-02-30",
        "tomorrow",
        "12/25/19",
        "12/25/2019 noon",
        20191225,
        ["12/25/2019"],
        True,
    ],
)
def test_an_unreadable_expected_delivery_is_left_out_and_reported(written):
    with collected() as drift:
        parcel = parcel_of(in_transit_with(expectedDelivery=written))

    assert parcel.expected_delivery is None
    assert parcel.status is Status.IN_TRANSIT and len(parcel.events) == 3
    assert [report.path for report in drift] == ["packages[].package.expectedDelivery"]


@pytest.mark.parametrize("written", [None, ""])
def test_no_expected_delivery_is_not_drift(written):
    with collected() as drift:
        parcel = parcel_of(in_transit_with(expectedDelivery=written))

    assert parcel.expected_delivery is None
    assert drift == []


@pytest.mark.parametrize(
    ("day", "time", "local"),
    [
        ("2024-05-02", "14:31:05", "2024-05-02T14:31:05"),
        ("05/02/2024", "14:31:05", "2024-05-02T14:31:05"),
        ("5/2/2024", "14:31", "2024-05-02T14:31:00"),
        ("05/02/2024", "2:31:05 PM", "2024-05-02T14:31:05"),
        ("05/02/2024", "12:05 AM", "2024-05-02T00:05:00"),
        ("2024-05-02", "14:31:05.250", "2024-05-02T14:31:05.250000"),
        ("2024-05-02T14:31:05", None, "2024-05-02T14:31:05"),
        ("05/02/2024 14:31:05", "", "2024-05-02T14:31:05"),
    ],
)
def test_event_dates_and_times_are_read_in_each_of_dhls_forms(day, time, local):
    with collected() as drift:
        event = parse_event(sample_event(date=day, time=time, timeZone="CT"))

    assert event is not None
    assert event.occurred_at.replace(tzinfo=None).isoformat() == local
    assert event.occurred_at.utcoffset() == timedelta(hours=-5)
    assert drift == []


def test_an_offset_written_with_the_time_wins_over_the_zone_name():
    event = parse_event(sample_event(date="2024-05-02", time="14:31:05-04:00", timeZone="CT"))

    assert event is not None
    assert event.occurred_at.utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize("time", ["25:00:00", "14h31", "2:31 XM", "13:00 PM", 1431, {"h": 14}])
def test_an_unreadable_time_keeps_the_scan_on_its_day_and_is_reported(time):
    with collected() as drift:
        event = parse_event(sample_event(date="2024-05-02", time=time, timeZone="CT"))

    assert event is not None
    assert event.occurred_at.isoformat() == "2024-05-02T00:00:00-05:00"
    assert event.status is Status.DELIVERED
    assert [report.path for report in drift] == ["packages[].events[].time"]


@pytest.mark.parametrize("day", ["02/05", "2024-05-32", "yesterday", 20240502, None])
def test_a_scan_without_a_readable_date_is_dropped_and_reported(day):
    body = load("package_delivered.json")
    body["packages"][0]["events"][0]["date"] = day

    with collected() as drift:
        parcel = make_client(Dhl(lambda request: httpx.Response(200, json=body))).track(GM_NUMBER).parcel

    assert [event.description for event in parcel.events] == ["OUT FOR DELIVERY", "PROCESSED"]
    assert [report.path for report in drift] == ["packages[].events[].date"]


WINTER, SUMMER = "2024-01-15", "2024-07-15"


@pytest.mark.parametrize(
    ("zone", "day", "utc_offset_hours"),
    [
        ("EST", WINTER, -5),
        ("EDT", SUMMER, -4),
        ("CST", WINTER, -6),
        ("CDT", SUMMER, -5),
        ("MST", WINTER, -7),
        ("MDT", SUMMER, -6),
        ("PST", WINTER, -8),
        ("PDT", SUMMER, -7),
        ("AKST", WINTER, -9),
        ("AKDT", SUMMER, -8),
        ("HST", WINTER, -10),
        ("HST", SUMMER, -10),
        ("HDT", SUMMER, -9),
        ("ET", WINTER, -5),
        ("ET", SUMMER, -4),
        ("CT", WINTER, -6),
        ("CT", SUMMER, -5),
        ("MT", WINTER, -7),
        ("MT", SUMMER, -6),
        ("PT", WINTER, -8),
        ("PT", SUMMER, -7),
        ("+07", SUMMER, 7),
        ("-05:00", SUMMER, -5),
        ("UTC-3", SUMMER, -3),
    ],
)
def test_every_us_zone_name_dhl_may_send_is_read_without_drift(zone, day, utc_offset_hours):
    with collected() as drift:
        event = parse_event(sample_event(timeZone=zone, date=day, location="Somewhere"))

    assert event is not None
    assert event.occurred_at.utcoffset() == timedelta(hours=utc_offset_hours)
    assert drift == []


@pytest.mark.parametrize(
    ("zone", "location", "utc_offset_hours"),
    [
        ("LT", "Chicago, IL, US", -5),
        ("XYZ", "Phoenix, AZ, US", -7),
        ("LT", "Hebron, KY, US", 0),
        ("LT", "Somewhere", 0),
        (["CT"], "Chicago, IL, US", -5),
    ],
)
def test_an_unknown_zone_is_reported_and_the_scans_state_decides(zone, location, utc_offset_hours):
    with collected() as drift:
        event = parse_event(sample_event(timeZone=zone, date=SUMMER, location=location))

    assert event is not None
    assert event.occurred_at.utcoffset() == timedelta(hours=utc_offset_hours)
    assert [report.path for report in drift] == ["packages[].events[].timeZone"]


def test_a_missing_zone_is_not_drift_and_the_scans_state_decides():
    with collected() as drift:
        event = parse_event(sample_event(timeZone=None, date=SUMMER, location="Denver, CO, US"))

    assert event is not None
    assert event.occurred_at.utcoffset() == timedelta(hours=-6)
    assert drift == []


# --- Page links named as the document or as the published samples name them ---


def two_pages(first_links: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    def pages(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("offset") == "2":
            return httpx.Response(200, json=load("manifest_page_3.json") | {"links": {"previous": "/x", "prev": "/x"}})
        return httpx.Response(200, json=load("manifest_page_1.json") | {"links": first_links})

    return pages


@pytest.mark.parametrize("previous_name", ["prev", "previous"])
def test_both_names_of_the_previous_link_are_known(previous_name):
    links = {previous_name: f"{TRACKING_PATH}?manifestId=m-1&offset=0&limit=2", "next": f"{TRACKING_PATH}?offset=2"}

    with collected() as drift:
        parcels = make_client(Dhl(two_pages(links))).search_manifest("m-1")

    assert len(parcels) == 3
    assert drift == []


@pytest.mark.parametrize(
    ("links", "path"),
    [
        ({"next": 2}, "links.next"),
        ({"next": f"{TRACKING_PATH}?offset=2", "previous": ["/x"]}, "links.previous"),
        ({"next": f"{TRACKING_PATH}?offset=2", "prev": {"href": "/x"}}, "links.prev"),
        (["next"], "links"),
    ],
)
def test_links_of_another_type_are_reported(links, path):
    with collected() as drift:
        make_client(Dhl(two_pages(links))).search_manifest("m-1")

    assert [report.path for report in drift] == [path]


# --- Ids, codes and postal codes as JSON numbers or strings ---


def test_identifiers_sent_as_json_numbers_match_the_numbers_asked():
    item = package_item(dhl_package_id="", tracking_id="")
    item["package"].update(dhlPackageId=4341002003719794, trackingId=9261290100830000001001)

    results = make_client(Dhl(lambda request: answer(item))).track_many(["4341002003719794"])
    by_tracking_id = make_client(Dhl(lambda request: answer(item))).track(IMPB_NUMBER)

    assert isinstance(results[0], Found)
    assert isinstance(by_tracking_id, Found)


@pytest.mark.parametrize(("written", "code"), [(600, "600"), ("600", "600"), (" 600 ", "600"), (600.0, "600")])
def test_the_primary_event_id_is_kept_as_a_string_code(written, code):
    event = parse_event(sample_event(primaryEventId=written))

    assert event is not None
    assert event.code == code
    assert event.status is Status.DELIVERED


@pytest.mark.parametrize("postal_code", [0, 30024, "0", "60601", None])
def test_an_events_postal_code_may_be_a_number_or_a_string(postal_code):
    with collected() as drift:
        event = parse_event(sample_event(postalCode=postal_code))

    assert event is not None
    assert drift == []
    assert postal_code is None or str(postal_code) not in repr(event.place)


@pytest.mark.parametrize(("sold_to", "pickup"), [(5115238, 5323392), ("5115238", "5323392")])
def test_account_numbers_as_numbers_or_strings_read_alike(sold_to, pickup):
    item = package_item(dhl_package_id=GM_NUMBER)
    item["pickupDetail"].update(soldTo=sold_to, pickup=pickup)

    with collected() as drift:
        parcel = parcel_of(item)

    assert parcel.status is Status.IN_TRANSIT
    assert drift == []


# --- Drift: what the parser does not know is counted by path, never by value ---


@pytest.mark.parametrize(("body", "path"), [([], "$"), ("packages", "$"), ({"packages": {}}, "packages")])
def test_an_unknown_top_level_shape_is_reported_and_fails_the_call(body, path):
    with collected() as drift:
        result = make_client(Dhl(lambda request: httpx.Response(200, json=body))).track(GM_NUMBER)

    assert result.reason is FailureReason.BAD_RESPONSE
    assert [report.path for report in drift] == [path]


def test_an_answer_without_a_package_list_is_reported_and_finds_nothing():
    body = {"timestamp": "2024-07-16T03:10:00Z", "total": 1}

    with collected() as drift:
        result = make_client(Dhl(lambda request: httpx.Response(200, json=body))).track_batch(
            [GM_NUMBER], DHL_PACKAGE_ID
        )

    assert result == {}
    assert drift == [Drift("dhl-ecommerce", "packages", "null")]


@pytest.mark.parametrize(
    ("change", "path", "seen"),
    [
        ({"events": {"date": "2024-05-02"}}, "packages[].events", "object"),
        ({"events": ["DELIVERED"]}, "packages[].events[]", "string"),
        ({"package": ["GM5119462000000101"]}, "packages[].package", "array"),
    ],
)
def test_parts_of_a_package_of_another_type_are_reported(change, path, seen):
    item = package_item(dhl_package_id=GM_NUMBER) | change

    with collected() as drift:
        make_client(Dhl(lambda request: answer(item))).track_batch([GM_NUMBER], DHL_PACKAGE_ID)

    assert drift == [Drift("dhl-ecommerce", path, seen)]


def test_a_package_list_entry_that_is_no_object_is_reported():
    with collected() as drift:
        result = make_client(Dhl(lambda request: answer(None, package_item(dhl_package_id=GM_NUMBER)))).track(GM_NUMBER)

    assert isinstance(result, Found)
    assert drift == [Drift("dhl-ecommerce", "packages[]", "null")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("primaryEventDescription", {"text": "DELIVERED"}),
        ("secondaryEventDescription", ["NO ACCESS"]),
        ("location", True),
        ("primaryEventId", {"id": 600}),
    ],
)
def test_event_fields_of_another_type_are_left_out_and_reported(field, value):
    with collected() as drift:
        event = parse_event(sample_event(**{field: value}))

    assert event is not None
    assert [report.path for report in drift] == [f"packages[].events[].{field}"]


def test_an_unknown_event_code_is_reported_and_its_words_decide():
    with collected() as drift:
        event = parse_event(sample_event(primaryEventId=777, primaryEventDescription="ARRIVAL AT POST OFFICE"))

    assert event is not None
    assert (event.code, event.status) == ("777", Status.IN_TRANSIT)
    assert drift == [Drift("dhl-ecommerce", "packages[].events[].primaryEventId", "number")]


def test_drift_logs_the_path_and_type_never_the_value(caplog):
    caplog.set_level(logging.WARNING, logger="carriers.drift")
    secret = f"{MARKER_PREFIX}-13/45/2019"

    with collected() as drift:
        parcel_of(in_transit_with(expectedDelivery=secret))

    assert drift == [Drift("dhl-ecommerce", "packages[].package.expectedDelivery", "string")]
    assert secret not in caplog.text and MARKER_PREFIX not in caplog.text


# --- The handover to USPS ---


def with_scans(tracking_id: str, *descriptions: str) -> dict[str, Any]:
    """The in-transit sample under `tracking_id`, with newer scans of these descriptions."""
    item = package_item(dhl_package_id=GM_NUMBER, tracking_id=tracking_id)
    newer = [
        sample_event(
            date="2024-07-16",
            time=f"{10 + index:02d}:00:00",
            timeZone="ET",
            location="Columbus, OH, US",
            primaryEventId=None,
            primaryEventDescription=description,
        )
        for index, description in enumerate(descriptions)
    ]
    item["events"] = list(reversed(newer)) + item["events"]
    return item


@pytest.mark.parametrize(
    "description",
    [
        "TENDERED TO DELIVERY SERVICE PROVIDER",
        "ARRIVED USPS SORT FACILITY",
        "PROCESSED THROUGH USPS SORT FACILITY",
        "ARRIVAL AT POST OFFICE",
        "Arrived at Post Office",
        "TENDERED TO USPS",
    ],
)
def test_a_scan_that_shows_usps_has_the_parcel_names_usps_with_the_tracking_id(description):
    parcel = parcel_of(with_scans(IMPB_NUMBER, description))

    assert parcel.last_mile == LastMile(carrier="USPS", number=IMPB_NUMBER, handed_over=True)


def test_before_the_handover_there_is_no_last_mile():
    parcel = parcel_of(with_scans(IMPB_NUMBER, "DEPARTURE ORIGIN DHL ECOMMERCE FACILITY"))

    assert parcel.last_mile is None


def test_the_handover_stays_known_after_delivery():
    parcel = parcel_of(
        with_scans(IMPB_NUMBER, "TENDERED TO DELIVERY SERVICE PROVIDER", "OUT FOR DELIVERY", "DELIVERED")
    )

    assert parcel.status is Status.DELIVERED
    assert parcel.last_mile == LastMile(carrier="USPS", number=IMPB_NUMBER, handed_over=True)


@pytest.mark.parametrize("tracking_id", ["0123456789012345", "CA123456789"])
def test_a_generic_handover_to_a_non_usps_number_names_no_usps(tracking_id):
    parcel = parcel_of(with_scans(tracking_id, "TENDERED TO DELIVERY SERVICE PROVIDER", "ARRIVAL AT POST OFFICE"))

    assert parcel.last_mile is None


def test_a_scan_naming_usps_is_enough_whatever_the_tracking_ids_shape():
    parcel = parcel_of(with_scans("532339200210204734751", "ARRIVED USPS SORT FACILITY"))

    assert parcel.last_mile == LastMile(carrier="USPS", number="532339200210204734751", handed_over=True)


def test_without_a_tracking_id_no_last_mile_can_be_named():
    assert parcel_of(with_scans("", "ARRIVED USPS SORT FACILITY")).last_mile is None


def test_a_label_dhl_has_not_scanned_reads_as_information_received_keeping_its_place():
    item = package_item(dhl_package_id=GM_NUMBER)
    item["events"] = [
        sample_event(primaryEventId=None, primaryEventDescription="LABEL CREATED", location="Hebron, KY, US")
    ]

    parcel = parcel_of(item)

    assert parcel.status is Status.INFO_RECEIVED
    assert parcel.events[0].place == Place(city="Hebron", region="KY", country="US")
    assert parcel.last_mile is None


def test_every_event_carries_dhls_code():
    parcel = make_client(delivered_handler()).track(GM_NUMBER).parcel

    assert [event.code for event in parcel.events] == ["600", "598", "220"]


# --- Privacy: markers planted in every private field never reach the public model ---

BILLING_KEYS = {"customerReference", "billedProductId", "soldTo", "pickup", "productClass"}


def planted(item: dict[str, Any]) -> dict[str, Any]:
    [marked] = private_markers("dhl-ecommerce", [item])
    return plant(marked, BILLING_KEYS, lambda value: f"{MARKER_PREFIX}-billing-{MARKER_DIGITS}")


@pytest.mark.parametrize(
    "item",
    [
        pytest.param(json.loads((FIXTURES / SAMPLE).read_text())["packages"][0], id="published-sample"),
        pytest.param(with_scans(IMPB_NUMBER, "TENDERED TO DELIVERY SERVICE PROVIDER", "DELIVERED"), id="usps"),
    ],
)
def test_planted_private_fields_never_reach_the_public_model(item):
    item = planted(item)
    number = item["package"]["dhlPackageId"]

    parcel = make_client(Dhl(lambda request: answer(item))).track(number).parcel

    for private in ("recipient", "pickupDetail"):
        assert MARKER_PREFIX in json.dumps(item[private])
    assert MARKER_PREFIX not in repr(parcel) and MARKER_DIGITS not in repr(parcel)
    assert parcel.events


def test_a_planted_signer_still_marks_the_parcel_signed_without_the_name():
    item = planted(json.loads((FIXTURES / SAMPLE).read_text())["packages"][0])

    parcel = make_client(Dhl(lambda request: answer(item))).track("4341002003719794").parcel

    assert item["recipient"]["signedForName"].startswith(MARKER_PREFIX)
    assert parcel.signed is True
    assert MARKER_PREFIX not in repr(parcel)
