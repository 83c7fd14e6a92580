"""The fake PostPlus API, on its own and behind the real client through httpx.WSGITransport."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from carriers.base import CarrierUnavailable
from carriers.detect import POSTPLUS, candidate_carriers, normalize_number
from carriers.drift import collected
from carriers.fakes.postplus import (
    DEMO_API_KEY,
    DEMO_INTEGRATION_KEY,
    DEMO_NUMBERS,
    EVENT_CODES,
    PUBLISHED_FEED_ITEM,
    PUBLISHED_GET_MANY_PARCEL,
    PUBLISHED_IMPORT_REQUEST,
    PUBLISHED_NUMBERS,
    FakePostPlus,
    demo_records,
    story_records,
)
from carriers.model import CarrierFailure, FailureReason, Found, LastMile, NotFound, Status
from carriers.postplus import EVENT_CODE_STATUS, ImportEvent, PostPlusClient, build_postplus_client
from tests.tracking_site.planted import MARKER_PREFIX, private_markers

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "postplus"

BASE_URL = "http://postplus.demo"
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
START = date(2025, 1, 1)
TRACKING = "/api/v1/tracking"
PARCEL_NRS = "/api/v1/tracking/parcel-nrs/get-many"
SENDER_PARCEL_NRS = "/api/v1/tracking/sender-parcel-nrs/get-many"
IMPORT = "/api/v1/integrations/tracking-import"


class FakeClock:
    """A wall clock that moves only when told to."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_fake(**options: Any) -> FakePostPlus:
    options.setdefault("clock", FakeClock())
    return FakePostPlus(**options)


def http_for(fake: FakePostPlus) -> httpx.Client:
    return httpx.Client(transport=httpx.WSGITransport(app=fake), base_url=BASE_URL)


def client_for(fake: FakePostPlus, api_key: str = DEMO_API_KEY) -> PostPlusClient:
    return build_postplus_client(http_for(fake), base_url=BASE_URL, api_key=api_key)


def raw_item(
    parcel_nr: str, event_id: str, version: str, sender_nr: str = "13111315031", **event: Any
) -> dict[str, Any]:
    """A feed item: the published example with our numbers and `event` fields."""
    item = copy.deepcopy(PUBLISHED_FEED_ITEM)
    item["parcel"].update(parcelNr=parcel_nr, senderParcelNr=sender_nr, carrierParcelNr=parcel_nr)
    item["event"].update(eventId=event_id, eventVersion=version, **event)
    return item


def get(fake: FakePostPlus, path: str, key: str | None = DEMO_API_KEY, **params: str) -> httpx.Response:
    headers = {"X-API-KEY": key} if key is not None else {}
    return http_for(fake).get(path, params=params, headers=headers)


def post_import(fake: FakePostPlus, events: Any, key: str = DEMO_INTEGRATION_KEY) -> httpx.Response:
    """POST `events` in the published wrapper, {"events": [...]}."""
    return http_for(fake).post(IMPORT, json={"events": events}, headers={"X-API-KEY": key})


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def import_body(**changes: Any) -> dict[str, Any]:
    event = {
        "eventId": "integrator-1",
        "eventSourceAlt": "test",
        "eventCode": "DELIVERED",
        "eventMessage": "Delivered to the front desk",
        "eventTime": "2025-01-15 10:30:00",
        "eventLocation": "Tallinn",
        "trackingNr": "PPL250113000417",
    }
    event.update(changes)
    return {key: value for key, value in event.items() if value is not None}


# --- demo data -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "description"), DEMO_NUMBERS)
def test_demo_numbers_are_valid_postplus_numbers(number: str, description: str) -> None:
    assert normalize_number(number) == number
    assert POSTPLUS in candidate_carriers(number)
    assert description


def test_demo_numbers_are_all_found_through_the_real_client() -> None:
    results = client_for(make_fake()).track_many([number for number, _ in DEMO_NUMBERS])
    assert all(isinstance(result, Found) for result in results), results


def test_demo_parcels_cover_every_state_the_home_page_shows() -> None:
    results = client_for(make_fake()).track_many([number for number, _ in DEMO_NUMBERS])
    statuses = {result.parcel.status for result in results if isinstance(result, Found)}
    assert statuses == {
        Status.INFO_RECEIVED,
        Status.IN_TRANSIT,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
        Status.DELIVERY_FAILED,
        Status.AWAITING_PICKUP,
        Status.RETURNED,
    }


def test_demo_events_are_recent_relative_to_the_clock() -> None:
    times = [datetime.fromisoformat(item["event"]["eventTime"]) for item in story_records(NOW)]
    assert max(times) <= NOW
    assert NOW - max(times) < timedelta(hours=3)


def test_demo_feed_repeats_an_event_id_with_a_higher_version_later() -> None:
    records = demo_records(NOW)
    ids = [item["event"]["eventId"] for item in records]
    repeated = next(event_id for event_id in ids if ids.count(event_id) > 1)
    versions = [int(item["event"]["eventVersion"]) for item in records if item["event"]["eventId"] == repeated]
    assert versions == sorted(versions) and len(set(versions)) == 2


def test_demo_events_use_codes_the_client_maps() -> None:
    codes = {item["event"]["eventCode"] for item in story_records(NOW)}
    assert codes <= set(EVENT_CODE_STATUS)


def test_every_code_the_fake_serves_is_in_the_client_table() -> None:
    assert set(client_for(make_fake()).fetch_event_codes()) == set(EVENT_CODES) <= set(EVENT_CODE_STATUS)


def test_demo_records_are_rebuilt_once_an_hour_has_passed() -> None:
    clock = FakeClock()
    fake = make_fake(clock=clock)
    client = client_for(fake)
    number = DEMO_NUMBERS[0][0]
    before = client.track(number)
    clock.now = NOW + timedelta(hours=2)
    after = client.track(number)
    assert isinstance(before, Found) and isinstance(after, Found)
    assert after.parcel.events[0].occurred_at - before.parcel.events[0].occurred_at == timedelta(hours=2)


# --- lookups by number ---------------------------------------------------------------------------------


def test_unknown_number_is_not_found() -> None:
    assert client_for(make_fake()).track("PPL999999999999") == NotFound("postplus", "PPL999999999999")


def test_planted_sender_reference_never_reaches_the_parcel() -> None:
    fake = make_fake(records=[raw_item("PPL000000000001", "E1", "1", sender_nr="PRIVATE-MARKER-4411")])
    result = client_for(fake).track("PPL000000000001")
    assert isinstance(result, Found)
    assert "PRIVATE-MARKER-4411" not in repr(result)


def test_lookup_by_number_answers_the_current_version_of_each_event() -> None:
    records = [
        raw_item("PPL000000000001", "E1", "1", eventMessage="first"),
        raw_item("PPL000000000001", "E1", "2", eventMessage="updated"),
    ]
    body = get(make_fake(records=records), PARCEL_NRS, ParcelNrs="PPL000000000001").json()
    assert [event["eventMessage"] for event in body[0]["events"]] == ["updated"]


def test_lookup_by_number_also_matches_the_carrier_parcel_number() -> None:
    record = raw_item("PPL000000000001", "E1", "1")
    record["parcel"]["carrierParcelNr"] = "00370712345678901234"
    body = get(make_fake(records=[record]), PARCEL_NRS, ParcelNrs="00370712345678901234").json()
    assert [parcel["parcelNr"] for parcel in body] == ["PPL000000000001"] and len(body[0]["events"]) == 1


@pytest.mark.parametrize(("path", "parameter"), [(PARCEL_NRS, "ParcelNrs"), (SENDER_PARCEL_NRS, "SenderParcelNrs")])
def test_more_than_50_numbers_are_refused(path: str, parameter: str) -> None:
    numbers = ",".join(f"PPL{index:012d}" for index in range(51))
    assert get(make_fake(), path, **{parameter: numbers}).status_code == 400


@pytest.mark.parametrize(("path", "parameter"), [(PARCEL_NRS, "ParcelNrs"), (SENDER_PARCEL_NRS, "SenderParcelNrs")])
def test_50_numbers_are_accepted(path: str, parameter: str) -> None:
    numbers = ",".join(f"PPL{index:012d}" for index in range(50))
    assert get(make_fake(), path, **{parameter: numbers}).status_code == 200


def test_lookup_without_numbers_is_refused() -> None:
    assert get(make_fake(), PARCEL_NRS).status_code == 400


def test_sender_number_lookup_through_the_client_gives_the_parcel_nr() -> None:
    found = client_for(make_fake()).fetch_by_sender_numbers(["13111315029"])
    assert found["13111315029"].tracking_number == "PPL250113000417"


# --- credentials and faults ----------------------------------------------------------------------------


def test_wrong_key_is_an_auth_failure_through_the_client() -> None:
    result = client_for(make_fake(), api_key="not-the-key").track(DEMO_NUMBERS[0][0])
    assert result == CarrierFailure("postplus", DEMO_NUMBERS[0][0], FailureReason.AUTH)


def test_missing_key_is_401() -> None:
    assert get(make_fake(), PARCEL_NRS, key=None, ParcelNrs="PPL250113000417").status_code == 401


def test_integration_key_lacks_permission_for_tracking() -> None:
    assert get(make_fake(), PARCEL_NRS, key=DEMO_INTEGRATION_KEY, ParcelNrs="PPL250113000417").status_code == 403


def test_tracking_key_lacks_permission_for_import() -> None:
    assert post_import(make_fake(), [import_body()], key=DEMO_API_KEY).status_code == 403


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, FailureReason.UNAVAILABLE), (503, FailureReason.UNAVAILABLE), (429, FailureReason.RATE_LIMITED)],
)
def test_injected_http_failure_becomes_a_failure_result(status: int, reason: FailureReason) -> None:
    result = client_for(make_fake(fail_with=status)).track(DEMO_NUMBERS[0][0])
    assert result == CarrierFailure("postplus", DEMO_NUMBERS[0][0], reason)


def test_injected_malformed_json_becomes_a_bad_response() -> None:
    result = client_for(make_fake(malformed=True)).track(DEMO_NUMBERS[0][0])
    assert result == CarrierFailure("postplus", DEMO_NUMBERS[0][0], FailureReason.BAD_RESPONSE)


def test_calls_are_counted_per_path() -> None:
    fake = make_fake()
    client = client_for(fake)
    client.track_many([number for number, _ in DEMO_NUMBERS])
    client.fetch_event_codes()
    assert fake.calls == {PARCEL_NRS: 1, "/api/v1/tracking/event-codes": 1}


def test_unknown_path_is_404() -> None:
    assert get(make_fake(), "/api/v1/parcels").status_code == 404


# --- feed ----------------------------------------------------------------------------------------------


def test_feed_pages_to_fetch_done_and_yields_every_event_in_processing_order() -> None:
    fake = make_fake()
    client = client_for(fake)
    page = client.fetch_feed_page(START, count=7)
    seen = list(page.items)
    while not page.fetch_done:
        page = client.fetch_feed_page(START, fetch_id=page.next_fetch_id, count=7)
        seen.extend(page.items)
    # Not the published import example's events (2024, before the start date) nor the get-many schema's
    # placeholder event, which the fake sends ("eventTime": "string") and the client skips.
    readable = [item for item in fake.records if item["event"]["eventTime"][:4] == "2025"]
    assert len(readable) == len(fake.records) - 3
    expected = [(item["event"]["eventId"], item["event"]["eventVersion"]) for item in readable]
    assert [(event.event_id, event.event_version) for event in seen] == expected
    assert fake.calls[TRACKING] == -(-len(expected) // 7)


def test_feed_after_fetch_done_gives_only_newly_imported_events() -> None:
    fake = make_fake()
    client = client_for(fake)
    done = client.fetch_feed_page(START)
    assert done.fetch_done
    client.import_events(
        [ImportEvent("PPL250113000417", "ACCEPTED_AT_HUB", "Accepted", NOW, "Tallinn")], DEMO_INTEGRATION_KEY
    )
    page = client.fetch_feed_page(START, fetch_id=done.next_fetch_id)
    assert [event.event_code for event in page.items] == ["ACCEPTED_AT_HUB"]


def test_feed_skips_events_before_the_start_date() -> None:
    records = [
        raw_item("PPL000000000001", "E1", "1", eventTime="2024-12-31T23:59:59+00:00"),
        raw_item("PPL000000000001", "E2", "2", eventTime="2025-01-01T00:00:00+00:00"),
    ]
    body = get(make_fake(records=records), TRACKING, startDate="2025-01-01").json()
    assert [item["event"]["eventId"] for item in body["events"]] == ["E2"]


def test_first_feed_call_without_start_date_is_refused() -> None:
    assert get(make_fake(), TRACKING).status_code == 400


@pytest.mark.parametrize("count", ["0", "501", "ten"])
def test_feed_count_outside_1_to_500_is_refused(count: str) -> None:
    assert get(make_fake(), TRACKING, startDate="2025-01-01", count=count).status_code == 400


def test_feed_refuses_an_unknown_cursor() -> None:
    assert get(make_fake(), TRACKING, startDate="2025-01-01", fetchId="!!!").status_code == 400


def shape(value: Any) -> Any:
    """A JSON value's shape: objects by their keys, lists by their items' shapes, anything else by its type."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted({json.dumps(shape(item), sort_keys=True) for item in value})
    return "boolean" if isinstance(value, bool) else type(value).__name__


def test_the_feed_answers_in_the_published_schemas_fields() -> None:
    body = get(make_fake(), TRACKING, startDate="2024-01-01").json()
    schema = fixture("feed-answer-schema.json")
    assert set(body) == set(schema)
    assert body["events"][0] == fixture("feed-answer-example.json")["events"][0]  # the published example itself
    for item in body["events"]:
        assert set(item["parcel"]) <= set(schema["events"][0]["parcel"])
        assert set(item["event"]) == set(schema["events"][0]["event"])


def test_get_many_answers_a_bare_list_of_parcels_in_the_published_schemas_fields() -> None:
    numbers = ",".join([number for number, _ in DEMO_NUMBERS] + list(PUBLISHED_NUMBERS))
    body = get(make_fake(), PARCEL_NRS, ParcelNrs=numbers).json()
    schema = fixture("get-many-answer-schema.json")
    assert isinstance(body, list) and len(body) == len(DEMO_NUMBERS) + len(PUBLISHED_NUMBERS)
    for parcel in body:
        assert list(parcel) == list(schema[0])  # every field, in the published order, events first
        assert all(set(event) == set(schema[0]["events"][0]) for event in parcel["events"])


def test_the_event_codes_answer_has_the_published_fields_and_flags() -> None:
    body = get(make_fake(), "/api/v1/tracking/event-codes").json()
    assert {json.dumps(shape(entry), sort_keys=True) for entry in body} == {
        json.dumps(shape(fixture("event-codes-answer-schema.json")[0]), sort_keys=True)
    }


# --- the published samples, served under their own numbers ---------------------------------------------


def test_the_fakes_copies_of_the_published_samples_are_the_published_samples() -> None:
    assert PUBLISHED_FEED_ITEM == fixture("feed-answer-example.json")["events"][0]
    assert PUBLISHED_IMPORT_REQUEST == fixture("import-request-example.json")
    assert [PUBLISHED_GET_MANY_PARCEL] == fixture("get-many-answer-schema.json")


def test_the_published_get_many_answer_is_served_for_its_own_number() -> None:
    body = get(make_fake(), PARCEL_NRS, ParcelNrs="string").json()
    assert body == fixture("get-many-answer-schema.json")


def test_the_published_numbers_are_answered_from_the_published_samples() -> None:
    body = get(make_fake(), PARCEL_NRS, ParcelNrs="PARCEL-NR-1,PARCEL-NR-2").json()
    by_number = {parcel["parcelNr"]: parcel for parcel in body}
    feed_example = fixture("feed-answer-example.json")["events"][0]
    assert by_number["PARCEL-NR-1"]["events"][0] == feed_example["event"]
    assert {key: by_number["PARCEL-NR-1"][key] for key in feed_example["parcel"]} == feed_example["parcel"]
    imported = fixture("import-request-example.json")["events"]
    assert [(event["eventCode"], event["eventMessage"]) for event in by_number["PARCEL-NR-2"]["events"]] == [
        (imported[1]["eventCode"], imported[1]["eventMessage"])
    ]


def test_the_published_numbers_through_the_real_client() -> None:
    with collected() as reports:
        results = client_for(make_fake()).track_many(["PARCEL-NR-1", "PARCEL-NR-2", "STRING"])
    first, second, placeholder = results
    assert isinstance(first, Found) and isinstance(second, Found) and isinstance(placeholder, Found)
    # Its feed event (2025, "Parcel data received or updated") is newer than its imported delivery (2024): a data
    # update does not un-deliver a parcel.
    assert first.parcel.status is Status.DELIVERED
    assert (second.parcel.status, second.parcel.events[0].description) == (
        Status.DELIVERED,
        "Delivered to the recipient",
    )
    assert (placeholder.parcel.status, placeholder.parcel.events) == (Status.UNKNOWN, ())
    # Only the schema's placeholders are drift: the fake's other answers are all in the published shapes.
    assert {report.path for report in reports} == {"[].events[].eventTime", "[].destinationCountry"}


def test_the_published_import_request_is_accepted_as_published() -> None:
    fake = make_fake()
    response = http_for(fake).post(
        IMPORT, json=fixture("import-request-example.json"), headers={"X-API-KEY": DEMO_INTEGRATION_KEY}
    )
    assert response.status_code == 200
    assert [item["event"]["eventId"] for item in fake.imported][0] == "SomeExternalSourceUNiqueEventId012356"
    assert len(fake.imported) == 2 and fake.imported[1]["event"]["eventId"]


def test_an_import_body_that_is_a_bare_list_is_refused() -> None:
    fake = make_fake()
    response = http_for(fake).post(IMPORT, json=[import_body()], headers={"X-API-KEY": DEMO_INTEGRATION_KEY})
    assert response.status_code == 400 and fake.imported == []


# --- the demo parcels through the real client ----------------------------------------------------------


def test_demo_parcels_answer_in_the_published_shapes_without_drift() -> None:
    with collected() as reports:
        results = client_for(make_fake()).track_many([number for number, _ in DEMO_NUMBERS])
    assert all(isinstance(result, Found) for result in results) and reports == []


@pytest.mark.parametrize(
    ("number", "last_mile"),
    [
        ("PPL250113000417", LastMile("DHL Paket", "PPL250113000417")),
        (
            "LB123456785EE",
            LastMile(
                "Royal Mail",
                "LB123456785EE",
                url="https://www.royalmail.com",  # the page's origin: its path and query are dropped where read
            ),
        ),
        (
            "CE310477291FI",
            LastMile(
                "Posti",
                "CE310477291FI",
                handed_over=True,
                url="https://www.posti.fi",  # the page's origin: its path and query are dropped where read
            ),
        ),
        (
            "LX603928515SE",
            LastMile(
                "PostNord",
                "00370712345678901234",
                handed_over=True,
                url="https://tracking.postnord.com",  # the page's origin: its path and query are dropped where read
            ),
        ),
        ("PPL250112009931", LastMile("Posten", "PPL250112009931")),
    ],
)
def test_demo_parcels_name_their_last_mile_carrier_and_whether_it_has_them(number: str, last_mile: LastMile) -> None:
    result = client_for(make_fake()).track(number)
    assert isinstance(result, Found) and result.parcel.last_mile == last_mile


def test_a_demo_parcel_answers_to_its_manifest_number() -> None:
    result = client_for(make_fake()).track("PPLM0250113004417")
    assert isinstance(result, Found) and result.parcel.status is Status.IN_TRANSIT


def test_markers_planted_in_private_fields_never_reach_a_parcel() -> None:
    fake = make_fake(records=private_markers("postplus", demo_records(NOW)))
    assert MARKER_PREFIX in json.dumps(fake.records)
    numbers = [number for number, _ in DEMO_NUMBERS] + list(PUBLISHED_NUMBERS)
    results = client_for(fake).track_many(numbers)
    assert all(isinstance(result, Found) for result in results)
    assert MARKER_PREFIX not in repr(results)


# --- import --------------------------------------------------------------------------------------------


def test_imported_events_show_up_in_a_lookup() -> None:
    fake = make_fake()
    client = client_for(fake)
    client.import_events(
        [ImportEvent("PPL250113000417", "DELIVERED", "Delivered to the front desk", NOW, "Tallinn", "test")],
        DEMO_INTEGRATION_KEY,
    )
    result = client.track("PPL250113000417")
    assert isinstance(result, Found)
    assert result.parcel.status is Status.DELIVERED
    assert result.parcel.events[0].description == "Delivered to the front desk"


def test_import_with_the_same_event_id_updates_the_event() -> None:
    fake = make_fake()
    assert post_import(fake, [import_body(eventMessage="first")]).status_code == 200
    assert post_import(fake, [import_body(eventMessage="second")]).status_code == 200
    result = client_for(fake).track("PPL250113000417")
    assert isinstance(result, Found)
    descriptions = [event.description for event in result.parcel.events]
    assert "second" in descriptions and "first" not in descriptions


def test_import_without_event_id_gets_one() -> None:
    fake = make_fake()
    assert post_import(fake, [import_body(eventId=None)]).status_code == 200
    assert fake.imported[0]["event"]["eventId"]


@pytest.mark.parametrize(
    "bad",
    [
        import_body(eventCode="NOT_A_CODE"),
        import_body(eventTime="2025-01-15T10:30:00+00:00"),
        import_body(trackingNr=""),
        import_body(trackingNr=None),
        "not an object",
    ],
    ids=["unknown-code", "iso-time", "empty-tracking-nr", "no-tracking-nr", "not-an-object"],
)
def test_one_invalid_event_fails_the_whole_batch(bad: Any) -> None:
    fake = make_fake()
    response = post_import(fake, [import_body(), bad])
    assert response.status_code == 400
    assert any(field.startswith("events[1]") for field in response.json()["errors"])
    assert fake.imported == []


def test_more_than_500_imported_events_are_refused() -> None:
    fake = make_fake()
    assert post_import(fake, [import_body(eventId=f"id-{index}") for index in range(501)]).status_code == 400
    assert fake.imported == []


def test_500_imported_events_are_accepted() -> None:
    fake = make_fake()
    assert post_import(fake, [import_body(eventId=f"id-{index}") for index in range(500)]).status_code == 200
    assert len(fake.imported) == 500


def test_refused_import_through_the_client_names_the_field() -> None:
    client = client_for(make_fake())
    with pytest.raises(CarrierUnavailable, match=r"HTTP 400: .*eventCode"):
        client.import_events([ImportEvent("PPL250113000417", "NOT_A_CODE", "x", NOW)], DEMO_INTEGRATION_KEY)


def test_records_given_to_the_fake_are_copied() -> None:
    records = [raw_item("PPL000000000001", "E1", "1")]
    fake = make_fake(records=records)
    records[0]["event"]["eventMessage"] = "changed afterwards"
    assert fake.records[0]["event"]["eventMessage"] == "Parcel data received or updated"
