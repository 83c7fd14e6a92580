"""HTTP caching of parcel pages and the JSON API: validators, 304s, short public lifetimes, errors not kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from carriers.model import FailureReason, Found, Status
from tests.tracking_site.conftest import make_parcel
from tracking_site.lookup import parcel_cache
from tracking_site.web import answer_cache

NUMBER = "CL092594238NZ"
URLS = {"page": f"/track/nzpost/{NUMBER}/", "api": f"/api/v1/parcels/nzpost/{NUMBER}"}


@pytest.fixture
def parcel_on_nzpost(carriers):
    carriers["nzpost"].parcels[NUMBER] = make_parcel("nzpost", NUMBER)
    return carriers["nzpost"]


@pytest.mark.parametrize("kind", ["page", "api"])
def test_a_found_parcel_carries_validators_and_a_short_public_lifetime(client, parcel_on_nzpost, kind):
    response = client.get(URLS[kind])
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 34
    assert response.has_header("Last-Modified")
    assert "max-age=30" in response["Cache-Control"]
    assert "stale-while-revalidate=30" in response["Cache-Control"]


@pytest.mark.parametrize("kind", ["page", "api"])
def test_if_none_match_with_the_current_etag_gets_304_without_a_body(client, parcel_on_nzpost, kind):
    etag = client.get(URLS[kind])["ETag"]
    response = client.get(URLS[kind], HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert parcel_on_nzpost.batches == [[NUMBER]]  # the second request came from the parcel cache


@pytest.mark.parametrize("kind", ["page", "api"])
def test_an_old_etag_gets_the_new_answer(client, parcel_on_nzpost, kind, monkeypatch):
    etag = client.get(URLS[kind])["ETag"]
    parcel_cache.put("nzpost", _found(Status.DELIVERED))
    later = answer_cache.clock() + 120  # past the first answer's freshness, so no finished copy of it is reused
    monkeypatch.setattr(answer_cache, "clock", lambda: later)
    response = client.get(URLS[kind], HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_if_modified_since_the_last_fetch_gets_304(client, parcel_on_nzpost):
    last_modified = client.get(URLS["api"])["Last-Modified"]
    assert client.get(URLS["api"], HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_the_page_and_the_api_have_different_etags(client, parcel_on_nzpost):
    assert client.get(URLS["page"])["ETag"] != client.get(URLS["api"])["ETag"]


def test_delivered_parcels_may_be_reused_longer(client, carriers):
    carriers["nzpost"].parcels[NUMBER] = make_parcel("nzpost", NUMBER, Status.DELIVERED, "Delivered")
    assert "max-age=300" in client.get(URLS["api"])["Cache-Control"]


def test_a_stale_answer_must_be_revalidated_every_time(client, carriers):
    parcel_cache.put("nzpost", _found(Status.IN_TRANSIT), now=_long_ago)
    carriers["nzpost"].failure = FailureReason.UNAVAILABLE
    response = client.get(URLS["api"])
    assert response.status_code == 200 and response.json()["stale"] is True
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("kind", ["page", "api"])
@pytest.mark.parametrize(
    ("setup", "status"),
    [("not_found", 404), ("carrier_down", 503)],
)
def test_errors_are_never_reused_without_asking_again(client, carriers, kind, setup, status):
    if setup == "carrier_down":
        carriers["nzpost"].failure = FailureReason.UNAVAILABLE
    response = client.get(URLS[kind])
    assert response.status_code == status
    assert response["Cache-Control"] == "no-cache"
    assert not response.has_header("ETag")


def test_a_bad_number_is_not_cached_either(client, carriers):
    response = client.get("/api/v1/parcels/nzpost/%3Cscript%3E")
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-cache"


def _found(status: Status) -> Found:
    return Found(make_parcel("nzpost", NUMBER, status, status.value))


def _long_ago() -> datetime:
    return datetime(2024, 1, 1, tzinfo=UTC)
