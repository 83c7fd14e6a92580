"""Links to our own pages come from SITE_URL, never from the Host header a client sent."""

from __future__ import annotations

import re

import pytest

from tests.tracking_site.conftest import make_parcel
from tracking_site.presentation.links import DEBUG_SITE_URL, absolute_url

NUMBER = "CL092594238NZ"
SITE = "https://track.example.com"


@pytest.fixture
def canonical(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]  # let the odd Host headers through to the page, as a lax proxy would


def test_absolute_url_puts_the_path_on_the_canonical_address(canonical):
    assert absolute_url("/track/nzpost/X1234/") == f"{SITE}/track/nzpost/X1234/"
    assert absolute_url("/track/?q=A,B&carrier=nzpost") == f"{SITE}/track/?q=A,B&carrier=nzpost"


def test_a_relative_path_is_refused(canonical):
    with pytest.raises(ValueError):
        absolute_url("track/nzpost/X1234/")


def test_with_debug_on_and_no_site_url_links_name_the_demo_address(settings):
    settings.SITE_URL, settings.DEBUG = "", True
    assert absolute_url("/track/") == f"{DEBUG_SITE_URL}/track/"


def test_in_production_without_site_url_links_stay_relative_never_another_host(settings):
    settings.SITE_URL, settings.DEBUG = "", False
    assert absolute_url("/track/") == "/track/"


@pytest.mark.parametrize("host", ["localhost:6666", "evil.example", "track.example.com:8443"])
def test_the_share_link_ignores_the_host_header(client, carriers, canonical, host):
    carriers["nzpost"].parcels[NUMBER] = make_parcel("nzpost", NUMBER)
    body = client.get(f"/track/nzpost/{NUMBER}/", HTTP_HOST=host).content.decode()
    assert f'value="{SITE}/track/nzpost/{NUMBER}/" readonly>' in body
    assert host not in body


def test_the_results_permalink_ignores_the_host_header_too(client, carriers, canonical):
    carriers["nzpost"].parcels[NUMBER] = make_parcel("nzpost", NUMBER)  # a page with nothing found offers no link
    body = client.get("/track/", {"q": f"{NUMBER} CL000000000NZ"}, HTTP_HOST="localhost:6666").content.decode()
    assert f'value="{SITE}/track/?q={NUMBER},CL000000000NZ"' in body
    assert "localhost:6666" not in body


def test_every_absolute_link_on_a_page_is_on_the_canonical_address(client, carriers, canonical):
    carriers["nzpost"].parcels[NUMBER] = make_parcel("nzpost", NUMBER)
    body = client.get(f"/track/nzpost/{NUMBER}/", HTTP_HOST="localhost:6666", secure=True).content.decode()
    absolute = re.findall(r"""(?:href|content|value|action)="(https?://[^"]+)\"""", body)
    assert absolute, "the page offers no absolute link at all"
    assert all(link.startswith(f"{SITE}/") for link in absolute), absolute


def test_open_graph_urls_name_the_canonical_address(client, carriers, canonical):
    carriers["nzpost"].parcels[NUMBER] = make_parcel("nzpost", NUMBER)
    page = client.get(f"/track/nzpost/{NUMBER}/", HTTP_HOST="localhost:6666").content.decode()
    assert f'<meta property="og:url" content="{SITE}/track/nzpost/{NUMBER}/">' in page
    results = client.get("/track/", {"q": f"{NUMBER} CL000000000NZ"}, HTTP_HOST="localhost:6666").content.decode()
    assert f'<meta property="og:url" content="{SITE}/track/?q={NUMBER},CL000000000NZ">' in results
