"""The site with REDIS_URL naming a port where nothing listens: pages, searches and the API answer 200."""

from __future__ import annotations

import logging

import pytest

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
from tests.conftest import tune
from tests.tracking_site.resilience.conftest import CountingConnection

pytestmark = pytest.mark.django_db

POSTPLUS = fake_postplus.DEMO_NUMBERS[0][0]
DHL = fake_dhl.DEMO_NUMBERS[0][0]
NZPOST = fake_nzpost.IN_TRANSIT_S10


@pytest.fixture
def site_logs(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def assert_no_traceback(caplog) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


def test_parcel_page_answers_without_redis(client, dead_redis, site_logs):
    response = client.get(f"/track/nzpost/{NZPOST}/")
    assert response.status_code == 200
    assert NZPOST in response.content.decode()
    assert_no_traceback(site_logs)


def test_search_answers_without_redis(client, dead_redis, site_logs):
    response = client.get("/track/", {"q": f"{POSTPLUS} {DHL} {NZPOST}"})
    assert response.status_code == 200
    body = response.content.decode()
    assert all(
        f'href="/track/{slug}/{number}/"' in body
        for slug, number in [("postplus", POSTPLUS), ("dhl-ecommerce", DHL), ("nzpost", NZPOST)]
    )
    assert_no_traceback(site_logs)


def test_json_api_answers_without_redis(client, dead_redis, site_logs):
    response = client.get(f"/api/v1/parcels/dhl-ecommerce/{DHL}")
    assert response.status_code == 200
    assert response.json()["parcel"]["tracking_number"] == DHL
    assert_no_traceback(site_logs)


def test_an_outage_is_logged_once_for_many_requests(client, dead_redis, site_logs):
    for _ in range(5):
        assert client.get(f"/track/nzpost/{NZPOST}/").status_code == 200
    unavailable = [r for r in site_logs.records if "outcome=unavailable" in r.getMessage()]
    assert len(unavailable) == 1
    assert CountingConnection.attempts == 1  # the first request found Redis dead; the others did not ask


def test_visitor_rate_limits_keep_counting_in_the_process_without_redis(client, dead_redis, settings):
    tune(settings, rate_limits={"enabled": True})
    tune(settings, rate_limits={"api": "3/m"})
    statuses = [client.get(f"/api/v1/parcels/dhl-ecommerce/{DHL}").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
