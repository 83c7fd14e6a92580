"""The NZ Post ParcelTrack v4 client against httpx.MockTransport and the document's own samples."""

import copy
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from carriers.base import CarrierUnavailable, InvalidNumber
from carriers.model import CarrierFailure, FailureReason, Found, NotFound, Place, Status
from carriers.nzpost import (
    MAX_REFERENCES_PER_CALL,
    NzPostClient,
    build_nzpost_client,
    data_may_be_incomplete,
    parcels_url,
    parse_event,
)
from tests.clocks import FakeClock

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nzpost"
BASE_URL = "https://api.nzpost.test"
TOKEN_URL = "https://oauth.nzpost.test/as/token.oauth2"
CLIENT_ID = "cid-123"
CLIENT_SECRET = "s3cret-nzpost"
SAMPLE_NUMBER = "CL092594238NZ"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


class Server:
    """NZ Post's token endpoint and API: answers are served in turn, the last one again and again.

    An answer is a JSON body (HTTP 200), an int (that HTTP status), an httpx.Response, an exception to
    raise, or a callable taking the request.
    """

    def __init__(self, *answers, token_status: int = 200) -> None:
        self.answers = list(answers) or [fixture("parcels_sample.json")]
        self.token_status = token_status
        self.token_requests: list[httpx.Request] = []
        self.api_requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/as/token.oauth2":
            self.token_requests.append(request)
            if self.token_status != 200:
                return httpx.Response(self.token_status, json={"error": "invalid_client"})
            token = f"tok-{len(self.token_requests)}"
            return httpx.Response(200, json={"access_token": token, "token_type": "Bearer", "expires_in": 3599})
        self.api_requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        if isinstance(answer, httpx.Response):
            return answer
        if isinstance(answer, int):
            return httpx.Response(answer, json={"success": False, "errors": [{"code": "500001"}]})
        return httpx.Response(200, json=answer)


def make_client(server: Server, clock: FakeClock | None = None) -> NzPostClient:
    http = httpx.Client(transport=httpx.MockTransport(server))
    return build_nzpost_client(
        http,
        base_url=BASE_URL,
        token_url=TOKEN_URL,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        clock=clock or FakeClock(),
    )


def asked_references(request: httpx.Request) -> list[str]:
    return parse_qs(request.url.query.decode())["tracking_reference"]


def echo_found(request: httpx.Request) -> httpx.Response:
    """Every asked reference found, with the sample's event."""
    event = fixture("parcels_sample.json")["results"][0]["tracking_events"][0]
    results = [{"tracking_reference": ref, "tracking_events": [event]} for ref in asked_references(request)]
    return httpx.Response(200, json={"success": True, "message_id": "m", "status_code": 1, "results": results})


def one_result(**result) -> dict:
    return {"success": True, "message_id": "m", "status_code": 1, "results": [result]}


def sample_event(**changes) -> dict:
    event = copy.deepcopy(fixture("parcels_sample.json")["results"][0]["tracking_events"][0])
    event.update(changes)
    return event


# --- Requests ----------------------------------------------------------------------------------------------------


def test_request_sends_bearer_token_and_client_id_header():
    server = Server()
    make_client(server).track(SAMPLE_NUMBER)
    request = server.api_requests[0]
    assert request.headers["Authorization"] == "Bearer tok-1"
    assert request.headers["client_id"] == CLIENT_ID
    assert request.url.path == "/parceltrack/v4/parcels"


def test_numbers_are_sent_as_a_repeated_tracking_reference_parameter():
    server = Server(echo_found)
    make_client(server).track_many(["CL092594238NZ", "EY593742046NZ", "123521"])
    assert server.api_requests[0].url.query.decode() == (
        "tracking_reference=CL092594238NZ&tracking_reference=EY593742046NZ&tracking_reference=123521"
    )


def test_token_comes_from_the_oauth_host_as_form_encoded_client_credentials():
    server = Server()
    make_client(server).track(SAMPLE_NUMBER)
    token_request = server.token_requests[0]
    assert str(token_request.url) == TOKEN_URL
    form = parse_qs(token_request.content.decode())
    assert form == {"grant_type": ["client_credentials"], "client_id": [CLIENT_ID], "client_secret": [CLIENT_SECRET]}


def test_token_is_reused_across_calls():
    server = Server()
    client = make_client(server)
    client.track(SAMPLE_NUMBER)
    client.track("EY593742046NZ")
    assert len(server.token_requests) == 1
    assert [r.headers["Authorization"] for r in server.api_requests] == ["Bearer tok-1", "Bearer tok-1"]


def test_token_is_refreshed_once_on_401_and_the_call_retried():
    server = Server(httpx.Response(401, json=fixture("unauthorised.json")), fixture("parcels_sample.json"))
    result = make_client(server).track(SAMPLE_NUMBER)
    assert isinstance(result, Found)
    assert len(server.token_requests) == 2
    assert server.api_requests[-1].headers["Authorization"] == "Bearer tok-2"


def test_the_client_id_is_a_default_header_of_the_client_so_a_retried_call_carries_it_too():
    server = Server(httpx.Response(401, json=fixture("unauthorised.json")), fixture("parcels_sample.json"))
    client = make_client(server)
    client.track(SAMPLE_NUMBER)
    assert client.http.headers["client_id"] == CLIENT_ID
    assert [request.headers["client_id"] for request in server.api_requests] == [CLIENT_ID, CLIENT_ID]


def test_second_401_after_refresh_is_an_auth_failure():
    server = Server(httpx.Response(401, json=fixture("unauthorised.json")))
    assert make_client(server).track(SAMPLE_NUMBER) == CarrierFailure("nzpost", SAMPLE_NUMBER, FailureReason.AUTH)
    assert len(server.api_requests) == 2


def test_refused_credentials_fail_every_number_as_auth():
    server = Server(token_status=401)
    results = make_client(server).track_many([SAMPLE_NUMBER, "123521"])
    assert [r.reason for r in results if isinstance(r, CarrierFailure)] == [FailureReason.AUTH, FailureReason.AUTH]
    assert server.api_requests == []


def test_batch_of_26_numbers_takes_three_calls_of_at_most_ten():
    server = Server(echo_found)
    numbers = [f"CL{n:09d}NZ" for n in range(26)]
    results = make_client(server).track_many(numbers)
    assert [len(asked_references(r)) for r in server.api_requests] == [10, 10, 6]
    assert MAX_REFERENCES_PER_CALL == 10
    assert [r.tracking_number for r in results] == numbers
    assert all(isinstance(r, Found) for r in results)


def test_repeated_numbers_are_asked_once_and_answered_once():
    server = Server(echo_found)
    results = make_client(server).track_many([SAMPLE_NUMBER, "123521", SAMPLE_NUMBER])
    assert asked_references(server.api_requests[0]) == [SAMPLE_NUMBER, "123521"]
    assert [r.tracking_number for r in results] == [SAMPLE_NUMBER, "123521"]


def test_a_failing_call_fails_only_its_own_numbers():
    server = Server(echo_found, 500)
    numbers = [f"CL{n:09d}NZ" for n in range(12)]
    results = make_client(server).track_many(numbers)
    assert all(isinstance(r, Found) for r in results[:10])
    assert results[10:] == [CarrierFailure("nzpost", n, FailureReason.UNAVAILABLE) for n in numbers[10:]]


# --- Published samples -------------------------------------------------------------------------------------------


def test_published_sample_becomes_a_found_parcel_with_its_event():
    result = make_client(Server(fixture("parcels_sample.json"))).track(SAMPLE_NUMBER)
    assert isinstance(result, Found) and not data_may_be_incomplete(result)
    parcel = result.parcel
    assert (parcel.carrier, parcel.tracking_number, parcel.status) == ("nzpost", SAMPLE_NUMBER, Status.INFO_RECEIVED)
    (event,) = parcel.events
    assert event.occurred_at == datetime(2015, 3, 23, 17, 4, 8, tzinfo=UTC)
    assert event.description == "CourierPost were advised that your item is ready to be picked up."
    assert event.place == Place(depot="Auckland Central Fleet", country="NZ")


def test_field_table_examples_parse_with_the_spaced_date_format():
    result = make_client(Server(fixture("parcels_field_table_examples.json"))).track("JP100000271NZ")
    assert isinstance(result, Found)
    (event,) = result.parcel.events
    assert event.occurred_at == datetime(2016, 1, 29, 11, 0, tzinfo=UTC)
    assert (event.status, event.description, event.place.label) == (
        Status.INFO_RECEIVED,
        "Ready to send",
        "AKL City Fleet",
    )


def test_published_invalid_reference_sample_is_not_found():
    number = "84411121780532"
    result = make_client(Server(fixture("parcels_invalid_reference_sample.json"))).track(number)
    assert result == NotFound("nzpost", number)


def text_fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_the_invalid_sample_as_printed_is_not_json_and_reads_as_a_bad_response():
    printed = text_fixture("partialmatch_invalid_sample.txt")
    with pytest.raises(json.JSONDecodeError):
        json.loads(printed)
    server = Server(httpx.Response(200, content=printed.encode()))
    assert make_client(server).track("84411121780532") == CarrierFailure(
        "nzpost", "84411121780532", FailureReason.BAD_RESPONSE
    )
    with pytest.raises(CarrierUnavailable) as caught:
        make_client(server).search_partial("84411121780532")
    assert caught.value.reason is FailureReason.BAD_RESPONSE


def test_the_corrected_invalid_sample_differs_from_the_printed_one_by_its_missing_comma_only():
    printed = text_fixture("partialmatch_invalid_sample.txt")
    corrected = text_fixture("parcels_invalid_reference_sample.json")
    assert corrected == printed.replace('"status_code":2\n', '"status_code":2,\n', 1) != printed


def test_the_documents_sample_request_is_the_url_we_build():
    printed = text_fixture("parcels_sample_request.txt").strip()
    references = parse_qs(httpx.URL(printed).query.decode())["tracking_reference"]
    assert len(references) == 10
    assert str(parcels_url("https://api.nzpost.co.nz", references)) == printed


def test_the_documents_sample_request_repeats_references_we_ask_once():
    printed = text_fixture("parcels_sample_request.txt").strip()
    references = parse_qs(httpx.URL(printed).query.decode())["tracking_reference"]
    server = Server(echo_found)
    results = make_client(server).track_many(references)
    assert [result.tracking_number for result in results] == list(dict.fromkeys(references))
    assert asked_references(server.api_requests[0]) == list(dict.fromkeys(references))
    assert len(server.api_requests) == 1


def test_mixed_answer_gives_found_and_not_found_side_by_side():
    server = Server(fixture("parcels_mixed.json"))
    found, not_found = make_client(server).track_many([SAMPLE_NUMBER, "84411121780532"])
    assert isinstance(found, Found) and found.parcel.status is Status.IN_TRANSIT
    assert not_found == NotFound("nzpost", "84411121780532")
    assert len(server.api_requests) == 1


def test_events_are_newest_first():
    result = make_client(Server(fixture("parcels_mixed.json"))).track(SAMPLE_NUMBER)
    assert isinstance(result, Found)
    times = [event.occurred_at for event in result.parcel.events]
    assert times == sorted(times, reverse=True) and len(times) == 2


def test_all_failed_answer_fails_every_number_as_unavailable():
    numbers = ["GC000875843NZ", "HA099246112NZ"]
    results = make_client(Server(fixture("parcels_all_failed.json"))).track_many(numbers)
    assert results == [CarrierFailure("nzpost", n, FailureReason.UNAVAILABLE) for n in numbers]


PARTIAL_NUMBERS = ["EY593742046NZ", "FF138431175NZ", "FL010795711NZ", "FZ101183740NZ"]


def track_partial_fixture() -> dict:
    results = make_client(Server(fixture("parcels_partial_results.json"))).track_many(PARTIAL_NUMBERS)
    return dict(zip(PARTIAL_NUMBERS, results, strict=True))


@pytest.mark.parametrize(("number", "code"), [("EY593742046NZ", "200001"), ("FF138431175NZ", "200002")])
def test_partial_or_incomplete_results_keep_their_events_and_are_flagged(number, code):
    result = track_partial_fixture()[number]
    assert isinstance(result, Found) and result.incomplete
    assert data_may_be_incomplete(result)
    assert result.parcel.events


def test_200001_without_events_is_a_partial_failure():
    assert track_partial_fixture()["FL010795711NZ"] == CarrierFailure("nzpost", "FL010795711NZ", FailureReason.PARTIAL)


def test_500002_fails_only_that_number_as_unavailable():
    results = track_partial_fixture()
    assert results["FZ101183740NZ"] == CarrierFailure("nzpost", "FZ101183740NZ", FailureReason.UNAVAILABLE)
    assert isinstance(results["EY593742046NZ"], Found)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("400002", None),
        (400002, None),
        ("200002", None),
        ("200001", FailureReason.PARTIAL),
        (200001, FailureReason.PARTIAL),
        ("500001", FailureReason.UNAVAILABLE),
        ("500002", FailureReason.UNAVAILABLE),
        (500002, FailureReason.UNAVAILABLE),
        (500002.0, FailureReason.UNAVAILABLE),
        ("401001", FailureReason.AUTH),
        ("400003", FailureReason.BAD_RESPONSE),
        ("999999", FailureReason.BAD_RESPONSE),
    ],
)
def test_result_error_code_without_events_maps_to_not_found_or_a_failure(code, expected):
    answer = one_result(tracking_reference=SAMPLE_NUMBER, errors=[{"code": code, "message": "m", "details": "d"}])
    result = make_client(Server(answer)).track(SAMPLE_NUMBER)
    if expected is None:
        assert result == NotFound("nzpost", SAMPLE_NUMBER)
    else:
        assert result == CarrierFailure("nzpost", SAMPLE_NUMBER, expected)


def test_result_without_events_or_errors_is_not_found():
    result = make_client(Server(one_result(tracking_reference=SAMPLE_NUMBER))).track(SAMPLE_NUMBER)
    assert result == NotFound("nzpost", SAMPLE_NUMBER)


def test_number_missing_from_the_results_is_not_found():
    result = make_client(Server(fixture("parcels_sample.json"))).track("EY593742046NZ")
    assert result == NotFound("nzpost", "EY593742046NZ")


def test_result_reference_is_matched_whatever_its_case():
    answer = one_result(tracking_reference="cl092594238nz", tracking_events=[sample_event()])
    result = make_client(Server(answer)).track(SAMPLE_NUMBER)
    assert isinstance(result, Found) and result.tracking_number == SAMPLE_NUMBER


# --- Whole-call failures -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (500, FailureReason.UNAVAILABLE),
        (503, FailureReason.UNAVAILABLE),
        (429, FailureReason.RATE_LIMITED),
        (403, FailureReason.AUTH),
        (409, FailureReason.BAD_RESPONSE),
        (400, FailureReason.BAD_RESPONSE),
    ],
)
def test_http_error_status_is_a_carrier_failure(status, reason):
    assert make_client(Server(status)).track(SAMPLE_NUMBER) == CarrierFailure("nzpost", SAMPLE_NUMBER, reason)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx.ReadTimeout("slow"), FailureReason.TIMEOUT),
        (httpx.ConnectTimeout("slow"), FailureReason.TIMEOUT),
        (httpx.ConnectError("refused"), FailureReason.UNAVAILABLE),
    ],
)
def test_transport_errors_are_carrier_failures(error, reason):
    assert make_client(Server(error)).track(SAMPLE_NUMBER) == CarrierFailure("nzpost", SAMPLE_NUMBER, reason)


def test_malformed_json_is_a_bad_response():
    server = Server(httpx.Response(200, content=b'{"success": true, "results": [{"tracking_ref'))
    result = make_client(server).track(SAMPLE_NUMBER)
    assert result == CarrierFailure("nzpost", SAMPLE_NUMBER, FailureReason.BAD_RESPONSE)


@pytest.mark.parametrize(
    "body",
    [[], "results", 42, {"unexpected": 1}, {"success": True, "results": {"tracking_reference": SAMPLE_NUMBER}}],
)
def test_json_of_the_wrong_shape_is_a_bad_response(body):
    result = make_client(Server(httpx.Response(200, json=body))).track(SAMPLE_NUMBER)
    assert result == CarrierFailure("nzpost", SAMPLE_NUMBER, FailureReason.BAD_RESPONSE)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (fixture("unauthorised.json"), FailureReason.AUTH),
        ({"success": False, "errors": [{"code": 500002, "message": "System(s) offline"}]}, FailureReason.UNAVAILABLE),
        ({"success": False, "message_id": "m"}, FailureReason.BAD_RESPONSE),
    ],
)
def test_top_level_failure_without_results_fails_the_call(body, reason):
    assert make_client(Server(body)).track(SAMPLE_NUMBER) == CarrierFailure("nzpost", SAMPLE_NUMBER, reason)


def test_successful_call_with_only_a_no_events_error_and_no_results_is_not_found():
    body = {"success": True, "status_code": 2, "errors": [{"code": "400002", "message": "Invalid parameter(s)"}]}
    assert make_client(Server(body)).track(SAMPLE_NUMBER) == NotFound("nzpost", SAMPLE_NUMBER)


def test_garbage_results_are_ignored_and_the_number_is_not_found():
    body = {"success": True, "results": ["x", 3, None, {"tracking_reference": 5}, {"tracking_events": "many"}]}
    assert make_client(Server(body)).track(SAMPLE_NUMBER) == NotFound("nzpost", SAMPLE_NUMBER)


def test_events_of_the_wrong_types_are_tolerated():
    events = [
        "scan",
        {"date_time": 5},
        {"date_time": "yesterday"},
        {"date_time": "2015-03-23"},
        {"date_time": "2015-03-23T17:04:08Z", "edifact_code": ["13"], "depot_name": {"a": 1}, "signed_by": "Lee"},
    ]
    result = make_client(Server(one_result(tracking_reference=SAMPLE_NUMBER, tracking_events=events))).track(
        SAMPLE_NUMBER
    )
    assert isinstance(result, Found)
    (event,) = result.parcel.events
    assert (event.status, event.place, result.parcel.signed) == (Status.UNKNOWN, Place(), False)


def test_track_batch_answers_found_and_not_found_numbers_in_one_call():
    server = Server(fixture("parcels_mixed.json"))
    results = make_client(server).track_batch([SAMPLE_NUMBER, "84411121780532"])
    assert isinstance(results[SAMPLE_NUMBER], Found)
    assert results["84411121780532"] == NotFound("nzpost", "84411121780532")
    assert len(server.api_requests) == 1


def test_track_batch_gives_each_number_nz_post_could_not_answer_its_own_failure():
    results = make_client(Server(fixture("parcels_partial_results.json"))).track_batch(PARTIAL_NUMBERS)
    assert results["FL010795711NZ"] == CarrierFailure("nzpost", "FL010795711NZ", FailureReason.PARTIAL)
    assert results["FZ101183740NZ"] == CarrierFailure("nzpost", "FZ101183740NZ", FailureReason.UNAVAILABLE)


def test_track_batch_raises_when_the_whole_call_fails():
    with pytest.raises(CarrierUnavailable) as caught:
        make_client(Server(503)).track_batch([SAMPLE_NUMBER])
    assert caught.value.reason is FailureReason.UNAVAILABLE


# --- Privacy -----------------------------------------------------------------------------------------------------

MARKERS = {
    "courier_full_name": "MARKER-COURIER-FULL",
    "courier_first_name": "MARKER-COURIER-FIRST",
    "run_name": "MARKER-RUN",
    "seqref": "MARKER-SEQREF",
    "source": "MARKER-SOURCE",
}


def planted_answer() -> dict:
    event = sample_event(
        **MARKERS,
        signed_by={"name": "MARKER-SIGNER-NAME", "signature": "MARKER-SIGNATURE-DATA"},
        location={"latitude": -36.9406304123, "longitude": 174.8775616456},
    )
    return one_result(tracking_reference=SAMPLE_NUMBER, tracking_events=[event])


@pytest.mark.parametrize(
    "private",
    [*MARKERS.values(), "MARKER-SIGNER-NAME", "MARKER-SIGNATURE-DATA", "-36.94", "174.87", "36.9406304", "8775616"],
)
def test_private_fields_never_reach_the_result(private):
    result = make_client(Server(planted_answer())).track(SAMPLE_NUMBER)
    assert isinstance(result, Found)
    assert private not in repr(result)


def test_our_logs_carry_no_full_number_secret_token_or_private_field(caplog):
    # httpx's own INFO line names the full URL; the site's logging settings must keep that logger quieter.
    caplog.set_level(logging.DEBUG, logger="carriers")
    server = Server(httpx.Response(401, json=fixture("unauthorised.json")), planted_answer(), 500)
    client = make_client(server)
    client.track(SAMPLE_NUMBER)
    client.track(SAMPLE_NUMBER)
    ours = "\n".join(record.getMessage() for record in caplog.records if record.name == "carriers")
    assert "outcome=answered" in ours and "outcome=http_500" in ours
    for secret in (SAMPLE_NUMBER, CLIENT_SECRET, "tok-1", "tok-2", *MARKERS.values(), "MARKER-SIGNER-NAME"):
        assert secret not in ours


@pytest.mark.parametrize(
    ("signed_by", "signed"),
    [
        ({"name": "Lee Child", "signature": "ec608f40"}, True),
        ({"name": "Lee Child"}, True),
        ({"signature": "ec608f40"}, True),
        ({"name": "", "signature": ""}, False),
        ({"name": None}, False),
        ("Lee Child", False),
        (None, False),
    ],
)
def test_signed_is_true_only_when_signed_by_has_a_name_or_signature(signed_by, signed):
    answer = one_result(tracking_reference=SAMPLE_NUMBER, tracking_events=[sample_event(signed_by=signed_by)])
    result = make_client(Server(answer)).track(SAMPLE_NUMBER)
    assert isinstance(result, Found) and result.parcel.signed is signed


# --- Events ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-03-23T17:04:08Z", datetime(2015, 3, 23, 17, 4, 8, tzinfo=UTC)),
        ("2016-01-29 11:00:00Z", datetime(2016, 1, 29, 11, 0, tzinfo=UTC)),
        ("2015-10-08T12:12:54.0000000Z", datetime(2015, 10, 8, 12, 12, 54, tzinfo=UTC)),
        ("2016-01-29T11:00:00+13:00", datetime(2016, 1, 28, 22, 0, tzinfo=UTC)),
        ("2016-01-29 11:00:00", datetime(2016, 1, 29, 11, 0, tzinfo=UTC)),
    ],
)
def test_event_time_is_an_aware_utc_datetime(value, expected):
    event = parse_event({"date_time": value, "status": "Delivered"})
    assert event is not None
    assert event.occurred_at == expected
    assert event.occurred_at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("value", [None, "", "2016-01-29", "29/01/2016 11:00", 1453892400, {"utc": "now"}])
def test_event_without_a_usable_time_is_dropped(value):
    assert parse_event({"date_time": value, "status": "Delivered"}) is None


def test_event_without_depot_has_no_place():
    event = parse_event({"date_time": "2016-01-29 11:00:00Z", "status": "Left New Zealand"})
    assert event is not None and not event.place


def test_event_description_falls_back_to_its_brief_status():
    event = parse_event({"date_time": "2016-01-29 11:00:00Z", "status": "Item at depot", "description": None})
    assert event is not None and event.description == "Item at depot"


def test_html_in_a_description_is_kept_as_plain_text_for_the_template_to_escape():
    event = parse_event({"date_time": "2016-01-29 11:00:00Z", "description": "<script>alert(1)</script>"})
    assert event is not None and event.description == "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("13", Status.INFO_RECEIVED),
        (13, Status.INFO_RECEIVED),
        ("997", Status.INFO_RECEIVED),
        ("78", Status.INFO_RECEIVED),
        ("8", Status.IN_TRANSIT),
        ("56", Status.IN_TRANSIT),
        ("80", Status.IN_TRANSIT),
        ("85", Status.IN_TRANSIT),
        ("146", Status.IN_TRANSIT),
        ("32", Status.OUT_FOR_DELIVERY),
        ("35", Status.OUT_FOR_DELIVERY),
        ("142", Status.OUT_FOR_DELIVERY),
        ("22", Status.DELIVERED),
        ("141", Status.AWAITING_PICKUP),
        ("147", Status.AWAITING_PICKUP),
        ("149", Status.AWAITING_PICKUP),
        ("42", Status.DELIVERY_FAILED),
        ("50", Status.DELIVERY_FAILED),
        ("62", Status.DELIVERY_FAILED),
        ("54", Status.EXCEPTION),
        ("61", Status.EXCEPTION),
        ("63", Status.EXCEPTION),
        ("67", Status.RETURNED),
    ],
)
def test_edifact_code_maps_to_status(code, status):
    event = parse_event({"date_time": "2016-01-29 11:00:00Z", "edifact_code": code, "status": "Something new"})
    assert event is not None and event.status is status


@pytest.mark.parametrize(
    ("words", "status"),
    [
        ("Ready for pickup", Status.INFO_RECEIVED),
        ("Ready to send", Status.INFO_RECEIVED),
        ("Picked up", Status.INFO_RECEIVED),
        ("In transit", Status.IN_TRANSIT),
        ("Processing at depot", Status.IN_TRANSIT),
        ("Out for delivery", Status.OUT_FOR_DELIVERY),
        ("With courier for delivery", Status.OUT_FOR_DELIVERY),
        ("Delivered", Status.DELIVERED),
        ("  DELIVERED ", Status.DELIVERED),
        ("Awaiting collection", Status.AWAITING_PICKUP),
        ("Ready to collect", Status.AWAITING_PICKUP),
        ("Unable to deliver", Status.DELIVERY_FAILED),
        ("Delivery attempted", Status.DELIVERY_FAILED),
        ("Returned to sender", Status.RETURNED),
        ("Held", Status.EXCEPTION),
        ("Damaged", Status.EXCEPTION),
        ("Delayed", Status.EXCEPTION),
        ("Something new", Status.UNKNOWN),
    ],
)
def test_status_words_map_to_status_when_the_code_is_unknown(words, status):
    event = parse_event({"date_time": "2016-01-29 11:00:00Z", "edifact_code": "9999", "status": words})
    assert event is not None and event.status is status


def test_edifact_code_wins_over_the_status_words():
    event = parse_event({"date_time": "2016-01-29 11:00:00Z", "edifact_code": "22", "status": "Ready to send"})
    assert event is not None and event.status is Status.DELIVERED


# --- Partial match -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "partial", ["../x", "a/b", "%2F", "AB CD", "", "abc", "A" * 41, "AB\nCD", "ABC-123", "ＡＢＣＤ", "ABCD?x=1"]
)
def test_partial_match_rejects_anything_but_4_to_40_letters_and_digits(partial):
    server = Server(fixture("partialmatch_sample.json"))
    with pytest.raises(InvalidNumber):
        make_client(server).search_partial(partial)
    assert server.api_requests == [] and server.token_requests == []


def test_partial_match_puts_the_reference_in_the_path_as_one_segment():
    server = Server(fixture("partialmatch_sample.json"))
    make_client(server).search_partial(" 36160600100515 ")
    request = server.api_requests[0]
    assert request.url.raw_path == b"/parceltrack/v4/partialmatch/36160600100515"
    assert request.headers["client_id"] == CLIENT_ID


def test_partial_match_sample_gives_one_parcel_per_related_reference():
    parcels = make_client(Server(fixture("partialmatch_sample.json"))).search_partial("36160600100515")
    assert [p.tracking_number for p in parcels] == [
        "3616060010051511AKL005AS",
        "3616060010051512AKL005AS",
        "3616060010051513AKL005AS",
    ]
    assert all(p.status is Status.INFO_RECEIVED and p.signed for p in parcels)


def test_partial_match_without_matches_is_an_empty_list():
    client = make_client(Server(fixture("parcels_invalid_reference_sample.json")))
    assert client.search_partial("84411121780532") == []


def test_partial_match_that_nz_post_could_not_answer_raises():
    client = make_client(Server(fixture("parcels_all_failed.json")))
    with pytest.raises(CarrierUnavailable) as caught:
        client.search_partial("GC0008758")
    assert caught.value.reason is FailureReason.UNAVAILABLE


def test_partial_match_drops_references_we_would_not_accept_ourselves():
    answer = fixture("partialmatch_sample.json")
    answer["results"][1]["tracking_reference"] = "../3616060010051512AKL005AS"
    parcels = make_client(Server(answer)).search_partial("36160600100515")
    assert [p.tracking_number for p in parcels] == ["3616060010051511AKL005AS", "3616060010051513AKL005AS"]
