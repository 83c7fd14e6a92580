"""Finished parcel answers reused while asking again would give the same answer: never across data, languages,
hosts or visitors, never past the parcel's freshness."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from carriers.model import FailureReason, Found, Status
from tests.conftest import tune
from tests.tracking_site.conftest import make_parcel
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.parcel_cache import PARCEL_CACHE
from tracking_site.web import answer_cache
from tracking_site.web.answer_cache import ANSWER_CACHE, local_copies

NUMBER = "CL092594238NZ"
PAGE = f"/track/nzpost/{NUMBER}/"
API = f"/api/v1/parcels/nzpost/{NUMBER}"


@pytest.fixture
def parcel_on_nzpost(carriers):
    carriers["nzpost"].parcels[NUMBER] = make_parcel("nzpost", NUMBER, Status.IN_TRANSIT, "Processed at depot")
    return carriers["nzpost"]


@pytest.fixture
def later(monkeypatch):
    """Move the page cache's clock on by some seconds."""

    def move(seconds: float) -> None:
        moved = answer_cache.clock() + seconds
        monkeypatch.setattr(answer_cache, "clock", lambda: moved)

    return move


def rendered_templates(response) -> list[str]:
    return [template.name for template in response.templates]


def test_the_second_visit_reuses_the_finished_page_without_a_lookup(client, parcel_on_nzpost):
    first = client.get(PAGE)
    cache.delete(parcel_cache.cache_key("nzpost", NUMBER))  # were the lookup asked, it would call the carrier
    second = client.get(PAGE)
    assert "parcel.html" in rendered_templates(first)
    assert rendered_templates(second) == []
    assert parcel_on_nzpost.batches == [[NUMBER]]
    assert second.content == first.content
    assert second["ETag"] == first["ETag"] and second["Cache-Control"] == first["Cache-Control"]
    assert second["Last-Modified"] == first["Last-Modified"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]  # middleware still runs


def test_another_worker_reuses_it_through_the_shared_cache(client, parcel_on_nzpost):
    first = client.get(PAGE)
    local_copies.clear()  # as in another process
    second = client.get(PAGE)
    assert rendered_templates(second) == [] and second.content == first.content


def test_a_kept_answer_still_says_not_modified(client, parcel_on_nzpost):
    etag = client.get(PAGE)["ETag"]
    revalidated = client.get(PAGE, HTTP_IF_NONE_MATCH=etag)
    assert revalidated.status_code == 304 and revalidated.content == b""


def test_the_json_answer_is_reused_with_its_content_type(client, parcel_on_nzpost):
    first, second = client.get(API), client.get(API)
    assert second["Content-Type"] == "application/json" and second.json() == first.json()
    assert parcel_on_nzpost.batches == [[NUMBER]]


def test_nothing_is_reused_past_the_parcels_freshness(client, parcel_on_nzpost, later, settings):
    client.get(PAGE)
    later(PARCEL_CACHE.current().fresh_seconds + 1)
    parcel_cache.put("nzpost", Found(make_parcel("nzpost", NUMBER, Status.DELIVERED, "Left at the door")))
    again = client.get(PAGE)
    assert "parcel.html" in rendered_templates(again)
    assert "Left at the door" in again.content.decode()


def test_nor_past_the_page_lifetime_when_the_parcel_stays_fresh_longer(client, carriers, later, settings):
    carriers["nzpost"].parcels[NUMBER] = make_parcel("nzpost", NUMBER, Status.DELIVERED, "Delivered")
    client.get(PAGE)  # delivered: fresh for hours
    later(ANSWER_CACHE.current().seconds - 1)
    assert rendered_templates(client.get(PAGE)) == []
    later(ANSWER_CACHE.current().seconds + 1)
    assert "parcel.html" in rendered_templates(client.get(PAGE))


def test_this_process_keeps_its_copy_only_briefly(client, parcel_on_nzpost, later):
    client.get(PAGE)
    cache.clear()  # the shared copy is gone (replaced or evicted)
    later(answer_cache.LOCAL_SECONDS - 1)
    assert rendered_templates(client.get(PAGE)) == []
    later(answer_cache.LOCAL_SECONDS + 1)
    assert "parcel.html" in rendered_templates(client.get(PAGE))


def test_each_language_gets_its_own_answer(client, parcel_on_nzpost):
    english = client.get(PAGE, headers={"accept-language": "en"})
    dutch = client.get(PAGE, headers={"accept-language": "nl"})
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="nl">' in dutch.content.decode()


def test_a_query_string_is_always_answered_afresh_so_nobody_can_fill_the_cache(client, parcel_on_nzpost):
    for _ in range(2):
        assert "parcel.html" in rendered_templates(client.get(PAGE, {"utm_source": "mail"}))
    assert not _kept_keys()
    client.get(PAGE)
    assert _kept_keys()


@pytest.mark.parametrize("setup", ["not_found", "carrier_down", "fresh_for_no_time"])
def test_only_found_fresh_answers_are_kept(client, carriers, settings, setup):
    if setup == "carrier_down":
        carriers["nzpost"].failure = FailureReason.UNAVAILABLE
    elif setup == "fresh_for_no_time":
        tune(settings, parcel_cache={"fresh_seconds": 0})
        carriers["nzpost"].parcels[NUMBER] = make_parcel("nzpost", NUMBER)
    client.get(PAGE)
    assert not _kept_keys()


def test_a_stale_answer_is_not_kept(client, carriers):
    parcel_cache.put("nzpost", Found(make_parcel("nzpost", NUMBER)), now=lambda: _long_ago())
    carriers["nzpost"].failure = FailureReason.UNAVAILABLE
    assert "last information we had" in client.get(PAGE).content.decode()
    assert not _kept_keys()


def test_an_answer_that_hands_out_a_cookie_is_never_kept(parcel_on_nzpost):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from tracking_site.lookup.service import lookup_parcels

    request = RequestFactory().get(PAGE)
    outcome = lookup_parcels([NUMBER], "nzpost")[0]
    get_token(request)  # as a page with a form would
    response = HttpResponse("<p>form</p>")
    response["ETag"], response["Cache-Control"] = '"x"', "private"
    answer_cache.keep(request, "page", outcome, response)
    assert answer_cache.kept_response(request, "page") is None


def test_the_key_depends_on_the_language_representation_and_canonical_address_not_the_host(settings):
    from django.utils import translation

    settings.ALLOWED_HOSTS = ["testserver", "track.example.com"]
    on_one = RequestFactory().get(PAGE, HTTP_HOST="testserver")
    on_other = RequestFactory().get(PAGE, HTTP_HOST="track.example.com", secure=True)
    assert answer_cache.answer_key(on_one, "page") == answer_cache.answer_key(on_other, "page")
    keys = {answer_cache.answer_key(on_one, "page"), answer_cache.answer_key(on_one, "api")}
    with translation.override("nl"):
        keys.add(answer_cache.answer_key(on_one, "page"))
    settings.SITE_URL = "https://track.example.com"
    keys.add(answer_cache.answer_key(on_one, "page"))
    assert len(keys) == 4


def test_a_new_build_or_brand_does_not_serve_the_answers_kept_by_the_one_before(settings):
    request = RequestFactory().get(PAGE)
    settings.SITE_BRAND = ""
    unbranded = answer_cache.answer_key(request, "page")
    settings.SITE_BRAND = str(Path(settings.BASE_DIR) / "docs" / "brand-example" / "brand.toml")
    assert answer_cache.answer_key(request, "page") != unbranded


def test_twenty_ports_make_one_entry_not_twenty(client, parcel_on_nzpost, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    bodies = {client.get(PAGE, HTTP_HOST=f"localhost:{6660 + port}").content for port in range(20)}
    assert len(_kept_keys()) == 1
    assert len(bodies) == 1
    assert parcel_on_nzpost.batches == [[NUMBER]]


def test_every_accept_language_that_means_dutch_shares_one_entry(client, parcel_on_nzpost):
    spellings = ["nl", "nl-NL,nl;q=0.9,en;q=0.8", "nl-BE, en;q=0.5", "NL"]
    responses = [client.get(PAGE, headers={"accept-language": spelling}) for spelling in spellings]
    assert all('<html lang="nl">' in response.content.decode() for response in responses)
    assert [rendered_templates(response) == [] for response in responses] == [False, True, True, True]
    assert len(_kept_keys()) == 1


@pytest.mark.parametrize("url", [PAGE, API])
def test_a_kept_answer_still_charges_the_visitors_number_budget(client, parcel_on_nzpost, settings, url):
    tune(settings, rate_limits={"enabled": True})
    tune(settings, rate_limits={"numbers": "2/h"})
    first, kept, over = (client.get(url, REMOTE_ADDR="203.0.113.20") for _ in range(3))
    assert [first.status_code, kept.status_code, over.status_code] == [200, 200, 429]
    assert kept.content == first.content and rendered_templates(kept) == []  # the kept answer, and it counted
    assert over.has_header("Retry-After")
    assert client.get(url, REMOTE_ADDR="203.0.113.21").status_code == 200  # another visitor has their own budget


def test_zero_seconds_turns_it_off(client, parcel_on_nzpost, settings):
    tune(settings, answer_cache={"seconds": 0})
    client.get(PAGE)
    assert "parcel.html" in rendered_templates(client.get(PAGE))


def test_a_signed_in_visitor_and_an_anonymous_one_see_the_same_public_page(parcel_on_nzpost, django_user_model):
    staff = django_user_model.objects.create_user("support", password="not-used-here", is_staff=True)
    signed_in = Client()
    signed_in.force_login(staff)
    assert signed_in.get(PAGE).content == Client().get(PAGE).content


def test_the_local_copies_forget_the_least_recently_used():
    copies = answer_cache.LocalCopies(entries=2)
    kept = answer_cache.KeptAnswer(b"", "text/html", '"e"', None, "public", valid_until=10.0)
    copies.put("a", kept)
    copies.put("b", kept)
    assert copies.get("a", now=1.0) is kept  # "a" is now the most recently used
    copies.put("c", kept)
    assert copies.get("b", now=1.0) is None
    assert copies.get("a", now=1.0) is kept and copies.get("c", now=1.0) is kept
    assert copies.get("a", now=10.0) is None  # expired


def _kept_keys() -> list[str]:
    return [key for key in getattr(cache, "_cache", {}) if "answer:" in key]


def _long_ago():
    from datetime import UTC, datetime

    return datetime(2024, 1, 1, tzinfo=UTC)
