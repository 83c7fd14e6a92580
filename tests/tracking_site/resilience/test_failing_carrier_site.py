"""A failing or hanging carrier seen through the site: after the breaker opens, pages answer at once (the last
good answer marked stale, or a 503 with Retry-After) without calling the carrier; a search answers within its
deadline and names the carrier it is still waiting for, and its call finishes into the parcel cache."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from carriers.demo import demo_config
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
from carriers.registry import build_carriers
from tests.conftest import tune
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.clients import install_carriers
from tracking_site.resilience.circuit_breaker import BREAKER

pytestmark = pytest.mark.django_db

NZPOST = [number for number, _ in fake_nzpost.DEMO_NUMBERS[:4]]
DHL = fake_dhl.DEMO_NUMBERS[0][0]
POSTPLUS = fake_postplus.DEMO_NUMBERS[0][0]
TOKEN_PATHS = {"/auth/v4/accesstoken", "/as/token.oauth2"}


class CountingNzPost:
    """NZ Post's fake behind switches: `timing_out` makes every tracking call a read timeout, clearing `gate` keeps
    tracking calls waiting until it is set again, `token_failing` makes every token fetch a 503. Counts tracking
    calls and token fetches apart."""

    def __init__(self) -> None:
        self.fake = httpx.WSGITransport(app=fake_nzpost.FakeNzPost())
        self.calls = 0
        self.token_fetches = 0
        self.timing_out = False
        self.token_failing = False
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path in TOKEN_PATHS:
            self.token_fetches += 1
            if self.token_failing:
                return httpx.Response(503, text="down")
        else:
            self.calls += 1
            assert self.gate.wait(30), "the test never released the held call"
            if self.timing_out:
                raise httpx.ReadTimeout("simulated", request=request)
        return self.fake.handle_request(request)


@pytest.fixture
def nzpost() -> CountingNzPost:
    carrier = CountingNzPost()
    install_carriers(
        build_carriers(
            demo_config(),
            transports={
                "postplus": httpx.WSGITransport(app=fake_postplus.FakePostPlus()),
                "dhl-ecommerce": httpx.WSGITransport(app=fake_dhl.FakeDhlEcommerce()),
                "nzpost": httpx.MockTransport(carrier),
            },
        )
    )
    yield carrier
    carrier.gate.set()


def release_held_call(nzpost: CountingNzPost, number: str) -> None:
    """Lets NZ Post answer the call it holds and waits until that call, finishing without anyone waiting for it,
    has stored its answer in the parcel cache (so it cannot land in the next test's cache)."""
    nzpost.gate.set()
    for _ in range(200):
        if parcel_cache.get("nzpost", number) is not None:
            return
        time.sleep(0.05)
    raise AssertionError(f"the held call for {number} never stored its answer")


def test_after_three_timeouts_the_next_pages_answer_503_without_calling_the_carrier(client, nzpost, settings):
    assert BREAKER.current().failures == 3
    nzpost.timing_out = True
    statuses = [client.get(f"/track/nzpost/{number}/").status_code for number in NZPOST[:3]]
    assert statuses == [504, 504, 504]
    assert nzpost.calls == 3

    page = client.get(f"/track/nzpost/{NZPOST[3]}/")
    api = client.get(f"/api/v1/parcels/nzpost/{NZPOST[3]}")

    assert page.status_code == 503 and int(page["Retry-After"]) > 0
    assert "not available right now" in page.content.decode()
    assert api.status_code == 503 and api.json()["error"]["code"] == "carrier_unavailable"
    assert nzpost.calls == 3


def test_an_open_breaker_shows_the_last_good_answer_marked_stale(client, nzpost, settings):
    tune(settings, parcel_cache={"fresh_seconds": 0})
    assert client.get(f"/track/nzpost/{NZPOST[0]}/").status_code == 200
    nzpost.timing_out = True
    for number in NZPOST[1:4]:
        client.get(f"/track/nzpost/{number}/")
    calls = nzpost.calls

    page = client.get(f"/track/nzpost/{NZPOST[0]}/")

    assert page.status_code == 200 and "last information we had" in page.content.decode()
    assert nzpost.calls == calls


def test_other_carriers_answer_while_nzposts_breaker_is_open(client, nzpost):
    nzpost.timing_out = True
    for number in NZPOST[:3]:
        client.get(f"/track/nzpost/{number}/")

    response = client.get("/track/", {"q": f"{POSTPLUS} {DHL} {NZPOST[3]}"})

    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="/track/postplus/{POSTPLUS}/"' in body and f'href="/track/dhl-ecommerce/{DHL}/"' in body
    assert "not available right now" in body
    assert nzpost.calls == 3


def test_a_search_answers_by_its_deadline_naming_the_carrier_it_still_waits_for(client, nzpost, settings):
    tune(settings, lookup={"search_deadline_seconds": 1.0})
    nzpost.gate.clear()  # NZ Post holds its answer

    response = client.get("/track/", {"q": f"{POSTPLUS} {DHL} {NZPOST[0]}"})

    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="/track/postplus/{POSTPLUS}/"' in body and f'href="/track/dhl-ecommerce/{DHL}/"' in body
    assert "Still waiting for NZ Post" in body
    assert "2 of 3 found" in body and "1 still being checked" in body
    assert response["Cache-Control"] == "no-cache"
    look_again = response.context["look_again"]
    assert look_again == response.wsgi_request.get_full_path() and f'href="{look_again}"'.replace("&", "&amp;") in body

    release_held_call(nzpost, NZPOST[0])
    again = client.get(look_again)

    assert f'href="/track/nzpost/{NZPOST[0]}/"' in again.content.decode()
    assert "Still waiting" not in again.content.decode()
    assert "no-cache" not in again.get("Cache-Control", "")
    assert nzpost.calls == 1


def test_the_still_waiting_notice_is_translated(client, nzpost, settings):
    tune(settings, lookup={"search_deadline_seconds": 1.0})
    nzpost.gate.clear()

    body = client.get("/track/", {"q": f"{DHL} {NZPOST[0]}"}, HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert "Nog steeds aan het wachten op NZ Post" in body and "Opnieuw kijken" in body
    release_held_call(nzpost, NZPOST[0])


def test_a_failing_token_endpoint_opens_the_breaker_and_made_up_numbers_then_cost_nothing(client, nzpost):
    nzpost.token_failing = True
    assert [client.get(f"/track/nzpost/{number}/").status_code for number in NZPOST[:3]] == [503] * 3
    fetches = nzpost.token_fetches
    assert fetches >= 3

    made_up = [f"66402133{index:08d}AKL007CP" for index in range(50)]
    statuses = {client.get(f"/track/nzpost/{number}/").status_code for number in made_up}

    assert statuses == {503}
    assert nzpost.token_fetches == fetches and nzpost.calls == 0
