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


def vary_of(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


@pytest.mark.parametrize("url", [URLS["page"], URLS["api"], "/", f"/track/?q={NUMBER}+CL000000000NZ"])
def test_every_answer_whose_language_a_cookie_could_choose_varies_on_cookie(client, parcel_on_nzpost, url):
    assert {"accept-language", "cookie"} <= vary_of(client.get(url))


def test_a_page_in_the_cookies_language_tells_shared_caches_so(client, parcel_on_nzpost, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    response = client.get(URLS["page"], headers={"accept-language": "en"})
    assert '<html lang="nl">' in response.content.decode()
    assert response["Cache-Control"].startswith("public")
    assert "cookie" in vary_of(response)  # or a CDN would hand this Dutch page to every English browser


def test_a_304_varies_like_the_answer_it_stands_for(client, parcel_on_nzpost):
    etag = client.get(URLS["page"])["ETag"]
    revalidated = client.get(URLS["page"], HTTP_IF_NONE_MATCH=etag)
    assert revalidated.status_code == 304 and {"accept-language", "cookie"} <= vary_of(revalidated)


@pytest.mark.parametrize("kind", ["page", "api"])
def test_equal_etags_mean_equal_bodies_whatever_the_scheme_host_or_language(client, parcel_on_nzpost, settings, kind):
    settings.ALLOWED_HOSTS = ["*"]
    variants = [
        {},
        {"secure": True},
        {"HTTP_HOST": "localhost:6666"},
        {"secure": True, "HTTP_HOST": "track.example.com"},
        {"headers": {"accept-language": "nl"}},
        {"data": {"utm_source": "mail"}},
    ]
    seen = []
    for variant in variants:
        answer_cache.local_copies.clear()
        response = client.get(URLS[kind], **variant)
        seen.append((response["ETag"], response.content))
    for etag, body in seen:
        for other_etag, other_body in seen:
            assert (etag == other_etag) == (body == other_body)
    assert seen[0] == seen[1] == seen[2] == seen[3]  # http, https and any Host: one body, one ETag
    assert seen[0][0] != seen[4][0]  # Dutch labels: another body, another ETag


def test_a_new_site_url_changes_the_links_and_so_the_etag(client, parcel_on_nzpost, settings):
    before = client.get(URLS["page"])
    settings.SITE_URL = "https://track.example.com"
    answer_cache.local_copies.clear()
    from django.core.cache import cache

    cache.delete_many([key for key in getattr(cache, "_cache", {}) if "answer:" in key])
    after = client.get(URLS["page"])
    assert before.content != after.content
    assert before["ETag"] != after["ETag"]
