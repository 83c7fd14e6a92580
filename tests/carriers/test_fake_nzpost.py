"""The fake NZ Post API on its own, and the real client against it through httpx.WSGITransport."""

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from carriers.detect import NZPOST, candidate_carriers, normalize_number
from carriers.drift import collected
from carriers.fakes.nzpost import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_NUMBERS,
    INFO_RECEIVED_TICKET,
    PARCELS_PATH,
    PARTIAL_MATCH_ROUTE,
    PUBLISHED_NUMBERS,
    FakeNzPost,
    demo_records,
    published_records,
)
from carriers.model import CarrierFailure, FailureReason, Found, NotFound, Place, Status
from carriers.nzpost import NzPostClient, build_nzpost_client, data_may_be_incomplete

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nzpost"

BASE_URL = "http://nzpost.demo"
TOKEN_URL = f"{BASE_URL}/as/token.oauth2"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class FixedClock:
    def __init__(self, moment: datetime = NOW) -> None:
        self.now = moment.timestamp()

    def __call__(self) -> float:
        return self.now


def make_fake(**options) -> FakeNzPost:
    options.setdefault("clock", FixedClock())
    return FakeNzPost(**options)


def client_for(fake: FakeNzPost, *, secret: str = DEMO_CLIENT_SECRET) -> NzPostClient:
    http = httpx.Client(transport=httpx.WSGITransport(app=fake))
    return build_nzpost_client(
        http,
        base_url=BASE_URL,
        token_url=TOKEN_URL,
        client_id=DEMO_CLIENT_ID,
        client_secret=secret,
        clock=FixedClock(),
    )


def raw_http(fake: FakeNzPost) -> httpx.Client:
    return httpx.Client(transport=httpx.WSGITransport(app=fake), base_url=BASE_URL)


def get_token(http: httpx.Client, secret: str = DEMO_CLIENT_SECRET) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID, "client_secret": secret}
    return http.post("/as/token.oauth2", data=form)


def authorized_get(fake: FakeNzPost, path: str, references: list[str] | None = None) -> httpx.Response:
    http = raw_http(fake)
    token = get_token(http).json()["access_token"]
    query = urlencode([("tracking_reference", ref) for ref in references or []])
    headers = {"Authorization": f"Bearer {token}", "client_id": DEMO_CLIENT_ID}
    return http.get(f"{path}?{query}" if query else path, headers=headers)


def record(reference: str, *events: dict) -> dict:
    return {"tracking_reference": reference, "tracking_events": list(events)}


def scan(date_time: str = "2026-03-01T22:04:08Z", **fields) -> dict:
    return {
        "date_time": date_time,
        "status": "Delivered",
        "description": "Your item has been delivered.",
        "source": "CME",
        "seqref": "2631897613",
        "edifact_code": "22",
        "depot_name": "Auckland Central Fleet",
        **fields,
    }


# --- Token endpoint ----------------------------------------------------------------------------------------------


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_token_endpoint_answers_the_demo_credentials_in_the_published_token_answers_shape():
    answer = get_token(raw_http(make_fake()))
    assert answer.status_code == 200
    body, published = answer.json(), fixture("token_answer_sample.json")
    assert list(body) == list(published)
    assert (body["token_type"], body["expires_in"]) == (published["token_type"], published["expires_in"])
    assert body["access_token"] and body["access_token"] != published["access_token"]


def test_token_endpoint_refuses_a_wrong_secret():
    answer = get_token(raw_http(make_fake()), secret="guess")
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


def test_token_endpoint_refuses_other_grant_types():
    answer = raw_http(make_fake()).post("/as/token.oauth2", data={"grant_type": "password"})
    assert answer.status_code == 400


# --- API answers -------------------------------------------------------------------------------------------------


def test_api_without_a_token_answers_401_with_code_401001():
    answer = raw_http(make_fake()).get(PARCELS_PATH, params={"tracking_reference": "LZ410287366NZ"})
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["code"] == "401001"


@pytest.mark.parametrize("client_id", [None, "someone-else"])
def test_api_without_the_right_client_id_header_answers_401(client_id):
    http = raw_http(make_fake())
    headers = {"Authorization": f"Bearer {get_token(http).json()['access_token']}"}
    if client_id:
        headers["client_id"] = client_id
    answer = http.get(PARCELS_PATH, params={"tracking_reference": "LZ410287366NZ"}, headers=headers)
    assert answer.status_code == 401


def test_missing_tracking_reference_answers_400001():
    answer = authorized_get(make_fake(), PARCELS_PATH)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "400001"


def test_more_than_ten_references_are_refused():
    answer = authorized_get(make_fake(), PARCELS_PATH, [f"CL{n:09d}NZ" for n in range(11)])
    assert answer.status_code == 400


def test_unknown_reference_is_answered_like_the_published_invalid_sample():
    body = authorized_get(make_fake(), PARCELS_PATH, ["84411121780532"]).json()
    assert body["success"] is True and body["status_code"] == 2
    assert body["results"] == [
        {
            "tracking_reference": "84411121780532",
            "errors": [{"code": "400002", "message": "Invalid parameter(s)", "details": "No events for this ticket"}],
        }
    ]


@pytest.mark.parametrize(
    ("references", "status_code"),
    [
        (["LZ410287366NZ", "482913"], 1),
        (["84411121780532", "EE000000000NZ"], 2),
        (["LZ410287366NZ", "84411121780532"], 3),
    ],
)
def test_status_code_follows_from_the_results(references, status_code):
    assert authorized_get(make_fake(), PARCELS_PATH, references).json()["status_code"] == status_code


def test_repeated_references_are_answered_once():
    body = authorized_get(make_fake(), PARCELS_PATH, ["LZ410287366NZ", "LZ410287366NZ"]).json()
    assert [result["tracking_reference"] for result in body["results"]] == ["LZ410287366NZ"]


def test_error_for_200001_keeps_the_events_and_adds_the_error():
    fake = make_fake(error_for={"LZ410287366NZ": "200001"})
    (result,) = authorized_get(fake, PARCELS_PATH, ["LZ410287366NZ"]).json()["results"]
    assert result["tracking_events"] and result["errors"][0]["code"] == "200001"


def test_error_for_500002_answers_without_events():
    fake = make_fake(error_for={"LZ410287366NZ": "500002"})
    (result,) = authorized_get(fake, PARCELS_PATH, ["LZ410287366NZ"]).json()["results"]
    assert "tracking_events" not in result and result["errors"][0]["code"] == "500002"


def test_the_published_sample_is_served_under_its_own_reference_as_published():
    published = fixture("parcels_sample.json")
    body = authorized_get(make_fake(), PARCELS_PATH, ["CL092594238NZ"]).json()
    assert list(body) == list(published)
    assert {**body, "message_id": published["message_id"]} == published


def test_the_published_partial_match_sample_is_served_for_its_partial_reference():
    published = fixture("partialmatch_sample.json")
    body = authorized_get(make_fake(), "/parceltrack/v4/partialmatch/36160600100515").json()
    assert {**body, "message_id": published["message_id"]} == published


def test_every_published_number_is_found_by_the_real_client_without_drift():
    with collected() as reports:
        results = client_for(make_fake()).track_many([number for number, _ in PUBLISHED_NUMBERS])
    assert all(isinstance(result, Found) and result.parcel.status is Status.INFO_RECEIVED for result in results)
    assert reports == []


def test_published_records_are_fresh_copies():
    first = published_records()
    first[0]["tracking_events"][0]["status"] = "Changed"
    assert published_records()[0]["tracking_events"][0]["status"] == "Ready for pickup"


def test_the_fakes_events_have_the_published_samples_fields_in_its_order():
    published = list(fixture("parcels_sample.json")["results"][0]["tracking_events"][0])
    for item in demo_records(NOW):
        for event in item["tracking_events"]:
            fields = list(event)
            assert set(fields) <= set(published), fields
            assert fields == [field for field in published if field in fields]


def test_demo_records_carry_the_private_fields_of_the_published_sample():
    events = [event for item in demo_records(NOW) for event in item["tracking_events"]]
    for field in ("courier_full_name", "courier_first_name", "run_name", "location", "signed_by", "seqref", "source"):
        assert any(field in event for event in events), field
    signed = next(event["signed_by"] for event in events if "signed_by" in event)
    assert signed["name"] and signed["signature"]


def test_demo_records_use_both_published_date_formats():
    stamps = [event["date_time"] for item in demo_records(NOW) for event in item["tracking_events"]]
    assert any("T" in stamp for stamp in stamps) and any(" " in stamp for stamp in stamps)
    assert all(stamp.endswith("Z") for stamp in stamps)


@pytest.mark.parametrize("status", [500, 503, 429, 403])
def test_fail_with_answers_that_http_status(status):
    assert authorized_get(make_fake(fail_with=status), PARCELS_PATH, ["LZ410287366NZ"]).status_code == status


def test_malformed_answers_are_not_json():
    answer = authorized_get(make_fake(malformed=True), PARCELS_PATH, ["LZ410287366NZ"])
    with pytest.raises(ValueError):
        answer.json()


def test_unknown_path_is_404_and_wrong_method_405():
    http = raw_http(make_fake())
    assert http.get("/parceltrack/v3/parcels").status_code == 404
    assert http.post(PARCELS_PATH).status_code == 405


def test_calls_are_counted_per_path():
    fake = make_fake()
    client = client_for(fake)
    client.track_many(["LZ410287366NZ", "482913"])
    client.search_partial("AKL003")
    assert fake.calls == {"/as/token.oauth2": 1, PARCELS_PATH: 1, PARTIAL_MATCH_ROUTE: 1}


def test_calls_counter_is_safe_across_threads():
    fake = make_fake()
    http = raw_http(fake)

    def hammer() -> None:
        for _ in range(25):
            http.get(PARCELS_PATH)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fake.calls[PARCELS_PATH] == 200


def test_latency_is_spent_before_each_answer():
    waits: list[float] = []
    fake = make_fake(latency_seconds=0.25, sleep=waits.append)
    raw_http(fake).get(PARCELS_PATH)
    assert waits == [0.25]


# --- Demo numbers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "description"), DEMO_NUMBERS)
def test_demo_number_is_a_valid_nzpost_number(number, description):
    assert normalize_number(number) == number
    assert NZPOST in candidate_carriers(number)
    assert description


def test_demo_parcels_cover_every_state_in_their_descriptions():
    results = client_for(make_fake()).track_many([number for number, _ in DEMO_NUMBERS])
    assert all(isinstance(result, Found) for result in results)
    statuses = [result.parcel.status for result in results if isinstance(result, Found)]
    assert statuses == [
        Status.INFO_RECEIVED,
        Status.IN_TRANSIT,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
        Status.DELIVERY_FAILED,
        Status.AWAITING_PICKUP,
        Status.RETURNED,
    ]


def test_demo_delivered_parcel_is_signed_for():
    result = client_for(make_fake()).track("482913")
    assert isinstance(result, Found) and result.parcel.signed and result.parcel.delivered_at is not None


def test_demo_events_are_recent_relative_to_the_clock():
    results = client_for(make_fake()).track_many([number for number, _ in DEMO_NUMBERS])
    latest = [result.parcel.events[0].occurred_at for result in results if isinstance(result, Found)]
    assert all(NOW - timedelta(days=2) < moment <= NOW for moment in latest)


# --- The real client against the fake ----------------------------------------------------------------------------


def test_client_gets_found_and_not_found_side_by_side():
    found, not_found = client_for(make_fake()).track_many(["RN277193855NZ", "84411121780532"])
    assert isinstance(found, Found) and found.parcel.status is Status.AWAITING_PICKUP
    assert not_found == NotFound("nzpost", "84411121780532")


def test_client_marks_partial_results_and_fails_offline_numbers():
    fake = make_fake(error_for={"LZ410287366NZ": "200001", "CP583102644NZ": "500002"})
    partial, offline, nothing_yet = client_for(fake).track_many(["LZ410287366NZ", "CP583102644NZ", "EE000000000NZ"])
    assert isinstance(partial, Found) and data_may_be_incomplete(partial)
    assert offline == CarrierFailure("nzpost", "CP583102644NZ", FailureReason.UNAVAILABLE)
    assert nothing_yet == NotFound("nzpost", "EE000000000NZ")


def test_client_refreshes_a_revoked_token_once():
    fake = make_fake()
    client = client_for(fake)
    client.track("LZ410287366NZ")
    fake.revoke_tokens()
    assert isinstance(client.track("LZ410287366NZ"), Found)
    assert fake.calls["/as/token.oauth2"] == 2


def test_client_with_a_wrong_secret_fails_as_auth():
    result = client_for(make_fake(), secret="guess").track("LZ410287366NZ")
    assert result == CarrierFailure("nzpost", "LZ410287366NZ", FailureReason.AUTH)


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"fail_with": 500}, FailureReason.UNAVAILABLE),
        ({"fail_with": 429}, FailureReason.RATE_LIMITED),
        ({"fail_with": 401}, FailureReason.AUTH),
        ({"malformed": True}, FailureReason.BAD_RESPONSE),
    ],
)
def test_client_turns_injected_faults_into_carrier_failures(options, reason):
    result = client_for(make_fake(**options)).track("LZ410287366NZ")
    assert result == CarrierFailure("nzpost", "LZ410287366NZ", reason)


def test_planted_private_markers_never_reach_the_client():
    planted = scan(
        courier_first_name="MARKER-FIRST",
        courier_full_name="MARKER-FULL",
        run_name="MARKER-RUN",
        location={"latitude": -36.9406304111, "longitude": 174.8775616222},
        signed_by={"name": "MARKER-SIGNER", "signature": "MARKER-SIGNATURE"},
    )
    fake = make_fake(records=[record("CL092594238NZ", planted)])
    result = client_for(fake).track("CL092594238NZ")
    assert isinstance(result, Found) and result.parcel.signed
    text = repr(result)
    for marker in ("MARKER-FIRST", "MARKER-FULL", "MARKER-RUN", "MARKER-SIGNER", "MARKER-SIGNATURE", "36.94", "174.87"):
        assert marker not in text


def test_html_in_a_description_reaches_the_client_as_its_text_alone():
    fake = make_fake(records=[record("CL092594238NZ", scan(description="<b>Delivered</b><script>x()</script>"))])
    result = client_for(fake).track("CL092594238NZ")
    assert isinstance(result, Found)
    assert result.parcel.events[0].description == "Delivered"


def test_the_demo_link_in_a_description_is_shown_as_its_words():
    result = client_for(make_fake()).track("CP583102644NZ")
    assert isinstance(result, Found)
    assert result.parcel.events[0].description.endswith("We've left a card with details of what to do next.")


def test_the_demo_parcel_that_is_only_ready_to_send_has_no_place():
    result = client_for(make_fake()).track(INFO_RECEIVED_TICKET)
    assert isinstance(result, Found) and result.parcel.status is Status.INFO_RECEIVED
    assert [event.place for event in result.parcel.events] == [Place()]


def test_the_demo_stories_read_without_drift():
    with collected() as reports:
        client_for(make_fake()).track_many([number for number, _ in DEMO_NUMBERS])
    assert reports == []


def test_partial_match_finds_the_related_references():
    tickets = ["3616060010051511AKL005AS", "3616060010051512AKL005AS", "9900000000000001AKL001CP"]
    fake = make_fake(records=[record(ticket, scan()) for ticket in tickets])
    parcels = client_for(fake).search_partial("36160600100515")
    assert [parcel.tracking_number for parcel in parcels] == tickets[:2]


def test_partial_match_without_a_match_is_empty():
    fake = make_fake()
    body = authorized_get(fake, "/parceltrack/v4/partialmatch/84411121780532").json()
    assert body["status_code"] == 2 and body["results"][0]["errors"][0]["code"] == "400002"
    assert client_for(fake).search_partial("84411121780532") == []
