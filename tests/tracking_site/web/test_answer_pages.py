"""The pages' answers over HTTP: partial searches, cards, search boxes that keep what was typed, the JSON
`expected_delivery`, what to do now, handovers, previews, icons and the manifest."""

from __future__ import annotations

import json
import re
import struct
from dataclasses import replace
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from carriers.model import Found, LastMile, Place, Status, TrackingEvent, parcel_from_events
from tests.tracking_site.conftest import make_parcel
from tracking_site.estimates.figures import LaneFigure, store_figures
from tracking_site.estimates.observations import Lane
from tracking_site.models import DeliveryObservation

pytestmark = pytest.mark.django_db

NZ = "CL092594238NZ"
DHL = "GM2951173225174494"
POSTPLUS = "LX603928515SE"


def text(body: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_valid_numbers_are_tracked_and_the_invalid_ones_named_with_the_reason(client, carriers):
    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ, Status.DELIVERED, "Delivered")
    response = client.get("/track/", {"q": f"{NZ}, AB, <b>x</b>"})
    assert response.status_code == 200
    body = response.content.decode()
    assert carriers["nzpost"].batches == [[NZ]]  # only the valid number went to a carrier
    assert "<code>AB</code>: A tracking number has 5 to 40 characters." in body
    assert "<code>&lt;b&gt;x&lt;/b&gt;</code>: A tracking number has only letters, digits and hyphens." in body
    assert '<p class="summary">1 of 1 found · 1 delivered · 2 not tracking numbers</p>' in body
    assert body.count('<li class="card ') == 1
    # The search box below holds what was typed, mistakes and all, to correct.
    assert f"{NZ}, AB, &lt;b&gt;x&lt;/b&gt;</textarea>" in body


def test_a_search_with_no_valid_number_is_still_a_400(client, carriers):
    response = client.get("/track/", {"q": "AB, CD"})
    assert response.status_code == 400
    assert "These are not tracking numbers: AB, CD." in text(response.content.decode())


def test_the_summary_counts_arrivals_today(client, carriers):
    start = timezone.now() - timedelta(hours=6)
    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ, Status.OUT_FOR_DELIVERY, "With courier", start=start)
    carriers["dhl-ecommerce"].parcels[DHL] = make_parcel("dhl-ecommerce", DHL)
    body = client.get("/track/", {"q": f"{NZ} {DHL} GM0000000000000001"}).content.decode()
    assert '<p class="summary">2 of 3 found · 1 arriving today</p>' in body


def test_cards_link_whole_and_not_found_cards_say_which_carriers_were_asked(client, carriers):
    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ)
    body = client.get("/track/", {"q": f"{NZ} CL000000000NZ"}).content.decode()
    found = re.search(r'<li class="card card-found.*?</li>', body, re.S).group(0)
    assert f'<a class="card-link" href="/track/nzpost/{NZ}/">' in found
    assert '<ol class="milestones milestones-compact"' in found
    missing = re.search(r'<li class="card card-missing">.*?</li>', body, re.S).group(0)
    assert "Not found at NZ Post or PostPlus" in missing  # both fit an S10 number; DHL's numbers look different
    assert "card-link" not in missing


def test_a_single_valid_number_beside_an_invalid_one_shows_results_rather_than_redirecting(client, carriers):
    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ)
    response = client.get("/track/", {"q": f"{NZ} AB"})
    assert response.status_code == 200
    assert "Not searched" in response.content.decode()


def test_not_found_and_bad_number_pages_keep_a_search_box_with_what_was_typed(client, carriers):
    missing = client.get(f"/track/nzpost/{NZ}/").content.decode()
    assert re.search(rf'<textarea name="q"[^>]*>{NZ}</textarea>', missing)
    bad = client.get("/track/nzpost/AB%3Cx/").content.decode()
    assert re.search(r'<textarea name="q"[^>]*>AB&lt;x</textarea>', bad)
    unknown = client.get(f"/track/fedex/{NZ}/").content.decode()
    assert re.search(rf'<textarea name="q"[^>]*>{NZ}</textarea>', unknown)


def test_the_json_api_gives_the_carriers_date_with_its_source(client, carriers):
    parcel = replace(make_parcel("dhl-ecommerce", DHL), expected_delivery=timezone.now().date() + timedelta(days=2))
    carriers["dhl-ecommerce"].parcels[DHL] = parcel
    expected = client.get(f"/api/v1/parcels/dhl-ecommerce/{DHL}").json()["parcel"]["expected_delivery"]
    day = parcel.expected_delivery.isoformat()
    assert expected == {"source": "carrier", "earliest": day, "latest": day, "based_on": None}


def in_transit_nz(hours_ago: float = 30) -> object:
    accepted = timezone.now() - timedelta(hours=hours_ago)
    return parcel_from_events(
        carrier="nzpost",
        tracking_number=NZ,
        events=[TrackingEvent(accepted, Status.IN_TRANSIT, "Picked up", Place(depot="Hamilton Fleet"))],
    )


def test_the_json_api_gives_an_estimate_with_its_range_and_basis(client, carriers):
    carriers["nzpost"].parcels[NZ] = in_transit_nz()
    store_figures({Lane("nzpost", "", "NZ"): LaneFigure(2 * 86400, 4 * 86400, 33)})
    expected = client.get(f"/api/v1/parcels/nzpost/{NZ}").json()["parcel"]["expected_delivery"]
    assert expected["source"] == "estimate" and expected["based_on"] == 33
    assert expected["earliest"] < expected["latest"]


def test_without_a_date_or_enough_parcels_there_is_no_expected_delivery(client, carriers):
    carriers["nzpost"].parcels[NZ] = in_transit_nz()
    store_figures({})  # figures built, none for this lane (fewer than 20 parcels)
    assert client.get(f"/api/v1/parcels/nzpost/{NZ}").json()["parcel"]["expected_delivery"] is None
    page = client.get(f"/track/nzpost/{NZ}/").content.decode()
    assert re.search(r'<h1 class="headline">.*In transit</h1>', page) and "estimate" not in page


def test_public_pages_read_no_estimate_from_the_database(client, carriers, django_assert_max_num_queries):
    carriers["nzpost"].parcels[NZ] = in_transit_nz()
    store_figures({Lane("nzpost", "", "NZ"): LaneFigure(2 * 86400, 4 * 86400, 33)})
    DeliveryObservation.objects.all().delete()  # figures come from the cache, whatever the table holds
    with django_assert_max_num_queries(0):
        body = client.get(f"/track/nzpost/{NZ}/").content.decode()
    assert "An estimate based on 33 parcels delivered on this route." in body


def test_awaiting_pickup_page_has_a_what_now_box_above_the_timeline(client, carriers):
    parcel = make_parcel("nzpost", NZ, Status.AWAITING_PICKUP, "READY TO COLLECT, BRING PHOTO ID")
    parcel = replace(
        parcel, events=(replace(parcel.events[0], place=Place(depot="PostShop Lambton Quay")),) + parcel.events[1:]
    )
    carriers["nzpost"].parcels[NZ] = parcel
    body = client.get(f"/track/nzpost/{NZ}/").content.decode()
    box = re.search(r'<section class="what-now status-awaiting_pickup".*?</section>', body, re.S).group(0)
    assert "<dt>Where to collect it</dt><dd>PostShop Lambton Quay</dd>" in box
    assert "<q>Ready to collect, bring photo ID</q>" in box
    assert f'href="https://www.nzpost.co.nz/tools/tracking?trackid={NZ}" rel="external noreferrer"' in box
    assert body.index('class="what-now') < body.index('id="timeline-heading"')


def test_a_handed_over_parcel_names_the_carrier_that_has_it_now(client, carriers):
    parcel = replace(
        make_parcel("postplus", POSTPLUS), last_mile=LastMile("PostNord", "00370712345678901234", handed_over=True)
    )
    carriers["postplus"].parcels[POSTPLUS] = parcel
    body = client.get(f"/track/postplus/{POSTPLUS}/").content.decode()
    handover = re.search(r'<p class="handover">.*?</p>', body, re.S).group(0)
    assert text(handover).strip().startswith("Now with PostNord: 0037 0712 3456 7890 1234")
    assert 'href="https://tracking.postnord.com/?id=00370712345678901234"' in handover


def test_the_home_page_has_open_graph_a_site_image_an_svg_icon_and_a_manifest(client, carriers):
    body = client.get("/").content.decode()
    assert '<meta property="og:url" content="http://testserver/">' in body
    assert '<meta property="og:title" content="Where is my parcel?">' in body
    assert '<meta property="og:image" content="http://testserver/static/img/share.png">' in body
    assert '<link rel="icon" href="/static/img/icon.svg" type="image/svg+xml">' in body
    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in body
    dutch = client.get("/", headers={"accept-language": "nl"}).content.decode()
    assert '<meta property="og:locale" content="nl_NL">' in dutch


def test_the_site_image_icons_and_manifest_are_real_files():
    with open(finders.find("img/share.png"), "rb") as handle:
        head = handle.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (1200, 630)
    with open(finders.find("manifest.webmanifest"), encoding="utf-8") as handle:
        manifest = json.load(handle)
    assert manifest["start_url"] == "/" and manifest["name"] == "Parcel tracking"
    for icon in manifest["icons"]:
        assert finders.find(icon["src"]), icon["src"]
    with open(finders.find("img/icon.svg"), encoding="utf-8") as handle:
        assert handle.read().startswith("<svg")


def test_print_carries_the_page_address(client, carriers):
    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ)
    body = client.get(f"/track/nzpost/{NZ}/").content.decode()
    assert f'<span class="print-only page-address">http://testserver/track/nzpost/{NZ}/</span>' in body
    results = client.get("/track/", {"q": f"{NZ}; CL000000000NZ"}).content.decode()
    assert f"http://testserver/track/?q={NZ},CL000000000NZ</span>" in results


@pytest.mark.django_db(transaction=True)
def test_both_kinds_of_expected_delivery_match_the_openapi_document(live_server, carriers):
    import httpx

    from tests.tracking_site.web.test_openapi import assert_documented

    carriers["nzpost"].parcels[NZ] = in_transit_nz()
    store_figures({Lane("nzpost", "", "NZ"): LaneFigure(2 * 86400, 4 * 86400, 33)})
    estimate = httpx.get(f"{live_server.url}/api/v1/parcels/nzpost/{NZ}")
    assert estimate.json()["parcel"]["expected_delivery"]["source"] == "estimate"
    assert_documented(live_server, estimate)
    carriers["dhl-ecommerce"].parcels[DHL] = replace(
        make_parcel("dhl-ecommerce", DHL), expected_delivery=timezone.now().date()
    )
    with_date = httpx.get(f"{live_server.url}/api/v1/parcels/dhl-ecommerce/{DHL}")
    assert with_date.json()["parcel"]["expected_delivery"]["source"] == "carrier"
    assert_documented(live_server, with_date, carrier="dhl-ecommerce", number=DHL)


def test_a_page_s_etag_changes_with_the_parcel_s_day_so_today_never_outlives_it(client, carriers, monkeypatch):
    from datetime import UTC, datetime

    from django.utils import timezone as django_timezone

    from tracking_site.lookup.service import LookupOutcome
    from tracking_site.web.http_caching import parcel_etag

    carriers["nzpost"].parcels[NZ] = make_parcel("nzpost", NZ)
    request = client.get("/").wsgi_request
    outcome = LookupOutcome(NZ, Found(make_parcel("nzpost", NZ)), datetime(2026, 12, 1, 10, tzinfo=UTC))
    tags = []
    for moment in (datetime(2026, 12, 1, 10, 58, tzinfo=UTC), datetime(2026, 12, 1, 11, 2, tzinfo=UTC)):
        monkeypatch.setattr(django_timezone, "now", lambda moment=moment: moment)  # 23:58 and 00:02 in Auckland
        tags.append((parcel_etag(request, outcome, "page"), parcel_etag(request, outcome, "api")))
    assert tags[0][0] != tags[1][0]  # the page says "today" of another day
    assert tags[0][1] == tags[1][1]  # the JSON has no "today" in it
