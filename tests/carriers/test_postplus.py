"""The PostPlus client against PostPlus's published samples (verbatim) and our answers in their shapes."""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from carriers.base import CarrierUnavailable
from carriers.drift import Drift, collected
from carriers.model import CarrierFailure, FailureReason, Found, LastMile, NotFound, Place, Status
from carriers.postplus import (
    EVENT_CODE_STATUS,
    MILESTONE_FLAGS,
    ApiKey,
    EventCode,
    FeedEvent,
    ImportEvent,
    PostPlusClient,
    build_postplus_client,
    carrier_site,
    code_list_statuses,
    last_mile,
    place_from_location,
    status_for_event,
    status_from_milestones,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "postplus"
BASE_URL = "https://api.test.post-plus.io"
API_KEY = "test-key-0123456789"
INTEGRATION_KEY = "test-integration-key-9876543210"

Handler = Callable[[httpx.Request], httpx.Response]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def client_for(handler: Handler, code_statuses: Callable[[], Any] | None = None, **options: Any) -> PostPlusClient:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    options.setdefault("api_key", API_KEY)
    return build_postplus_client(http, base_url=BASE_URL, code_statuses=code_statuses, **options)


def answering(body: Any, status: int = 200, seen: list[httpx.Request] | None = None) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        # As a carrier's JSON encoder writes it: non-ASCII (a lone surrogate too) as \u escapes.
        return httpx.Response(status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})

    return handle


def event(event_id: str, version: Any = "1", **fields: Any) -> dict[str, Any]:
    """A get-many event: the published feed example's event with our id, version and `fields`."""
    published = fixture("feed-answer-example.json")["events"][0]["event"]
    return {**published, "eventId": event_id, "eventVersion": version, **fields}


def parcel(number: str, *events: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A get-many parcel in the published shape (events first, then its fields), `fields` overriding ours."""
    return {
        "events": list(events),
        "parcelNr": number,
        "manifestParcelNr": None,
        "senderParcelNr": "13111315031",
        "destinationCountry": "EE",
        "carrier": "TestCarrier",
        "carrierParcelNr": number,
        "carrierUrl": None,
        **fields,
    }


def feed_item(number: str, event_id: str, version: str = "1", **fields: Any) -> dict[str, Any]:
    """An item of the feed, shaped like the published example, with `fields` overriding its event's."""
    sample = copy.deepcopy(fixture("feed-answer-example.json")["events"][0])
    sample["parcel"].update(parcelNr=number, carrierParcelNr=number)
    sample["event"].update(eventId=event_id, eventVersion=version, **fields)
    return sample


def track_one(body: Any, number: str = "PARCEL-NR-1") -> Any:
    return client_for(answering(body)).track(number)


def found_parcel(body: Any, number: str = "PARCEL-NR-1") -> Any:
    result = track_one(body, number)
    assert isinstance(result, Found), result
    return result.parcel


def drift_paths(reports: list[Drift]) -> list[tuple[str, str]]:
    return [(report.path, report.seen) for report in reports]


# --- PostPlus's published samples, verbatim ----------------------------------------------------------------

EXAMPLES = (FIXTURES / "query-and-import-examples.txt").read_text()


def published_request_lines() -> list[str]:
    """The request lines of PostPlus's published HTTP examples, with {{host}} as our base URL's path."""
    requests = [line for line in EXAMPLES.splitlines() if re.match(r"(GET|POST) \{\{host\}\}", line)]
    return [line.replace("{{host}}", "") for line in requests]


def published_json_after(marker: str) -> Any:
    """The JSON block that follows `marker` in the published examples (decoded up to its end)."""
    start = EXAMPLES.index("\n{", EXAMPLES.index(marker)) + 1
    return json.JSONDecoder().raw_decode(EXAMPLES[start:])[0]


def sent_line(request: httpx.Request) -> str:
    query = f"?{request.url.query.decode()}" if request.url.query else ""
    return f"{request.method} {request.url.path}{query}"


def test_the_published_examples_file_holds_the_feed_and_import_samples_published_beside_it() -> None:
    assert published_json_after("HTTP/1.1 200 OK") == fixture("feed-answer-example.json")
    assert published_json_after("/api/v1/integrations/tracking-import\n") == fixture("import-request-example.json")


def test_every_published_request_is_sent_as_published() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.path
        if path.endswith("/event-codes"):
            return httpx.Response(200, json=fixture("event-codes-answer-schema.json"))
        if path == "/api/v1/tracking":
            return httpx.Response(200, json=fixture("feed-answer-example.json"))
        return httpx.Response(200, json=[])

    client = client_for(handle, api_key="apitest1234567890")
    client.track_many(["PARCEL-NR-1", "PARCEL-NR-2"])
    client.fetch_by_sender_numbers(["SENDER-NR-1", "SENDER-NR-2"])
    client.fetch_feed_page(date(2025, 1, 1), count=200)
    client.fetch_feed_page(date(2025, 1, 1), fetch_id="Cj7tmDjWkdoUyVmb8R8B77", count=200)
    client.fetch_event_codes()
    published = fixture("import-request-example.json")["events"]
    client.import_events([import_event_from(sample) for sample in published], "integration-api-key-12345")

    assert [sent_line(request) for request in seen] == published_request_lines()[:6]
    assert all(request.headers["X-API-KEY"] == "apitest1234567890" for request in seen[:5])
    assert seen[5].headers["X-API-KEY"] == "integration-api-key-12345"
    assert json.loads(seen[5].content) == fixture("import-request-example.json")


def import_event_from(sample: dict[str, str]) -> ImportEvent:
    return ImportEvent(
        tracking_nr=sample["trackingNr"],
        event_code=sample["eventCode"],
        event_message=sample["eventMessage"],
        event_time=datetime.strptime(sample["eventTime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC),
        event_location=sample["eventLocation"],
        event_source_alt=sample["eventSourceAlt"],
        event_id=sample.get("eventId"),
    )


def test_the_published_get_many_answer_with_its_placeholders_is_a_parcel_without_readable_events() -> None:
    with collected() as reports:
        parcel_found = found_parcel(fixture("get-many-answer-schema.json"), "STRING")
    assert (parcel_found.tracking_number, parcel_found.status, parcel_found.events) == ("STRING", Status.UNKNOWN, ())
    # "string" is no country, no carrier and no time: each is left out and reported, the parcel still answers.
    assert (parcel_found.destination_country, parcel_found.last_mile) == ("", None)
    assert drift_paths(reports) == [("[].events[].eventTime", "string"), ("[].destinationCountry", "string")]


def test_the_published_get_many_answer_reaches_the_sender_search() -> None:
    found = client_for(answering(fixture("get-many-answer-schema.json"))).fetch_by_sender_numbers(["string"])
    assert list(found) == ["string"] and found["string"].tracking_number == "string"


def test_the_published_feed_example_parses_to_its_one_event_without_the_sender_number() -> None:
    page = client_for(answering(fixture("feed-answer-example.json"))).fetch_feed_page(date(2025, 1, 1))
    assert (page.next_fetch_id, page.fetch_done) == ("Cj7tmDjWkdoUyVmb8R8B77", False)
    assert page.items == (
        FeedEvent(
            event_id="WoxFW73f47o2d55PPHwzit",
            event_version="332002",
            parcel_nr="PARCEL-NR-1",
            destination_country="EE",
            carrier="TestCarrier",
            carrier_parcel_nr="PARCEL-NR-1",
            event_code="CREATE_OR_UPDATE",
            event_message="Parcel data received or updated",
            event_time=datetime(2025, 1, 13, 1, 56, 27, tzinfo=UTC),
            event_location="PPLUS",
        ),
    )
    assert "13111315031" not in repr(page)


def test_the_published_feed_schema_with_its_placeholders_skips_its_unreadable_event() -> None:
    with collected() as reports:
        page = client_for(answering(fixture("feed-answer-schema.json"))).fetch_feed_page(date(2025, 1, 1))
    assert (page.next_fetch_id, page.fetch_done, page.items) == ("string", True, ())
    assert ("events[].event.eventTime", "string") in drift_paths(reports)


def test_the_feed_example_answered_to_get_many_is_read_and_reported_as_drift() -> None:
    with collected() as reports:
        parcel_found = found_parcel(fixture("feed-answer-example.json"))
    assert (parcel_found.status, parcel_found.destination_country) == (Status.INFO_RECEIVED, "EE")
    assert [(item.description, item.place, item.code) for item in parcel_found.events] == [
        ("Parcel data received or updated", Place(), "CREATE_OR_UPDATE")
    ]
    # Its carrier is the test environment's placeholder "TestCarrier"; its sender number stays behind.
    assert parcel_found.last_mile is None and "13111315031" not in repr(parcel_found)
    assert drift_paths(reports) == [("$", "object")]


def test_the_published_event_codes_answer_reads_every_flag() -> None:
    codes = client_for(answering(fixture("event-codes-answer-schema.json"))).fetch_event_codes()
    assert codes == {"string": EventCode("string", "string", frozenset(MILESTONE_FLAGS))}
    assert code_list_statuses(codes) == {"STRING": Status.DELIVERED}


# --- get-many in the published shape -------------------------------------------------------------------


def test_every_request_sends_the_api_key_header() -> None:
    seen: list[httpx.Request] = []
    client_for(answering(fixture("get_many.json"), seen=seen)).track("PARCEL-NR-1")
    assert seen[0].headers["X-API-KEY"] == API_KEY


def test_fifty_numbers_go_in_one_call_with_literal_commas() -> None:
    seen: list[httpx.Request] = []
    numbers = [f"PPL{index:05d}" for index in range(50)]
    client_for(answering([], seen=seen)).track_many(numbers)
    assert len(seen) == 1
    assert seen[0].url.path == "/api/v1/tracking/parcel-nrs/get-many"
    assert seen[0].url.query.decode() == "ParcelNrs=" + ",".join(numbers)


def test_fifty_one_numbers_take_two_calls() -> None:
    seen: list[httpx.Request] = []
    numbers = [f"PPL{index:05d}" for index in range(51)]
    client_for(answering([], seen=seen)).track_many(numbers)
    assert [len(request.url.params["ParcelNrs"].split(",")) for request in seen] == [50, 1]


def test_each_parcel_of_the_list_answers_its_number_and_the_others_are_not_found() -> None:
    with collected() as reports:
        results = client_for(answering(fixture("get_many.json"))).track_many(["PARCEL-NR-1", "PARCEL-NR-2", "PPL9"])
    first, second, third = results
    assert isinstance(first, Found) and isinstance(second, Found)
    assert (first.parcel.status, len(first.parcel.events)) == (Status.IN_TRANSIT, 2)
    assert (second.parcel.status, second.parcel.destination_country) == (Status.DELIVERED, "LV")
    assert third == NotFound("postplus", "PPL9")
    assert reports == []  # our fixture is all in the published shape


@pytest.mark.parametrize("number", ["PPLM0250113000001", "CE310477291EE", "parcel-nr-1"])
def test_a_parcel_answers_to_its_parcel_manifest_and_carrier_numbers_in_any_case(number: str) -> None:
    parcel_found = found_parcel(fixture("get_many.json"), number)
    assert parcel_found.tracking_number == number
    assert [item.description for item in parcel_found.events][-1] == "Parcel data updated: new destination depot"


def test_events_keep_their_published_offsets_newest_first_with_their_codes() -> None:
    parcel_found = found_parcel(fixture("get_many.json"))
    assert [(item.occurred_at, item.occurred_at.utcoffset(), item.code) for item in parcel_found.events] == [
        (datetime(2025, 1, 14, 7, 12, 5, tzinfo=UTC), timedelta(hours=2), "ACCEPTED_AT_HUB"),
        (datetime(2025, 1, 13, 1, 56, 27, tzinfo=UTC), timedelta(0), "CREATE_OR_UPDATE"),
    ]


def test_repeated_event_id_is_one_event_with_the_highest_version_compared_as_numbers() -> None:
    body = [
        parcel(
            "PARCEL-NR-1",
            event("E1", "10", eventMessage="version ten"),
            event("E1", "9", eventMessage="version nine"),
            event("E2", 12, eventMessage="numbers too"),
            event("E2", "11", eventMessage="older"),
        )
    ]
    assert sorted(item.description for item in found_parcel(body).events) == ["numbers too", "version ten"]


def test_ids_codes_and_versions_may_come_as_numbers() -> None:
    body = [parcel(47110815, event(301, 2, eventCode=600, eventMessage="Parcel in transit"), carrierParcelNr=None)]
    with collected() as reports:
        parcel_found = found_parcel(body, "47110815")
    assert (parcel_found.status, parcel_found.events[0].code) == (Status.IN_TRANSIT, "600")
    assert drift_paths(reports) == [("[].events[].eventCode", "number")]  # read, but not a code our table knows


def test_event_time_without_offset_is_read_as_utc() -> None:
    body = [parcel("PARCEL-NR-1", event("E1", eventTime="2025-01-13T01:56:27"))]
    assert found_parcel(body).events[0].occurred_at == datetime(2025, 1, 13, 1, 56, 27, tzinfo=UTC)


@pytest.mark.parametrize("time", ["yesterday", "13/01/2025", 1736733387, None, {"utc": "2025-01-13"}])
def test_an_event_without_a_readable_time_is_left_out_and_reported_never_the_parcel(time: Any) -> None:
    body = [parcel("PARCEL-NR-1", event("E1", eventTime=time), event("E2"))]
    with collected() as reports:
        parcel_found = found_parcel(body)
    assert len(parcel_found.events) == 1
    assert [report.path for report in reports] == ["[].events[].eventTime"]


@pytest.mark.parametrize(
    ("fields", "path", "seen"),
    [
        ({"destinationCountry": 372}, "[].destinationCountry", "number"),
        ({"destinationCountry": "Estonia"}, "[].destinationCountry", "string"),
        ({"carrier": ["Omniva"]}, "[].carrier", "array"),
        ({"carrierUrl": {"href": "https://www.omniva.ee/"}}, "[].carrierUrl", "object"),
        ({"carrierUrl": "https://www.omniva.ee/?q=" + "x" * 2000}, "[].carrierUrl", "string"),
        ({"manifestParcelNr": True}, "[].manifestParcelNr", "boolean"),
        ({"events": {"eventId": "E1"}}, "[].events", "object"),
    ],
)
def test_a_parcel_field_of_an_unexpected_type_is_left_out_and_reported(
    fields: dict[str, Any], path: str, seen: str
) -> None:
    body = [parcel("PARCEL-NR-1", event("E1"), **fields)]
    with collected() as reports:
        parcel_found = found_parcel(body)
    assert parcel_found.tracking_number == "PARCEL-NR-1"
    assert drift_paths(reports) == [(path, seen)]


@pytest.mark.parametrize(
    ("fields", "path", "seen"),
    [
        ({"eventMessage": {"en": "Parcel delivered"}}, "[].events[].eventMessage", "object"),
        ({"eventLocation": ["Tallinn"]}, "[].events[].eventLocation", "array"),
        ({"eventCode": False}, "[].events[].eventCode", "boolean"),
        ({"eventCode": "LOCKER_DROP"}, "[].events[].eventCode", "string"),
    ],
)
def test_an_event_field_of_an_unexpected_type_or_an_unknown_code_is_reported_and_the_event_kept(
    fields: dict[str, Any], path: str, seen: str
) -> None:
    body = [parcel("PARCEL-NR-1", event("E1", **fields))]
    with collected() as reports:
        parcel_found = found_parcel(body)
    assert len(parcel_found.events) == 1
    assert drift_paths(reports) == [(path, seen)]


def test_an_event_that_is_not_an_object_is_left_out_and_reported() -> None:
    body = [parcel("PARCEL-NR-1", "junk", event("E1"))]
    with collected() as reports:
        assert len(found_parcel(body).events) == 1
    assert drift_paths(reports) == [("[].events[]", "string")]


def test_carrier_text_is_cleaned_where_it_enters() -> None:
    body = [
        parcel(
            "PARCEL-NR-1",
            event("E1", eventMessage="Parcel\x0bdamaged \x1b[31m red\x00", eventLocation="\ud800"),
            carrier="Omni\x00va",
            carrierParcelNr="CE310477291EE",
        )
    ]
    parcel_found = found_parcel(body)
    assert parcel_found.events[0].description == "Parcel damaged [31m red"
    assert parcel_found.events[0].place == Place()
    assert parcel_found.last_mile is not None and parcel_found.last_mile.carrier == "Omniva"


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"parcels": [parcel("PARCEL-NR-1", event("E1"))]}, "$"),
        (parcel("PARCEL-NR-1", event("E1")), "$"),
        ({"events": [feed_item("PARCEL-NR-1", "E1")]}, "$"),
        ([feed_item("PARCEL-NR-1", "E1")], "[].event"),
    ],
    ids=["object-wrapping-the-list", "one-parcel-alone", "the-feeds-shape", "a-list-of-feed-items"],
)
def test_another_shape_at_the_top_is_read_and_reported(body: Any, path: str) -> None:
    with collected() as reports:
        parcel_found = found_parcel(body)
    assert [item.code for item in parcel_found.events] == ["CREATE_OR_UPDATE"]
    assert [report.path for report in reports] == [path]


def test_an_object_naming_no_parcel_is_reported_beside_the_parcels_that_answer() -> None:
    with collected() as reports:
        results = client_for(answering([{"status": "ok"}, parcel("PARCEL-NR-1", event("E1"))])).track("PARCEL-NR-1")
    assert isinstance(results, Found)
    assert drift_paths(reports) == [("[]", "object")]


def test_sender_parcel_nr_never_reaches_the_parcel() -> None:
    body = [parcel("PARCEL-NR-1", event("E1"), senderParcelNr="SHOP-REF-MARKER-7731")]
    assert "SHOP-REF-MARKER-7731" not in repr(found_parcel(body))


def test_parcels_are_never_signed() -> None:
    assert found_parcel(fixture("get_many.json"), "PARCEL-NR-2").signed is False


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("PPLUS", Place()),
        ("Tallinn", Place(depot="Tallinn")),
        ("London Heathrow", Place(depot="London Heathrow")),
        ("59.4370, 24.7536", Place()),
        ("Lat 59.4370 Lon 24.7536", Place()),
        ("", Place()),
        (None, Place()),
        (42, Place()),
        ("A very long location description that is not a place name at all", Place()),
    ],
)
def test_event_location_becomes_a_depot_only_when_it_reads_as_a_place(location: Any, expected: Place) -> None:
    assert place_from_location(location) == expected


@pytest.mark.parametrize(
    "location",
    [
        "Kase tn 7, 10149 Tallinn",  # a street address
        "Delivered to Mari Maasikas",  # a name
        "Signed by Mari",
        "Left with Neighbour",
        "Mr Smith",
        "Tallinn 10149",
        "LT-01100",  # a country and a postal code
        "Kase tn",
        "Tallinn, Estonia",
        "tallinn",
        "TALLINN",
        "<b>Riga</b>",
        "Riga; DROP TABLE",
        "Main Street Depot",
        "One Two Three Four Five",
    ],
)
def test_event_location_outside_the_place_shapes_gives_no_place(location: str) -> None:
    assert place_from_location(location) == Place()


@pytest.mark.parametrize(
    "location",
    [
        "EE-TLL01",  # a depot code: country, hyphen, location code
        "GB-LHR-CUS",
        "Tallinn",
        "Vantaa",
        "Frankfurt am Main",
        "Newcastle upon Tyne",
        "Stratford-upon-Avon",
        "St. Petersburg",
        "Šiauliai",
        "Ålesund",
        "L'Aquila",
    ],
)
def test_depot_codes_and_town_names_are_places(location: str) -> None:
    assert place_from_location(location) == Place(depot=location)


# --- failures ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_refused_key_is_an_auth_failure(status: int) -> None:
    result = client_for(answering({}, status=status)).track("PARCEL-NR-1")
    assert result == CarrierFailure("postplus", "PARCEL-NR-1", FailureReason.AUTH)


def test_refused_key_says_it_lacks_permission() -> None:
    client = client_for(answering({}, status=403))
    with pytest.raises(CarrierUnavailable, match="HTTP 403: the PostPlus API key was refused or lacks permission"):
        client.track_batch(["PARCEL-NR-1"])


def raising(exc: Exception) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        raise exc

    return handle


def malformed(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b'[{"events": [')


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        (answering({}, status=500), FailureReason.UNAVAILABLE),
        (answering({}, status=503), FailureReason.UNAVAILABLE),
        (answering({}, status=429), FailureReason.RATE_LIMITED),
        (answering({}, status=400), FailureReason.BAD_RESPONSE),
        (raising(httpx.ReadTimeout("slow")), FailureReason.TIMEOUT),
        (raising(httpx.ConnectError("refused")), FailureReason.UNAVAILABLE),
        (malformed, FailureReason.BAD_RESPONSE),
        (answering({"events": "nope"}), FailureReason.BAD_RESPONSE),
        (answering([1, 2]), FailureReason.BAD_RESPONSE),
        (answering({"title": "Not a list", "lists": [], "more": []}), FailureReason.BAD_RESPONSE),
        (answering("events"), FailureReason.BAD_RESPONSE),
        (answering([{"parcel": "x", "event": []}]), FailureReason.BAD_RESPONSE),
    ],
    ids=[
        "500",
        "503",
        "429",
        "400",
        "timeout",
        "connect-error",
        "malformed-json",
        "events-not-a-list",
        "list-of-numbers",
        "object-of-several-lists",
        "a-string",
        "items-naming-no-parcel",
    ],
)
def test_carrier_trouble_becomes_a_failure_result(handler: Handler, reason: FailureReason) -> None:
    results = client_for(handler).track_many(["PARCEL-NR-1", "PARCEL-NR-2"])
    assert results == [
        CarrierFailure("postplus", "PARCEL-NR-1", reason),
        CarrierFailure("postplus", "PARCEL-NR-2", reason),
    ]


def test_failures_log_neither_the_key_nor_full_numbers(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="carriers")
    client_for(answering({}, status=401)).track("PPL250113000417")
    lines = " ".join(record.getMessage() for record in caplog.records if record.name == "carriers")
    assert "outcome=http_401" in lines
    assert API_KEY not in lines
    assert "PPL250113000417" not in lines


def test_client_and_key_reprs_hide_the_key() -> None:
    assert API_KEY not in repr(client_for(answering({}))) + repr(ApiKey(API_KEY))


# --- status mapping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "status"), sorted(EVENT_CODE_STATUS.items()))
def test_event_codes_map_to_statuses_whatever_the_message(code: str, status: Status) -> None:
    assert status_for_event(code, "no keywords here") is status


def test_the_published_codes_mean_information_received_and_delivered() -> None:
    assert status_for_event("CREATE_OR_UPDATE", "Parcel data received or updated") is Status.INFO_RECEIVED
    assert status_for_event("DELIVERED", "Delivered to the recipient") is Status.DELIVERED


@pytest.mark.parametrize(
    ("message", "status"),
    [
        ("Parcel delivered to recipient", Status.DELIVERED),
        ("Courier is out for delivery", Status.OUT_FOR_DELIVERY),
        ("Parcel delivered to pickup point", Status.AWAITING_PICKUP),
        ("Return to sender initiated", Status.RETURNED),
        ("Delivery attempt failed", Status.DELIVERY_FAILED),
        ("Delivery unsuccessful, card left", Status.DELIVERY_FAILED),
        ("Parcel could not be delivered: address unknown", Status.DELIVERY_FAILED),
        ("Exception: label unreadable", Status.EXCEPTION),
        ("Held at customs", Status.EXCEPTION),
        ("Parcel damaged", Status.EXCEPTION),
        ("In transit to the destination country", Status.IN_TRANSIT),
        ("Sorted at hub", Status.IN_TRANSIT),
        ("Departed facility", Status.IN_TRANSIT),
        ("Arrived at facility", Status.IN_TRANSIT),
        ("Label printed", Status.UNKNOWN),
        ("", Status.UNKNOWN),
    ],
)
def test_unknown_codes_fall_back_to_message_keywords(message: str, status: Status) -> None:
    assert status_for_event("SOME_NEW_CODE", message) is status


def test_extra_codes_map_codes_the_table_does_not_know() -> None:
    extra = {"LOCKER_DROP": Status.AWAITING_PICKUP}
    assert status_for_event("locker_drop", "Parcel in transit", extra) is Status.AWAITING_PICKUP


def test_table_codes_win_over_extra_codes() -> None:
    assert status_for_event("DELIVERED", "", {"DELIVERED": Status.UNKNOWN}) is Status.DELIVERED


@pytest.mark.parametrize(
    ("flags", "status"),
    [
        ({"isDelivered"}, Status.DELIVERED),
        (set(MILESTONE_FLAGS), Status.DELIVERED),
        ({"isStopclock", "isDelivered"}, Status.DELIVERED),
        ({"isStopclock"}, None),  # delivered, a failed attempt or a pickup point: the words say which
        ({"isStopclock", "isAtDestination"}, None),
        ({"isAtDestination"}, Status.IN_TRANSIT),
        ({"isDeparted"}, Status.IN_TRANSIT),
        ({"isStartclock"}, Status.IN_TRANSIT),
        ({"isPreAlert", "isStartclock"}, Status.IN_TRANSIT),
        ({"isPreAlert"}, Status.INFO_RECEIVED),
        (set(), None),
    ],
)
def test_milestone_flags_give_the_furthest_milestones_status(flags: set[str], status: Status | None) -> None:
    assert status_from_milestones(frozenset(flags)) is status


def test_a_listed_codes_flags_decide_before_any_words_and_the_words_only_where_flags_say_nothing() -> None:
    codes = {
        "PRE_ADVICE": EventCode("PRE_ADVICE", "Parcel delivered to our systems", frozenset({"isPreAlert"})),
        "LOCKER_IN": EventCode("LOCKER_IN", "Parcel ready in a parcel locker", frozenset({"isStopclock"})),
        "LABEL": EventCode("LABEL", "Label printed"),
    }
    assert code_list_statuses(codes) == {"PRE_ADVICE": Status.INFO_RECEIVED, "LOCKER_IN": Status.AWAITING_PICKUP}


# --- PostPlus's own event-code list on the API path ----------------------------------------------------


class CodeList:
    """Stands in for the site's event-code statuses: counts how often it is asked, or fails."""

    def __init__(self, statuses: dict[str, Status] | None = None, failure: Exception | None = None) -> None:
        self.statuses = statuses or {}
        self.failure = failure
        self.asked = 0

    def __call__(self) -> dict[str, Status]:
        self.asked += 1
        if self.failure is not None:
            raise self.failure
        return self.statuses


def locker_answer(code: str = "LOCKER_DROP") -> list[dict[str, Any]]:
    return [parcel("PARCEL-NR-1", event("E1", eventCode=code, eventMessage="Your parcel is waiting for you"))]


def test_a_code_only_postplus_list_knows_takes_the_lists_status_through_the_api() -> None:
    codes = CodeList({"LOCKER_DROP": Status.AWAITING_PICKUP})
    result = client_for(answering(locker_answer()), codes).track("PARCEL-NR-1")
    assert isinstance(result, Found)
    assert result.parcel.status is Status.AWAITING_PICKUP
    assert codes.asked == 1


def test_the_code_list_is_not_asked_when_our_table_knows_every_code() -> None:
    codes = CodeList({"DELIVERED": Status.UNKNOWN})
    result = client_for(answering(locker_answer("DELIVERED")), codes).track("PARCEL-NR-1")
    assert isinstance(result, Found) and result.parcel.status is Status.DELIVERED
    assert codes.asked == 0


@pytest.mark.parametrize(
    "failure", [CarrierUnavailable(FailureReason.TIMEOUT), RuntimeError("the cache is down"), KeyError("codes")]
)
def test_a_failing_code_list_never_breaks_a_lookup(failure: Exception) -> None:
    codes = CodeList(failure=failure)
    result = client_for(answering(locker_answer()), codes).track("PARCEL-NR-1")
    assert isinstance(result, Found)
    assert result.parcel.status is Status.UNKNOWN  # the event's own message names no status
    assert codes.asked == 1


def test_sender_number_lookups_use_the_code_list_too() -> None:
    codes = CodeList({"LOCKER_DROP": Status.AWAITING_PICKUP})
    found = client_for(answering(locker_answer()), codes).fetch_by_sender_numbers(["13111315031"])
    assert found["13111315031"].status is Status.AWAITING_PICKUP


# --- the delivering carrier ----------------------------------------------------------------------------


def test_the_delivering_carrier_its_number_and_its_page_become_the_last_mile() -> None:
    parcel_found = found_parcel(fixture("get_many.json"))
    assert parcel_found.last_mile == LastMile(
        carrier="Omniva",
        number="CE310477291EE",
        handed_over=False,
        url="https://www.omniva.ee",  # whose page it is; the path and query are not kept
    )


def test_a_delivered_parcel_was_handed_over_and_keeps_its_pages_origin_as_given_for_the_page_to_judge() -> None:
    last = found_parcel(fixture("get_many.json"), "PARCEL-NR-2").last_mile
    assert (last.carrier, last.handed_over) == ("Latvijas Pasts", True)
    assert last.url == "http://www.pasts.lv"  # plain http, kept: the page refuses to trust it


@pytest.mark.parametrize(
    ("url", "site"),
    [
        (
            "https://tracking.postnord.com/?id=00370712345678901234&postcode=10149&name=Mari",
            "https://tracking.postnord.com",
        ),
        ("HTTPS://Tracking.PostNord.com:443/x", "https://tracking.postnord.com:443"),
        ("http://www.pasts.lv/?id=RR204817360LV", "http://www.pasts.lv"),
        ("https://tracking.postnord.com@evil.example/", ""),  # user info: whose page is not what it seems
        ("https://mari@tracking.postnord.com/", ""),
        ("https://[::1]/x", ""),
        ("https://tracking.postnord.com:99999/", ""),
        ("/track?id=1", ""),
        ("not a url", ""),
        ("", ""),
    ],
)
def test_only_the_origin_of_carrier_url_is_kept(url: str, site: str) -> None:
    assert carrier_site(url) == site


@pytest.mark.parametrize(
    ("code", "message", "handed_over"),
    [
        ("HANDED_TO_LAST_MILE_CARRIER", "Parcel handed over to Omniva", True),
        ("OUT_FOR_DELIVERY", "", True),
        ("AT_PICKUP_POINT", "", True),
        ("DELIVERY_FAILED", "", True),
        ("DELIVERED", "", True),
        ("SOMETHING_NEW", "Parcel delivered to the recipient", True),
        ("ARRIVED_AT_DESTINATION_COUNTRY", "Parcel arrived in Estonia", False),
        ("CUSTOMS_HELD", "", False),
        ("RETURNED_TO_SENDER", "", False),
    ],
)
def test_only_a_scan_of_the_handover_or_of_the_delivery_says_the_last_mile_carrier_has_it(
    code: str, message: str, handed_over: bool
) -> None:
    body = [
        parcel(
            "PARCEL-NR-1",
            event("E1"),
            event("E2", eventCode=code, eventMessage=message, eventTime="2025-01-14T08:00:00+02:00"),
            carrier="Omniva",
            carrierParcelNr="CE310477291EE",
        )
    ]
    assert found_parcel(body).last_mile.handed_over is handed_over


def test_the_newest_record_naming_a_carrier_decides_the_last_mile() -> None:
    def named(carrier: str, number: str, hours: int, event_id: str) -> dict[str, Any]:
        item = feed_item("PARCEL-NR-1", event_id, eventTime=f"2025-01-13T{1 + hours:02d}:00:00+00:00")
        item["parcel"].update(carrier=carrier, carrierParcelNr=number)
        return item

    body = {
        "events": [
            named("Posti", "JJFI6400001", 5, "E2"),
            named("Omniva", "CE310477291EE", 1, "E1"),
            named("", "", 9, "E3"),
        ]
    }
    assert found_parcel(body).last_mile == LastMile(carrier="Posti", number="JJFI6400001")


@pytest.mark.parametrize(
    ("carrier", "number", "expected"),
    [
        ("Royal Mail", "LB123456785EE", LastMile("Royal Mail", "LB123456785EE")),
        ("  DHL  Paket ", " ppl250113000417 ", LastMile("DHL Paket", "PPL250113000417")),
        ("PostNord", "00370712345678901234", LastMile("PostNord", "00370712345678901234")),
        ("Latvijas Pasts", "RR204817360LV", LastMile("Latvijas Pasts", "RR204817360LV")),
        ("Pošta Slovenije", "RR204817360SI", LastMile("Pošta Slovenije", "RR204817360SI")),
        ("PostPlus", "PARCEL-NR-1", None),
        ("Post Plus", "PARCEL-NR-1", None),
        ("PPLUS", "PARCEL-NR-1", None),
        ("TestCarrier", "PARCEL-NR-1", None),
        ("string", "PARCEL-NR-1", None),
        ("unknown", "PARCEL-NR-1", None),
        ("", "CE310477291EE", None),
        (None, "CE310477291EE", None),
        ("Omniva", "", None),
        ("Omniva", None, None),
        ("Omniva", "CE 310 477", None),
        ("Omniva", "../../admin", None),
        ("<script>alert(1)</script>", "CE310477291EE", None),
        ("A carrier name far too long to be the name of any carrier at all", "CE310477291EE", None),
        (42, "CE310477291EE", None),
    ],
)
def test_a_last_mile_needs_another_carriers_name_and_a_valid_number(carrier: Any, number: Any, expected: Any) -> None:
    assert last_mile(carrier, number) == expected


# --- sender numbers ------------------------------------------------------------------------------------


def test_sender_numbers_are_asked_in_one_call_with_their_own_parameter() -> None:
    seen: list[httpx.Request] = []
    client_for(answering([], seen=seen)).fetch_by_sender_numbers(["13111315031", "13111315032"])
    assert seen[0].url.path == "/api/v1/tracking/sender-parcel-nrs/get-many"
    assert seen[0].url.query.decode() == "SenderParcelNrs=13111315031,13111315032"
    assert seen[0].headers["X-API-KEY"] == API_KEY


def test_sender_number_lookup_is_keyed_by_sender_number_and_carries_the_parcel_nr() -> None:
    found = client_for(answering(fixture("get_many.json"))).fetch_by_sender_numbers(["13111315032", "999"])
    assert list(found) == ["13111315032"]
    assert found["13111315032"].tracking_number == "PARCEL-NR-2"
    assert "13111315032" not in repr(found["13111315032"])


def test_a_reused_sender_number_finds_its_newest_parcel() -> None:
    body = [
        parcel("PPL-OLD-1", event("E1", eventTime="2024-11-02T10:00:00+00:00"), senderParcelNr="ORDER-7"),
        parcel("PPL-NEW-2", event("E2", eventTime="2025-01-02T10:00:00+00:00"), senderParcelNr="order-7"),
    ]
    found = client_for(answering(body)).fetch_by_sender_numbers(["ORDER-7"])
    assert found["ORDER-7"].tracking_number == "PPL-NEW-2"


def test_sender_number_with_a_comma_is_refused_before_any_call() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(ValueError):
        client_for(answering([], seen=seen)).fetch_by_sender_numbers(["A,B"])
    assert seen == []


# --- feed ----------------------------------------------------------------------------------------------


def test_first_feed_call_sends_start_date_count_and_the_empty_cursor_as_published() -> None:
    seen: list[httpx.Request] = []
    client_for(answering(fixture("feed-answer-example.json"), seen=seen)).fetch_feed_page(date(2025, 1, 13), count=100)
    assert seen[0].url.path == "/api/v1/tracking"
    assert seen[0].url.query.decode() == "startDate=2025-01-13&count=100&fetchId="


def test_later_feed_calls_send_the_cursor() -> None:
    seen: list[httpx.Request] = []
    client = client_for(answering(fixture("feed-answer-example.json"), seen=seen))
    client.fetch_feed_page(date(2025, 1, 13), fetch_id="Cj7tmDjWkdoUyVmb8R8B77")
    assert seen[0].url.params["fetchId"] == "Cj7tmDjWkdoUyVmb8R8B77"


@pytest.mark.parametrize("count", [0, 501])
def test_feed_count_outside_1_to_500_is_refused(count: int) -> None:
    with pytest.raises(ValueError):
        client_for(answering(fixture("feed-answer-example.json"))).fetch_feed_page(date(2025, 1, 13), count=count)


def test_feed_page_that_is_not_done_but_has_no_cursor_is_a_bad_response() -> None:
    body = {**fixture("feed-answer-example.json"), "nextFetchId": ""}
    with pytest.raises(CarrierUnavailable) as raised:
        client_for(answering(body)).fetch_feed_page(date(2025, 1, 13))
    assert raised.value.reason is FailureReason.BAD_RESPONSE


@pytest.mark.parametrize("body", [{"fetchDone": True, "events": {}}, [feed_item("PARCEL-NR-1", "E1")]])
def test_feed_page_without_an_events_list_is_a_bad_response_and_reported(body: Any) -> None:
    with collected() as reports, pytest.raises(CarrierUnavailable):
        client_for(answering(body)).fetch_feed_page(date(2025, 1, 13))
    assert len(reports) == 1


def test_unreadable_feed_items_are_skipped_and_reported_and_the_rest_kept() -> None:
    body = fixture("feed-answer-example.json")
    good = body["events"][0]
    no_id = copy.deepcopy(good)
    no_id["event"]["eventId"] = None
    no_time = copy.deepcopy(good)
    no_time["event"]["eventTime"] = "13/01/2025"
    body["events"] = [no_id, good, no_time, "junk"]
    with collected() as reports:
        page = client_for(answering(body)).fetch_feed_page(date(2025, 1, 13))
    assert [item.event_id for item in page.items] == ["WoxFW73f47o2d55PPHwzit"]
    assert drift_paths(reports) == [
        ("events[].event.eventId", "null"),
        ("events[].event.eventTime", "string"),
        ("events[]", "string"),
    ]


def test_feed_event_time_keeps_its_offset() -> None:
    body = fixture("feed-answer-example.json")
    body["events"][0]["event"]["eventTime"] = "2025-01-13T03:56:27+02:00"
    page = client_for(answering(body)).fetch_feed_page(date(2025, 1, 13))
    assert page.items[0].event_time.tzinfo == timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("field", "value", "cleaned"),
    [
        ("eventMessage", "Parcel\x0bdamaged \x1b[31m red", "Parcel damaged [31m red"),
        ("eventMessage", "\u0000", ""),
        ("eventLocation", "\ud800", "\ufffd"),
        ("eventCode", "DELI\x00VERED", "DELIVERED"),
    ],
)
def test_feed_text_is_cleaned_where_it_enters(field: str, value: str, cleaned: str) -> None:
    body = fixture("feed-answer-example.json")
    body["events"][0]["event"][field] = value
    page = client_for(answering(body)).fetch_feed_page(date(2025, 1, 13))
    event_field = {"eventMessage": "event_message", "eventLocation": "event_location", "eventCode": "event_code"}
    assert getattr(page.items[0], event_field[field]) == cleaned


# --- event codes ---------------------------------------------------------------------------------------


def test_event_codes_are_asked_at_their_path_with_the_key() -> None:
    seen: list[httpx.Request] = []
    client_for(answering(fixture("event-codes-answer-schema.json"), seen=seen)).fetch_event_codes()
    assert seen[0].url.path == "/api/v1/tracking/event-codes"
    assert seen[0].headers["X-API-KEY"] == API_KEY


def test_event_code_flags_read_booleans_and_their_words_and_report_anything_else() -> None:
    body = [
        {"code": "A", "message": "a", "isPreAlert": "true", "isStartclock": "false", "isDelivered": None},
        {"code": 7, "message": "seven", "isDelivered": 1},
    ]
    with collected() as reports:
        codes = client_for(answering(body)).fetch_event_codes()
    assert codes == {"A": EventCode("A", "a", frozenset({"isPreAlert"})), "7": EventCode("7", "seven")}
    assert drift_paths(reports) == [("[].isDelivered", "number")]


@pytest.mark.parametrize("body", ["codes", [1, 2], 7, {"CREATE_OR_UPDATE": "Parcel data received or updated"}])
def test_event_codes_of_another_shape_are_a_bad_response(body: Any) -> None:
    with pytest.raises(CarrierUnavailable):
        client_for(answering(body)).fetch_event_codes()


# --- import --------------------------------------------------------------------------------------------


def import_event(**changes: Any) -> ImportEvent:
    fields: dict[str, Any] = {
        "tracking_nr": "PARCEL-NR-1",
        "event_code": "DELIVERED",
        "event_message": "Delivered to the front desk",
        "event_time": datetime(2024, 4, 4, 4, 4, tzinfo=UTC),
        "event_location": "Tallinn",
        "event_source_alt": "our-integration",
        "event_id": "our-id-1",
    }
    return ImportEvent(**{**fields, **changes})


def test_import_posts_the_events_in_the_published_wrapper_with_the_integration_key() -> None:
    seen: list[httpx.Request] = []
    client = client_for(answering({}, seen=seen))
    client.import_events([import_event(), import_event(event_id=None, event_code="OUT_FOR_DELIVERY")], INTEGRATION_KEY)
    request = seen[0]
    assert (request.method, request.url.path) == ("POST", "/api/v1/integrations/tracking-import")
    assert request.headers["X-API-KEY"] == INTEGRATION_KEY
    body = json.loads(request.content)
    assert list(body) == ["events"]
    assert [list(item) for item in body["events"]] == [
        ["eventId", "eventSourceAlt", "eventCode", "eventMessage", "eventTime", "eventLocation", "trackingNr"],
        ["eventSourceAlt", "eventCode", "eventMessage", "eventTime", "eventLocation", "trackingNr"],
    ]


def test_import_sends_event_times_in_utc() -> None:
    seen: list[httpx.Request] = []
    local = datetime(2024, 4, 4, 7, 4, tzinfo=timezone(timedelta(hours=3)))
    client_for(answering({}, seen=seen)).import_events([import_event(event_time=local)], INTEGRATION_KEY)
    assert json.loads(seen[0].content)["events"][0]["eventTime"] == "2024-04-04 04:04:00"


def test_import_of_500_events_is_one_request() -> None:
    seen: list[httpx.Request] = []
    client_for(answering({}, seen=seen)).import_events([import_event()] * 500, INTEGRATION_KEY)
    assert len(seen) == 1
    assert len(json.loads(seen[0].content)["events"]) == 500


def test_import_of_more_than_500_events_is_refused_before_any_call() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(ValueError):
        client_for(answering({}, seen=seen)).import_events([import_event()] * 501, INTEGRATION_KEY)
    assert seen == []


def test_import_of_nothing_sends_nothing() -> None:
    seen: list[httpx.Request] = []
    client_for(answering({}, seen=seen)).import_events([], INTEGRATION_KEY)
    assert seen == []


def test_refused_import_names_the_status_and_the_reason() -> None:
    client = client_for(answering(fixture("import_validation_error.json"), status=400))
    with pytest.raises(CarrierUnavailable) as raised:
        client.import_events([import_event()], INTEGRATION_KEY)
    assert raised.value.reason is FailureReason.BAD_RESPONSE
    assert "HTTP 400" in str(raised.value)
    assert "events[0].eventCode: Unknown event code." in str(raised.value)


def test_refused_import_reason_never_repeats_the_key() -> None:
    client = client_for(answering({"title": f"Key {INTEGRATION_KEY} lacks the import permission"}, status=403))
    with pytest.raises(CarrierUnavailable) as raised:
        client.import_events([import_event()], INTEGRATION_KEY)
    assert raised.value.reason is FailureReason.AUTH
    assert INTEGRATION_KEY not in str(raised.value)


@pytest.mark.parametrize(("status", "reason"), [(500, FailureReason.UNAVAILABLE), (429, FailureReason.RATE_LIMITED)])
def test_failed_import_is_carrier_unavailable(status: int, reason: FailureReason) -> None:
    with pytest.raises(CarrierUnavailable) as raised:
        client_for(answering({}, status=status)).import_events([import_event()], INTEGRATION_KEY)
    assert raised.value.reason is reason
