"""Every way a carrier can fail, through the real carrier clients: a clear page, a 5xx with a machine-readable
code on the JSON API, other carriers' results still shown, a stale answer when one exists, and a log line without
secrets."""

import logging
from collections.abc import Callable

import httpx
import pytest

from carriers.demo import demo_config
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
from carriers.registry import build_carriers
from tests.conftest import tune
from tracking_site.lookup.clients import install_carriers

pytestmark = pytest.mark.django_db

NUMBERS = {
    "postplus": fake_postplus.DEMO_NUMBERS[1][0],
    "dhl-ecommerce": fake_dhl.DEMO_NUMBERS[1][0],
    "nzpost": fake_nzpost.DEMO_NUMBERS[1][0],
}
OTHER_NZPOST = fake_nzpost.DEMO_NUMBERS[0][0]  # with a second number, /track/ shows the results page
TOKEN_PATHS = {"/auth/v4/accesstoken", "/as/token.oauth2"}
SECRETS = [fake_postplus.DEMO_API_KEY, fake_dhl.DEMO_CLIENT_SECRET, fake_nzpost.DEMO_CLIENT_SECRET, "fault-token"]


def token_answer() -> httpx.Response:
    return httpx.Response(200, json={"access_token": "fault-token", "token_type": "Bearer", "expires_in": 3599})


def raising(exc: type[Exception]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc("simulated", request=request)

    return handler


FAULTS: dict[str, tuple[Callable[[httpx.Request], httpx.Response], int, str]] = {
    "timeout": (raising(httpx.ReadTimeout), 504, "carrier_timeout"),
    "connection refused": (raising(httpx.ConnectError), 503, "carrier_unavailable"),
    "500": (lambda r: httpx.Response(500, text="Internal Server Error"), 503, "carrier_unavailable"),
    "503": (lambda r: httpx.Response(503, text="<html>down</html>"), 503, "carrier_unavailable"),
    "429": (lambda r: httpx.Response(429, headers={"Retry-After": "5"}), 503, "carrier_rate_limited"),
    "malformed json": (
        lambda r: httpx.Response(200, content=b'{"events": [', headers={"content-type": "application/json"}),
        502,
        "carrier_bad_response",
    ),
    "json of the wrong shape": (lambda r: httpx.Response(200, json=[1, "two", None]), 502, "carrier_bad_response"),
    "token rejected twice": (
        lambda r: httpx.Response(401, json={"error": "invalid_token"}),
        502,
        "carrier_auth_failed",
    ),
}


def failing_transport(api: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    """Token requests succeed; every tracking call fails the given way."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path in TOKEN_PATHS:
            return token_answer()
        return api(request)

    return httpx.MockTransport(handler)


def demo_transports() -> dict[str, httpx.BaseTransport]:
    return {
        "postplus": httpx.WSGITransport(app=fake_postplus.FakePostPlus()),
        "dhl-ecommerce": httpx.WSGITransport(app=fake_dhl.FakeDhlEcommerce()),
        "nzpost": httpx.WSGITransport(app=fake_nzpost.FakeNzPost()),
    }


def install_with(failing_slug: str, api: Callable[[httpx.Request], httpx.Response]) -> None:
    transports = demo_transports()
    transports[failing_slug] = failing_transport(api)
    install_carriers(build_carriers(demo_config(), transports=transports))


@pytest.mark.parametrize("slug", list(NUMBERS))
@pytest.mark.parametrize("fault", list(FAULTS))
def test_carrier_fault_gives_a_clear_page_and_a_coded_json_error(client, caplog, slug, fault):
    api, status, code = FAULTS[fault]
    install_with(slug, api)
    caplog.set_level(logging.INFO)

    page = client.get(f"/track/{slug}/{NUMBERS[slug]}/")
    assert page.status_code == status
    text = page.content.decode()
    assert "We could not reach" in text and "try again in about" in text.lower()
    assert int(page["Retry-After"]) > 0

    api_response = client.get(f"/api/v1/parcels/{slug}/{NUMBERS[slug]}")
    assert api_response.status_code == status
    assert api_response.json()["error"]["code"] == code
    assert int(api_response["Retry-After"]) > 0

    carrier_lines = [r.getMessage() for r in caplog.records if r.name == "carriers"]
    assert any(f"carrier={slug}" in line for line in carrier_lines)
    for record in caplog.records:
        line = record.getMessage()
        assert not any(secret in line for secret in SECRETS), line
        assert NUMBERS[slug] not in line, line


@pytest.mark.parametrize("slug", list(NUMBERS))
def test_other_carriers_results_still_stand_when_one_fails(client, slug):
    install_with(slug, raising(httpx.ConnectError))
    response = client.get("/track/", {"q": " ".join(NUMBERS.values())})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Results for your other numbers are not affected" in text
    for other, number in NUMBERS.items():
        if other != slug:
            assert f'href="/track/{other}/{number}/"' in text


def test_expired_token_is_refreshed_and_the_visitor_sees_nothing(client):
    fake = fake_dhl.FakeDhlEcommerce()
    transports = demo_transports()
    transports["dhl-ecommerce"] = httpx.WSGITransport(app=fake)
    install_carriers(build_carriers(demo_config(), transports=transports))
    number = NUMBERS["dhl-ecommerce"]
    assert client.get(f"/api/v1/parcels/dhl-ecommerce/{number}").status_code == 200
    fake.expire_all_tokens()
    other = fake_dhl.DEMO_NUMBERS[2][0]
    assert client.get(f"/api/v1/parcels/dhl-ecommerce/{other}").status_code == 200
    assert fake.calls["/auth/v4/accesstoken"] == 2


def test_stale_answer_is_served_marked_when_the_carrier_later_fails(client, settings):
    tune(settings, parcel_cache={"fresh_seconds": 0})
    fake = fake_nzpost.FakeNzPost()
    transports = demo_transports()
    transports["nzpost"] = httpx.WSGITransport(app=fake)
    install_carriers(build_carriers(demo_config(), transports=transports))
    number = NUMBERS["nzpost"]
    assert client.get(f"/track/nzpost/{number}/").status_code == 200
    fake.fail_with = 503
    page = client.get(f"/track/nzpost/{number}/")
    assert page.status_code == 200 and "last information we had" in page.content.decode()
    assert client.get(f"/api/v1/parcels/nzpost/{number}").json()["stale"] is True


def test_nzpost_partial_results_with_events_are_shown_and_flagged(client):
    number = NUMBERS["nzpost"]
    transports = demo_transports()
    transports["nzpost"] = httpx.WSGITransport(app=fake_nzpost.FakeNzPost(error_for={number: "200001"}))
    install_carriers(build_carriers(demo_config(), transports=transports))
    body = client.get(f"/api/v1/parcels/nzpost/{number}").json()
    assert body["incomplete"] is True and body["parcel"]["events"]
    assert "a few scans may be missing" in client.get(f"/track/nzpost/{number}/").content.decode()
    assert "a few scans may be missing" in client.get("/track/", {"q": f"{number} {OTHER_NZPOST}"}).content.decode()


def test_complete_answers_carry_no_missing_scans_notice(client):
    number = NUMBERS["nzpost"]
    assert client.get(f"/api/v1/parcels/nzpost/{number}").json()["incomplete"] is False
    assert "scans may be missing" not in client.get(f"/track/nzpost/{number}/").content.decode()
    assert "scans may be missing" not in client.get("/track/", {"q": f"{number} {OTHER_NZPOST}"}).content.decode()


@pytest.mark.parametrize(("code", "status", "error"), [("500002", 503, "carrier_unavailable")])
def test_nzpost_systems_offline_is_a_carrier_failure(client, code, status, error):
    number = NUMBERS["nzpost"]
    transports = demo_transports()
    transports["nzpost"] = httpx.WSGITransport(app=fake_nzpost.FakeNzPost(error_for={number: code}))
    install_carriers(build_carriers(demo_config(), transports=transports))
    response = client.get(f"/api/v1/parcels/nzpost/{number}")
    assert response.status_code == status
    assert response.json()["error"]["code"] == error
