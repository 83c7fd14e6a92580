"""The real DHL eCommerce client against the fake API, through httpx.WSGITransport."""

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from carriers import detect
from carriers.base import CarrierUnavailable
from carriers.dhl_ecommerce import DhlEcommerceClient, build_dhl_ecommerce_client
from carriers.drift import collected
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes.dhl_ecommerce import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_MANIFEST_ID,
    DEMO_NUMBERS,
    DEMO_PICKUP,
    PUBLISHED_PACKAGE_ID,
    STORY_NUMBERS,
    FakeDhlEcommerce,
    demo_records,
)
from carriers.model import CarrierFailure, FailureReason, Found, LastMile, NotFound, Status

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dhl_ecommerce"
BASE_URL = "http://dhl-ecommerce.demo"
NOW = datetime(2024, 7, 16, 15, 0, tzinfo=UTC)
TOKEN_PATH = "/auth/v4/accesstoken"
TRACKING_PATH = "/tracking/v4/package/open"


class Clocks:
    """One moving time for the fake (a datetime) and for the client (seconds)."""

    def __init__(self) -> None:
        self.now = NOW

    def fake(self) -> datetime:
        return self.now

    def client(self) -> float:
        return self.now.timestamp()


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def fake(clocks: Clocks) -> FakeDhlEcommerce:
    return FakeDhlEcommerce(clock=clocks.fake)


@pytest.fixture
def http(fake: FakeDhlEcommerce) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.WSGITransport(app=fake), base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def client(http: httpx.Client, clocks: Clocks) -> DhlEcommerceClient:
    return build_dhl_ecommerce_client(
        http, base_url=BASE_URL, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET, clock=clocks.client
    )


def bearer(http: httpx.Client) -> dict[str, str]:
    token = http.post(TOKEN_PATH, data=credentials()).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def credentials(**changes: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
    } | changes


# --- Token endpoint ---


def test_token_endpoint_issues_a_bearer_token_for_the_demo_credentials(http):
    response = http.post(TOKEN_PATH, data=credentials())

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    assert body["client_id"] == DEMO_CLIENT_ID
    assert len(body["access_token"]) >= 20


@pytest.mark.parametrize(
    "form", [credentials(client_secret="wrong"), credentials(client_id="someone-else"), credentials(client_secret="")]
)
def test_token_endpoint_refuses_wrong_credentials(http, form):
    assert http.post(TOKEN_PATH, data=form).status_code == 401


def test_token_endpoint_refuses_other_grant_types(http):
    assert http.post(TOKEN_PATH, data=credentials(grant_type="password")).status_code == 400


def test_client_with_wrong_credentials_gets_an_auth_failure(http, clocks):
    client = build_dhl_ecommerce_client(
        http, base_url=BASE_URL, client_id=DEMO_CLIENT_ID, client_secret="not-the-secret", clock=clocks.client
    )

    assert client.track(DEMO_NUMBERS[0][0]).reason is FailureReason.AUTH


@pytest.mark.parametrize("authorization", [None, "Bearer made-up", "Basic ZGVtbzpkZW1v", "Bearer "])
def test_tracking_refuses_unknown_bearers(http, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = http.get(TRACKING_PATH, params={"dhlPackageId": DEMO_NUMBERS[0][0]}, headers=headers)

    assert response.status_code == 401


def test_tokens_expire_after_their_lifetime(http, clocks):
    headers = bearer(http)
    clocks.now += timedelta(seconds=3600)

    assert http.get(TRACKING_PATH, params={"dhlPackageId": DEMO_NUMBERS[0][0]}, headers=headers).status_code == 401


def test_client_reuses_one_token_for_many_calls(client, fake):
    client.track_many([number for number, _ in DEMO_NUMBERS])
    client.track_many([number for number, _ in DEMO_NUMBERS])

    assert fake.calls[TOKEN_PATH] == 1


def test_client_recovers_from_expired_tokens_by_refreshing_once(client, fake):
    client.track(DEMO_NUMBERS[0][0])
    fake.expire_all_tokens()

    result = client.track(DEMO_NUMBERS[0][0])

    assert isinstance(result, Found)
    assert fake.calls[TOKEN_PATH] == 2


# --- Demo data ---


@pytest.mark.parametrize(("number", "description"), DEMO_NUMBERS)
def test_demo_numbers_are_valid_and_routed_to_dhl_ecommerce(number, description):
    assert detect.normalize_number(number) == number
    assert detect.DHL_ECOMMERCE in detect.candidate_carriers(number)
    assert description


@pytest.mark.parametrize(
    ("number", "status"),
    [
        (fake_dhl.DELIVERED_SIGNED, Status.DELIVERED),
        (fake_dhl.OUT_FOR_DELIVERY, Status.OUT_FOR_DELIVERY),
        (fake_dhl.IN_TRANSIT_IMPB, Status.IN_TRANSIT),
        (fake_dhl.INFO_RECEIVED, Status.INFO_RECEIVED),
        (fake_dhl.DELIVERY_ATTEMPTED, Status.DELIVERY_FAILED),
        (fake_dhl.AWAITING_PICKUP, Status.AWAITING_PICKUP),
        (fake_dhl.RETURNED_SHOP_ID, Status.RETURNED),
        (PUBLISHED_PACKAGE_ID, Status.INFO_RECEIVED),
    ],
)
def test_demo_numbers_show_their_states(client, number, status):
    result = client.track(number)

    assert isinstance(result, Found)
    assert result.parcel.status is status
    assert result.parcel.tracking_number == number


def test_every_demo_number_is_listed_with_a_state():
    assert len(DEMO_NUMBERS) == len({number for number, _ in DEMO_NUMBERS}) >= 5


def test_demo_stories_are_recent_and_never_in_the_future(client, clocks):
    results = client.track_many([number for number, _ in STORY_NUMBERS])

    newest = [result.parcel.events[0].occurred_at for result in results if isinstance(result, Found)]
    assert len(newest) == len(STORY_NUMBERS)
    assert all(clocks.now - timedelta(days=3) < moment <= clocks.now for moment in newest)


def test_demo_records_follow_the_clock():
    later = NOW + timedelta(days=30)
    first = demo_records(NOW)[1]["events"][0]
    moved = demo_records(later)[1]["events"][0]

    assert moved["date"] != first["date"]
    assert {key: value for key, value in moved.items() if key not in ("date", "time")} == {
        key: value for key, value in first.items() if key not in ("date", "time")
    }


def test_signed_demo_delivery_is_signed_without_the_signer(client, fake):
    parcel = client.track(fake_dhl.DELIVERED_SIGNED).parcel
    signer = next(
        record["recipient"]["signedForName"]
        for record in fake.records()
        if record["package"]["dhlPackageId"] == fake_dhl.DELIVERED_SIGNED
    )

    assert parcel.signed is True
    assert signer not in repr(parcel)


def test_phoenix_delivery_keeps_arizona_time(client):
    parcel = client.track(fake_dhl.DELIVERED_SIGNED).parcel

    assert parcel.latest_event is not None
    assert parcel.latest_event.place.city == "Phoenix"
    assert parcel.latest_event.occurred_at.utcoffset() == timedelta(hours=-7)


def test_a_shop_package_id_is_found_by_package_id(client, fake):
    result = client.track(fake_dhl.RETURNED_SHOP_ID)

    assert isinstance(result, Found)
    assert fake.calls[TRACKING_PATH] == 1


def test_an_unknown_number_is_not_found_after_every_kind(client, fake):
    assert client.track("GM999999999999") == NotFound("dhl-ecommerce", "GM999999999999")
    assert fake.calls[TRACKING_PATH] == 3


def test_the_demo_number_kinds_are_asked_in_three_calls(client, fake):
    results = client.track_many([number for number, _ in DEMO_NUMBERS])

    assert all(isinstance(result, Found) for result in results)
    assert fake.calls[TRACKING_PATH] == 3


# --- Private fields, planted records ---


def planted_record() -> dict[str, Any]:
    record = copy.deepcopy(demo_records(NOW)[0])
    record["package"].update(
        dhlPackageId="GM000000000000000777",
        packageId="PLANT-PACKAGE-ID",
        # Not planted: the DSP Mail Identifier is the USPS number the page links once USPS has the parcel.
        trackingId="9261290100830000000777",
        manifestId="PLANT-MANIFEST",
        orderedProductId="PLANT-ORDERED",
        billedProductId="PLANT-BILLED",
        customerReference="PLANT-CUSTOMER-REF",
        weight={"value": 77.7, "unitOfMeasure": "PLANT-UOM"},
    )
    record["pickupDetail"] = {
        "soldTo": 9100001,
        "pickup": 9100002,
        "pickupAddress": {"name": "PLANT-PICKUP-NAME", "address1": "PLANT-PICKUP-STREET"},
    }
    record["recipient"] = {
        "name": "PLANT-RECIPIENT",
        "address1": "PLANT-STREET",
        "city": "PLANT-CITY",
        "state": "PLANT-STATE",
        "postalCode": "PLANT-ZIP",
        "country": "PLANT-COUNTRY",
        "phone": "PLANT-PHONE",
        "signedForName": "PLANT-SIGNER",
    }
    for event in record["events"]:
        event["postalCode"] = "PLANT-EVENT-ZIP"
    return record


def fake_with(http_records: list[dict[str, Any]], clocks: Clocks) -> tuple[FakeDhlEcommerce, DhlEcommerceClient]:
    fake = FakeDhlEcommerce(records=http_records, clock=clocks.fake)
    http = httpx.Client(transport=httpx.WSGITransport(app=fake), base_url=BASE_URL)
    client = build_dhl_ecommerce_client(
        http, base_url=BASE_URL, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET, clock=clocks.client
    )
    return fake, client


def test_no_planted_private_value_leaves_the_client(clocks):
    _, client = fake_with([planted_record()], clocks)
    found = client.track("GM000000000000000777")
    listed = client.search_manifest("PLANT-MANIFEST")

    assert isinstance(found, Found)
    text = repr(found.parcel) + repr(listed)
    assert len(listed) == 1
    assert "PLANT-" not in text
    assert "9100001" not in text
    assert "9100002" not in text
    assert "77.7" not in text
    assert found.parcel.last_mile == LastMile(carrier="USPS", number="9261290100830000000777", handed_over=True)


def test_markup_in_text_fields_comes_through_as_plain_text(clocks):
    record = planted_record()
    record["events"][0].update(primaryEventDescription="<script>alert(1)</script>", secondaryEventDescription=None)
    _, client = fake_with([record], clocks)

    parcel = client.track("GM000000000000000777").parcel

    assert parcel.events[0].description == "<script>alert(1)</script>"
    assert parcel.status is Status.DELIVERED


def test_a_legacy_tracking_id_is_found_through_its_alias(clocks):
    record = planted_record()
    record["package"]["deliveryConfirmationNumber"] = "42012345678901234567890123"
    _, client = fake_with([record], clocks)

    result = client.track("42012345678901234567890123")

    assert isinstance(result, Found)
    assert result.tracking_number == "42012345678901234567890123"


# --- The fake follows the published API ---


def test_more_than_ten_identifiers_are_refused(http):
    numbers = ",".join(f"GM29511749401107{index:04d}" for index in range(11))

    assert http.get(TRACKING_PATH, params={"dhlPackageId": numbers}, headers=bearer(http)).status_code == 400


def test_two_identifier_kinds_at_once_are_refused(http):
    params = {"dhlPackageId": fake_dhl.DELIVERED_SIGNED, "packageId": fake_dhl.RETURNED_SHOP_ID}

    assert http.get(TRACKING_PATH, params=params, headers=bearer(http)).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"pickup": str(DEMO_PICKUP)},
        {"pickup": str(DEMO_PICKUP), "startDate": "20240710"},
        {"pickup": str(DEMO_PICKUP), "startDate": "20240701", "endDate": "20240709"},
        {"pickup": str(DEMO_PICKUP), "startDate": "20240709", "endDate": "20240701"},
        {"pickup": str(DEMO_PICKUP), "startDate": "2024-07-01", "endDate": "2024-07-02"},
        {"manifestId": DEMO_MANIFEST_ID, "limit": "11"},
        {"manifestId": DEMO_MANIFEST_ID, "limit": "0"},
        {"manifestId": DEMO_MANIFEST_ID, "offset": "-1"},
        {"manifestId": DEMO_MANIFEST_ID, "offset": "ten"},
        {"dhlPackageId": fake_dhl.DELIVERED_SIGNED, "manifestId": DEMO_MANIFEST_ID},
    ],
)
def test_invalid_searches_are_refused(http, params):
    response = http.get(TRACKING_PATH, params=params, headers=bearer(http))

    assert response.status_code == 400
    assert response.json()["title"]


def test_nothing_found_is_a_404(http):
    response = http.get(TRACKING_PATH, params={"dhlPackageId": "GM000000000001"}, headers=bearer(http))

    assert response.status_code == 404


def test_identifier_search_answers_with_the_raw_records(http, fake):
    response = http.get(TRACKING_PATH, params={"trackingId": fake_dhl.IN_TRANSIT_IMPB}, headers=bearer(http))

    body = response.json()
    assert body["total"] == 1
    assert "links" not in body
    item = body["packages"][0]
    assert set(item) == {"pickupDetail", "package", "recipient", "events"}
    assert item["package"]["trackingId"] == fake_dhl.IN_TRANSIT_IMPB
    assert {"name", "address1", "phone"} <= set(item["recipient"])


def test_pickup_filter_narrows_an_identifier_search(http):
    params = {"dhlPackageId": fake_dhl.DELIVERED_SIGNED, "pickup": "1234567"}

    assert http.get(TRACKING_PATH, params=params, headers=bearer(http)).status_code == 404


def test_manifest_pages_carry_absolute_links_on_the_fake_host(http):
    headers = bearer(http)
    first = http.get(TRACKING_PATH, params={"manifestId": DEMO_MANIFEST_ID, "limit": "10"}, headers=headers).json()
    second = http.get(first["links"]["next"], headers=headers).json()

    assert first["total"] == second["total"] >= 12
    assert len(first["packages"]) == 10
    assert set(first["links"]) == {"next"}
    assert first["links"]["next"].startswith(f"{BASE_URL}{TRACKING_PATH}?")
    assert "previous" in second["links"]
    assert "next" not in second["links"]
    assert len(first["packages"]) + len(second["packages"]) == first["total"]


def test_a_single_page_has_no_links(http):
    params = {
        "pickup": str(DEMO_PICKUP),
        "startDate": (NOW.date() - timedelta(days=7)).strftime("%Y%m%d"),
        "endDate": NOW.date().strftime("%Y%m%d"),
        "state": "AZ",
    }
    body = http.get(TRACKING_PATH, params=params, headers=bearer(http)).json()

    assert body["total"] == len(body["packages"]) == 1
    assert "links" not in body


def test_client_lists_a_whole_manifest_over_several_pages(client, fake):
    parcels = client.search_manifest(DEMO_MANIFEST_ID)

    assert len(parcels) >= 12
    assert len({parcel.tracking_number for parcel in parcels}) == len(parcels)
    assert fake.calls[TRACKING_PATH] == 2


def test_client_lists_a_pickup_week(client):
    today = NOW.date()
    parcels = client.search_pickup(str(DEMO_PICKUP), today - timedelta(days=7), today)

    assert len(parcels) >= 12


def test_client_pickup_search_filters_by_recipient_state(client):
    today = NOW.date()
    parcels = client.search_pickup(str(DEMO_PICKUP), today - timedelta(days=7), today, state="AZ")

    assert [parcel.tracking_number for parcel in parcels] == [fake_dhl.DELIVERED_SIGNED]


def test_client_pickup_search_of_an_empty_week_is_empty(client):
    start = NOW.date() - timedelta(days=60)

    assert client.search_pickup(str(DEMO_PICKUP), start, start + timedelta(days=7)) == []


# --- Fault injection and bookkeeping ---


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, FailureReason.UNAVAILABLE), (503, FailureReason.UNAVAILABLE), (429, FailureReason.RATE_LIMITED)],
)
def test_injected_failures_become_carrier_failures(client, fake, status, reason):
    fake.fail_with = status

    result = client.track(fake_dhl.DELIVERED_SIGNED)

    assert result == CarrierFailure("dhl-ecommerce", fake_dhl.DELIVERED_SIGNED, reason)


def test_rate_limited_answers_say_when_to_retry(http, fake):
    fake.fail_with = 429

    assert http.get(TRACKING_PATH, params={"dhlPackageId": "GM000000000001"}).headers["Retry-After"] == "1"


def test_malformed_answers_become_bad_response_failures(client, fake):
    fake.malformed = True

    assert client.track(fake_dhl.DELIVERED_SIGNED).reason is FailureReason.BAD_RESPONSE


def test_malformed_answers_are_not_json(http, fake):
    fake.malformed = True
    body = http.get(TRACKING_PATH, params={"dhlPackageId": "GM000000000001"}, headers=bearer(http)).content

    with pytest.raises(ValueError):
        json.loads(body)


def test_group_search_failures_raise(client, fake):
    fake.fail_with = 502

    with pytest.raises(CarrierUnavailable):
        client.search_manifest(DEMO_MANIFEST_ID)


def test_calls_are_counted_per_path(http, fake):
    headers = bearer(http)
    http.get(TRACKING_PATH, params={"dhlPackageId": fake_dhl.DELIVERED_SIGNED}, headers=headers)
    http.get(TRACKING_PATH, params={"dhlPackageId": fake_dhl.OUT_FOR_DELIVERY}, headers=headers)
    http.get("/nowhere")

    assert fake.calls == {TOKEN_PATH: 1, TRACKING_PATH: 2, "/nowhere": 1}


@pytest.mark.parametrize(("method", "path"), [("GET", TOKEN_PATH), ("POST", TRACKING_PATH), ("DELETE", TRACKING_PATH)])
def test_wrong_methods_are_refused(http, method, path):
    assert http.request(method, path).status_code == 405


def test_unknown_paths_are_404(http):
    assert http.get("/tracking/v3/package").status_code == 404


def test_the_moving_demo_parcel_takes_a_step_every_quarter_hour_and_starts_again(clocks):
    cycle_start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=90 * 1000)  # five steps, a rest
    statuses = []
    for minutes in (1, 16, 31, 46, 61, 76, 91):
        records = demo_records(cycle_start + timedelta(minutes=minutes))
        _, client = fake_with(records, clocks)
        result = client.track(fake_dhl.MOVING_ALONG)
        assert isinstance(result, Found)
        statuses.append((result.parcel.status, len(result.parcel.events)))
    assert statuses == [
        (Status.INFO_RECEIVED, 1),
        (Status.IN_TRANSIT, 2),
        (Status.IN_TRANSIT, 3),
        (Status.OUT_FOR_DELIVERY, 4),
        (Status.DELIVERED, 5),
        (Status.DELIVERED, 5),
        (Status.INFO_RECEIVED, 1),
    ]


# --- The fake answers in DHL's published shapes ---

US_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")


def test_story_packages_write_dates_ids_and_zones_as_dhls_published_answer_does():
    records = demo_records(NOW)

    assert len(records) >= 15
    for record in records:
        assert US_DATE.fullmatch(record["package"]["expectedDelivery"])
        assert isinstance(record["pickupDetail"]["soldTo"], str)
        assert isinstance(record["pickupDetail"]["pickup"], str)
        assert {event["timeZone"] for event in record["events"]} <= {
            "EST",
            "EDT",
            "CST",
            "CDT",
            "MST",
            "MDT",
            "PST",
            "PDT",
        }
        assert all(isinstance(event["primaryEventId"], int) for event in record["events"])


def test_the_expected_delivery_date_survives_the_us_form(client):
    parcel = client.track(fake_dhl.IN_TRANSIT_IMPB).parcel

    assert parcel.expected_delivery == NOW.date() + timedelta(days=2)


def test_the_fakes_answers_read_without_drift_but_for_its_illustrative_codes(client):
    with collected() as drift:
        results = client.track_many([number for number, _ in DEMO_NUMBERS])
        listed = client.search_manifest(DEMO_MANIFEST_ID)

    assert all(isinstance(result, Found) for result in results) and listed
    # 620, 640 and 700 (attempted, held for pickup, returned) stand for codes DHL has not published.
    assert {report.path for report in drift} <= {"packages[].events[].primaryEventId"}


def test_the_usps_handover_story_names_usps_with_its_barcode(client):
    handed_over = client.track(fake_dhl.IN_TRANSIT_IMPB).parcel
    not_yet = client.track(fake_dhl.INFO_RECEIVED).parcel

    assert handed_over.last_mile == LastMile(carrier="USPS", number=fake_dhl.IN_TRANSIT_IMPB, handed_over=True)
    assert not_yet.last_mile is None


# --- DHL's published sample, served under its own numbers ---

PUBLISHED_BYTES = (FIXTURES / "karrio_tracking_response.json").read_bytes()
# The sample's package under each of its numbers, by the parameter that finds it.
PUBLISHED_SEARCHES = [
    {"dhlPackageId": "4341002003719794"},
    {"packageId": "V4-TEST-1581367640092"},
    {"trackingId": "532339200210204734751"},
    {"trackingId": "9374869903500011991251"},
]


def test_the_fakes_copy_of_the_published_sample_is_the_fixtures_bytes():
    assert fake_dhl.PUBLISHED_TRACKING_ANSWER.encode() == PUBLISHED_BYTES


@pytest.mark.parametrize("params", PUBLISHED_SEARCHES)
def test_the_published_sample_is_served_verbatim_under_its_numbers(http, params):
    response = http.get(TRACKING_PATH, params=params, headers=bearer(http))

    assert response.status_code == 200
    assert response.content == PUBLISHED_BYTES


def test_the_published_package_is_served_as_published_beside_others(http):
    params = {"packageId": f"{PUBLISHED_PACKAGE_ID},{fake_dhl.RETURNED_SHOP_ID}"}
    body = http.get(TRACKING_PATH, params=params, headers=bearer(http)).json()

    published = json.loads(PUBLISHED_BYTES)["packages"][0]
    assert body["total"] == 2
    assert published in body["packages"]


@pytest.mark.parametrize("number", [next(iter(params.values())) for params in PUBLISHED_SEARCHES])
def test_the_client_reads_the_published_sample_through_the_fake(client, number):
    result = client.track(number)

    assert isinstance(result, Found)
    assert result.parcel.status is Status.INFO_RECEIVED
    assert result.parcel.expected_delivery == date(2019, 12, 25)
    assert result.parcel.events[0].code == "132"


def test_a_fake_with_its_own_records_serves_the_published_sample_too(clocks):
    fake, client = fake_with([planted_record()], clocks)

    assert isinstance(client.track("GM000000000000000777"), Found)
    assert client.track(PUBLISHED_PACKAGE_ID).parcel.events[0].code == "132"
    assert fake.calls[TRACKING_PATH] == 2


def test_a_fake_told_not_to_serve_the_published_sample_serves_a_planted_copy_of_it_instead(clocks):
    copy_of_sample = fake_dhl.published_packages()[0]
    copy_of_sample["recipient"]["signedForName"] = "PRIVMARK-SIGNER"
    fake = FakeDhlEcommerce([copy_of_sample], clock=clocks.fake, published=False)
    http = httpx.Client(transport=httpx.WSGITransport(app=fake), base_url=BASE_URL)
    body = http.get(TRACKING_PATH, params={"packageId": PUBLISHED_PACKAGE_ID}, headers=bearer(http)).json()

    assert body["total"] == 1
    assert body["packages"] == [copy_of_sample]


def test_the_published_sample_stays_out_of_the_demo_pickup_and_manifest(client):
    listed = client.search_manifest(DEMO_MANIFEST_ID)

    assert len(listed) == len(demo_records(NOW))
    assert "4341002003719794" not in {parcel.tracking_number for parcel in listed}


# --- DHL's own error bodies ---


def sdk_answer(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_an_unknown_bearer_gets_dhls_invalid_token_answer(http):
    response = http.get(TRACKING_PATH, params={"dhlPackageId": fake_dhl.DELIVERED_SIGNED})

    assert (response.status_code, response.json()) == (401, sdk_answer("sdk_401_invalid_token.json"))


def test_wrong_credentials_get_dhls_invalid_credentials_answer(http):
    response = http.post(TOKEN_PATH, data=credentials(client_secret="wrong"))

    assert (response.status_code, response.json()) == (401, sdk_answer("sdk_401_invalid_credentials.json"))


def test_another_grant_type_gets_dhls_invalid_grant_type_answer(http):
    response = http.post(TOKEN_PATH, data=credentials(grant_type="password"))

    assert (response.status_code, response.json()) == (400, sdk_answer("sdk_400_invalid_grant_type.json"))


def test_an_injected_500_is_dhls_gateway_error(http, fake):
    fake.fail_with = 500

    response = http.get(TRACKING_PATH, params={"dhlPackageId": fake_dhl.DELIVERED_SIGNED})

    assert (response.status_code, response.json()) == (500, sdk_answer("sdk_500_gateway_error.json"))


def test_the_token_answer_has_the_fields_of_dhls_sdks_answer(http):
    answer = http.post(TOKEN_PATH, data=credentials()).json()

    assert list(answer) == list(sdk_answer("sdk_200_token.json"))
