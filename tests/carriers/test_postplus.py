"""The PostPlus client against recorded answers shaped like PostPlus's published sample."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from carriers.base import CarrierUnavailable
from carriers.model import CarrierFailure, FailureReason, Found, LastMile, NotFound, Place, Status
from carriers.postplus import (
    EVENT_CODE_STATUS,
    FeedEvent,
    ImportEvent,
    PostPlusClient,
    build_postplus_client,
    last_mile,
    place_from_location,
    status_for_event,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "postplus"
BASE_URL = "https://api.test.post-plus.io"
API_KEY = "test-key-0123456789"
INTEGRATION_KEY = "test-integration-key-9876543210"

Handler = Callable[[httpx.Request], httpx.Response]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def client_for(handler: Handler, code_statuses: Callable[[], Any] | None = None) -> PostPlusClient:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return build_postplus_client(http, base_url=BASE_URL, api_key=API_KEY, code_statuses=code_statuses)


def answering(body: Any, status: int = 200, seen: list[httpx.Request] | None = None) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, json=body)

    return handle


def item(parcel_nr: str, event_id: str, version: str = "1", **event: Any) -> dict[str, Any]:
    """A feed item shaped like the published sample, with `event` fields overriding the sample's."""
    sample = copy.deepcopy(fixture("feed_page.json")["events"][0])
    sample["parcel"]["parcelNr"] = parcel_nr
    sample["parcel"]["carrierParcelNr"] = parcel_nr
    sample["event"].update(eventId=event_id, eventVersion=version, **event)
    return sample


def track_one(body: Any, number: str = "PARCEL-NR-1") -> Any:
    return client_for(answering(body)).track(number)


def found_parcel(body: Any, number: str = "PARCEL-NR-1") -> Any:
    result = track_one(body, number)
    assert isinstance(result, Found), result
    return result.parcel


# --- requests ------------------------------------------------------------------------------------------


def test_every_request_sends_the_api_key_header() -> None:
    seen: list[httpx.Request] = []
    client_for(answering(fixture("get_many.json"), seen=seen)).track("PARCEL-NR-1")
    assert seen[0].headers["X-API-KEY"] == API_KEY


def test_fifty_numbers_go_in_one_call_with_literal_commas() -> None:
    seen: list[httpx.Request] = []
    numbers = [f"PPL{index:05d}" for index in range(50)]
    client_for(answering({"events": []}, seen=seen)).track_many(numbers)
    assert len(seen) == 1
    assert seen[0].url.path == "/api/v1/tracking/parcel-nrs/get-many"
    assert seen[0].url.query.decode() == "ParcelNrs=" + ",".join(numbers)


def test_fifty_one_numbers_take_two_calls() -> None:
    seen: list[httpx.Request] = []
    numbers = [f"PPL{index:05d}" for index in range(51)]
    client_for(answering({"events": []}, seen=seen)).track_many(numbers)
    assert [len(request.url.params["ParcelNrs"].split(",")) for request in seen] == [50, 1]


# --- parsing into the public model ---------------------------------------------------------------------


def test_numbers_absent_from_the_answer_are_not_found() -> None:
    results = client_for(answering(fixture("get_many.json"))).track_many(["PARCEL-NR-1", "PARCEL-NR-9"])
    assert isinstance(results[0], Found)
    assert results[1] == NotFound("postplus", "PARCEL-NR-9")


def test_repeated_event_id_is_one_event_with_the_highest_version() -> None:
    parcel = found_parcel(fixture("get_many.json"))
    descriptions = [event.description for event in parcel.events]
    assert descriptions.count("Parcel data updated: new destination depot") == 1
    assert "Parcel data received or updated" not in descriptions
    assert len(parcel.events) == 2


def test_event_versions_compare_as_numbers_when_both_are_digits() -> None:
    body = {
        "events": [
            item("PARCEL-NR-1", "E1", "10", eventMessage="version ten"),
            item("PARCEL-NR-1", "E1", "9", eventMessage="version nine"),
        ]
    }
    assert [event.description for event in found_parcel(body).events] == ["version ten"]


def test_event_time_keeps_its_published_offset() -> None:
    parcel = found_parcel(fixture("get_many.json"))
    accepted = next(event for event in parcel.events if event.description == "Parcel accepted at PostPlus hub")
    assert accepted.occurred_at.utcoffset() == timedelta(hours=2)
    assert accepted.occurred_at == datetime(2025, 1, 14, 7, 12, 5, tzinfo=UTC)


def test_events_are_newest_first() -> None:
    parcel = found_parcel(fixture("get_many.json"))
    times = [event.occurred_at for event in parcel.events]
    assert times == sorted(times, reverse=True)
    assert parcel.status is Status.IN_TRANSIT


def test_event_time_without_offset_is_read_as_utc() -> None:
    body = {"events": [item("PARCEL-NR-1", "E1", eventTime="2025-01-13T01:56:27")]}
    assert found_parcel(body).events[0].occurred_at == datetime(2025, 1, 13, 1, 56, 27, tzinfo=UTC)


def test_event_without_a_readable_time_is_left_out() -> None:
    body = {"events": [item("PARCEL-NR-1", "E1", eventTime="yesterday"), item("PARCEL-NR-1", "E2")]}
    assert len(found_parcel(body).events) == 1


def test_items_match_the_asked_number_case_insensitively() -> None:
    body = {"events": [item("parcel-nr-1", "E1")]}
    assert found_parcel(body, "PARCEL-NR-1").tracking_number == "PARCEL-NR-1"


def test_items_match_the_asked_number_by_carrier_parcel_nr() -> None:
    parcel = found_parcel(fixture("get_many.json"), "RR204817360LV")
    assert parcel.tracking_number == "RR204817360LV"
    assert parcel.status is Status.DELIVERED


def test_destination_country_comes_from_the_parcel() -> None:
    assert found_parcel(fixture("get_many.json")).destination_country == "EE"


def test_sender_parcel_nr_never_reaches_the_parcel() -> None:
    body = {"events": [item("PARCEL-NR-1", "E1")]}
    body["events"][0]["parcel"]["senderParcelNr"] = "SHOP-REF-MARKER-7731"
    assert "SHOP-REF-MARKER-7731" not in repr(found_parcel(body))


def test_parcels_are_never_signed() -> None:
    assert found_parcel(fixture("get_many.json"), "RR204817360LV").signed is False


def test_top_level_list_of_items_reads_like_the_events_object() -> None:
    parcel = found_parcel(fixture("get_many_list.json"))
    assert len(parcel.events) == 2
    assert parcel == found_parcel(fixture("get_many.json"))


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
    with pytest.raises(CarrierUnavailable, match="lacks permission"):
        client.track_batch(["PARCEL-NR-1"])


def raising(exc: Exception) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        raise exc

    return handle


def malformed(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b'{"events": [')


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
        (answering({"items": []}), FailureReason.BAD_RESPONSE),
        (answering("events"), FailureReason.BAD_RESPONSE),
        (answering({"events": [{"parcel": "x", "event": []}]}), FailureReason.BAD_RESPONSE),
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
        "no-events-key",
        "a-string",
        "items-of-wrong-shape",
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
    assert "key_refused" in lines
    assert API_KEY not in lines
    assert "PPL250113000417" not in lines


# --- status mapping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "status"), sorted(EVENT_CODE_STATUS.items()))
def test_event_codes_map_to_statuses_whatever_the_message(code: str, status: Status) -> None:
    assert status_for_event(code, "no keywords here") is status


def test_the_published_code_means_information_received() -> None:
    assert status_for_event("CREATE_OR_UPDATE", "Parcel data received or updated") is Status.INFO_RECEIVED


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


def locker_answer(code: str = "LOCKER_DROP") -> dict[str, Any]:
    return {"events": [item("PARCEL-NR-1", "E1", eventCode=code, eventMessage="Your parcel is waiting for you")]}


def test_a_code_only_postplus_list_knows_takes_the_lists_status_through_the_api() -> None:
    codes = CodeList({"LOCKER_DROP": Status.AWAITING_PICKUP})
    result = client_for(answering(locker_answer()), codes).track("PARCEL-NR-1")
    assert isinstance(result, Found)
    assert result.parcel.status is Status.AWAITING_PICKUP
    assert codes.asked == 1


def test_the_code_list_is_not_asked_when_our_table_knows_every_code() -> None:
    codes = CodeList({"DELIVERED": Status.UNKNOWN})
    parcel = client_for(answering(locker_answer("DELIVERED")), codes).track("PARCEL-NR-1").parcel
    assert parcel.status is Status.DELIVERED
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
    body = locker_answer()
    body["events"][0]["parcel"]["senderParcelNr"] = "13111315031"
    codes = CodeList({"LOCKER_DROP": Status.AWAITING_PICKUP})
    found = client_for(answering(body), codes).fetch_by_sender_numbers(["13111315031"])
    assert found["13111315031"].status is Status.AWAITING_PICKUP


# --- the delivering carrier ----------------------------------------------------------------------------


def handed_over(carrier: Any, carrier_parcel_nr: Any, hours: int = 0, event_id: str = "E1") -> dict[str, Any]:
    sample = item("PARCEL-NR-1", event_id, eventTime=f"2025-01-13T{1 + hours:02d}:00:00+00:00")
    sample["parcel"].update(carrier=carrier, carrierParcelNr=carrier_parcel_nr)
    return sample


def test_the_delivering_carrier_and_its_number_become_the_last_mile() -> None:
    parcel = found_parcel({"events": [handed_over("Omniva", "CE310477291EE")]})
    assert parcel.last_mile == LastMile(carrier="Omniva", number="CE310477291EE")


def test_the_newest_event_naming_a_carrier_decides_the_last_mile() -> None:
    body = {
        "events": [
            handed_over("Posti", "JJFI6400001", hours=5, event_id="E2"),
            handed_over("Omniva", "CE310477291EE", hours=1, event_id="E1"),
            handed_over("", "", hours=9, event_id="E3"),
        ]
    }
    assert found_parcel(body).last_mile == LastMile(carrier="Posti", number="JJFI6400001")


def test_the_published_sample_read_as_a_get_many_answer_is_one_parcel_without_a_last_mile() -> None:
    parcel = found_parcel(fixture("feed_page.json"))
    assert (parcel.tracking_number, parcel.status, parcel.destination_country) == (
        "PARCEL-NR-1",
        Status.INFO_RECEIVED,
        "EE",
    )
    assert [(event.description, event.place) for event in parcel.events] == [
        ("Parcel data received or updated", Place())
    ]
    # Its carrier is the test environment's placeholder "TestCarrier"; its sender number stays behind.
    assert parcel.last_mile is None
    assert "13111315031" not in repr(parcel)


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
    client_for(answering({"events": []}, seen=seen)).fetch_by_sender_numbers(["13111315031", "13111315032"])
    assert seen[0].url.path == "/api/v1/tracking/sender-parcel-nrs/get-many"
    assert seen[0].url.query.decode() == "SenderParcelNrs=13111315031,13111315032"
    assert seen[0].headers["X-API-KEY"] == API_KEY


def test_sender_number_lookup_is_keyed_by_sender_number_and_carries_the_parcel_nr() -> None:
    found = client_for(answering(fixture("get_many.json"))).fetch_by_sender_numbers(["13111315031", "999"])
    assert list(found) == ["13111315031"]
    assert found["13111315031"].tracking_number == "PARCEL-NR-1"
    assert "13111315031" not in repr(found["13111315031"])


def test_sender_number_with_a_comma_is_refused_before_any_call() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(ValueError):
        client_for(answering({"events": []}, seen=seen)).fetch_by_sender_numbers(["A,B"])
    assert seen == []


# --- feed ----------------------------------------------------------------------------------------------


def test_feed_page_parses_the_documented_sample() -> None:
    page = client_for(answering(fixture("feed_page.json"))).fetch_feed_page(date(2025, 1, 1))
    assert page.next_fetch_id == "Cj7tmDjWkdoUyVmb8R8B77"
    assert page.fetch_done is False
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


def test_feed_event_has_no_sender_parcel_nr() -> None:
    page = client_for(answering(fixture("feed_page.json"))).fetch_feed_page(date(2025, 1, 1))
    assert "13111315031" not in repr(page)


def test_first_feed_call_sends_start_date_and_count_without_a_cursor() -> None:
    seen: list[httpx.Request] = []
    client_for(answering(fixture("feed_page.json"), seen=seen)).fetch_feed_page(date(2025, 1, 13), count=100)
    assert seen[0].url.path == "/api/v1/tracking"
    assert dict(seen[0].url.params) == {"startDate": "2025-01-13", "count": "100"}


def test_later_feed_calls_send_the_cursor() -> None:
    seen: list[httpx.Request] = []
    client = client_for(answering(fixture("feed_page.json"), seen=seen))
    client.fetch_feed_page(date(2025, 1, 13), fetch_id="Cj7tmDjWkdoUyVmb8R8B77")
    assert seen[0].url.params["fetchId"] == "Cj7tmDjWkdoUyVmb8R8B77"


@pytest.mark.parametrize("count", [0, 501])
def test_feed_count_outside_1_to_500_is_refused(count: int) -> None:
    with pytest.raises(ValueError):
        client_for(answering(fixture("feed_page.json"))).fetch_feed_page(date(2025, 1, 13), count=count)


def test_feed_page_that_is_not_done_but_has_no_cursor_is_a_bad_response() -> None:
    body = {**fixture("feed_page.json"), "nextFetchId": ""}
    with pytest.raises(CarrierUnavailable) as raised:
        client_for(answering(body)).fetch_feed_page(date(2025, 1, 13))
    assert raised.value.reason is FailureReason.BAD_RESPONSE


def test_feed_page_without_an_events_list_is_a_bad_response() -> None:
    with pytest.raises(CarrierUnavailable):
        client_for(answering({"fetchDone": True, "events": {}})).fetch_feed_page(date(2025, 1, 13))


def test_feed_items_without_id_or_time_are_skipped() -> None:
    body = fixture("feed_page.json")
    good = body["events"][0]
    no_id = copy.deepcopy(good)
    no_id["event"]["eventId"] = None
    no_time = copy.deepcopy(good)
    no_time["event"]["eventTime"] = "13/01/2025"
    body["events"] = [no_id, good, no_time, "junk"]
    page = client_for(answering(body)).fetch_feed_page(date(2025, 1, 13))
    assert [event.event_id for event in page.items] == ["WoxFW73f47o2d55PPHwzit"]


def test_feed_event_time_keeps_its_offset() -> None:
    body = fixture("feed_page.json")
    body["events"][0]["event"]["eventTime"] = "2025-01-13T03:56:27+02:00"
    page = client_for(answering(body)).fetch_feed_page(date(2025, 1, 13))
    assert page.items[0].event_time.tzinfo == timezone(timedelta(hours=2))


# --- event codes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        fixture("event_codes_list.json"),
        fixture("event_codes_dict.json"),
        [
            {"code": "CREATE_OR_UPDATE", "message": "Parcel data received or updated"},
            {"code": "DELIVERED", "description": "Parcel delivered"},
        ],
    ],
    ids=["list-of-eventCode-objects", "code-to-message-object", "list-of-code-objects"],
)
def test_event_codes_are_read_from_either_shape(body: Any) -> None:
    codes = client_for(answering(body)).fetch_event_codes()
    assert codes == {"CREATE_OR_UPDATE": "Parcel data received or updated", "DELIVERED": "Parcel delivered"}


def test_event_codes_are_asked_at_their_path_with_the_key() -> None:
    seen: list[httpx.Request] = []
    client_for(answering(fixture("event_codes_list.json"), seen=seen)).fetch_event_codes()
    assert seen[0].url.path == "/api/v1/tracking/event-codes"
    assert seen[0].headers["X-API-KEY"] == API_KEY


@pytest.mark.parametrize("body", ["codes", [1, 2], 7])
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


def test_import_posts_a_json_array_of_the_published_fields_with_the_integration_key() -> None:
    seen: list[httpx.Request] = []
    client = client_for(answering({}, seen=seen))
    client.import_events([import_event(), import_event(event_id=None, event_code="OUT_FOR_DELIVERY")], INTEGRATION_KEY)
    request = seen[0]
    assert (request.method, request.url.path) == ("POST", "/api/v1/integrations/tracking-import")
    assert request.headers["X-API-KEY"] == INTEGRATION_KEY
    assert json.loads(request.content) == [
        {
            "eventId": "our-id-1",
            "eventSourceAlt": "our-integration",
            "eventCode": "DELIVERED",
            "eventMessage": "Delivered to the front desk",
            "eventTime": "2024-04-04 04:04:00",
            "eventLocation": "Tallinn",
            "trackingNr": "PARCEL-NR-1",
        },
        {
            "eventSourceAlt": "our-integration",
            "eventCode": "OUT_FOR_DELIVERY",
            "eventMessage": "Delivered to the front desk",
            "eventTime": "2024-04-04 04:04:00",
            "eventLocation": "Tallinn",
            "trackingNr": "PARCEL-NR-1",
        },
    ]


def test_import_sends_event_times_in_utc() -> None:
    seen: list[httpx.Request] = []
    local = datetime(2024, 4, 4, 7, 4, tzinfo=timezone(timedelta(hours=3)))
    client_for(answering({}, seen=seen)).import_events([import_event(event_time=local)], INTEGRATION_KEY)
    assert json.loads(seen[0].content)[0]["eventTime"] == "2024-04-04 04:04:00"


def test_import_of_500_events_is_one_request() -> None:
    seen: list[httpx.Request] = []
    client_for(answering({}, seen=seen)).import_events([import_event()] * 500, INTEGRATION_KEY)
    assert len(seen) == 1
    assert len(json.loads(seen[0].content)) == 500


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
    assert "[0].eventCode: Unknown event code." in str(raised.value)


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


def test_client_repr_hides_the_key() -> None:
    assert API_KEY not in repr(client_for(answering({})))
