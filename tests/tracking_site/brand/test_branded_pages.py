"""A branded page: its own stylesheet for the accent (no inline style, the CSP as strict), the notice, the footer's
links with the page's tracking number, and the logos served with the static files (nothing else of the folder)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation

from carriers.fakes import nzpost as fake_nzpost
from tests.tracking_site.brand.conftest import CONTACT, CONTACT_NL, RETURNS
from tracking_site.brand.current import current_brand
from tracking_site.web.http_caching import site_build

pytestmark = pytest.mark.django_db

PARCEL = f"/track/nzpost/{fake_nzpost.DELIVERY_FAILED_S10}/"
PAGES = ("/", PARCEL, "/track/nzpost/CL000000000NZ/", "/track/nzpost/AB/", "/no/such/page")


def test_every_page_links_the_brands_stylesheet_after_the_sites_own(client, example_brand):
    brand = current_brand()
    assert brand is not None
    for path in PAGES:
        body = client.get(path).content.decode()
        site_css = body.index('<link rel="stylesheet" href="/static/css/site.css">')
        assert body.index(f'<link rel="stylesheet" href="/brand.css?v={brand.fingerprint}">') > site_css, path
        assert '<meta name="theme-color" content="#1f6b4f">' in body


def test_the_brands_stylesheet_sets_the_accent_of_each_scheme(client, example_brand):
    brand = current_brand()
    assert brand is not None and brand.accent is not None
    response = client.get(f"/brand.css?v={brand.fingerprint}")
    assert response.status_code == 200 and response["Content-Type"] == "text/css; charset=utf-8"
    css = response.content.decode()
    assert ":root { --accent: #1f6b4f; }" in css
    assert f"@media (prefers-color-scheme: dark) {{ :root {{ --accent: {brand.accent.dark}; }} }}" in css
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/brand.css?v=old")["Cache-Control"] == "no-cache"  # an old page's link: not for a year


def test_without_a_brand_colour_there_is_no_stylesheet(client, brand_file):
    brand_file('name = "Plain"\n')
    assert client.get("/brand.css").status_code == 404
    assert "/brand.css" not in client.get("/").content.decode()


def test_branded_pages_keep_the_strict_content_security_policy_and_no_inline_style(client, example_brand):
    for path in PAGES:
        response = client.get(path)
        body = response.content.decode()
        assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
        assert "style-src 'self';" in response["Content-Security-Policy"]
        assert " style=" not in body and "<style" not in body, path


def test_the_notice_opens_every_page_in_the_visitors_language(client, example_brand):
    for path in PAGES:
        body = client.get(path).content.decode()
        assert '<p class="notice brand-notice">Holiday delays in Finland: parcels there may take two extra days' in (
            body
        )
        assert body.index("brand-notice") > body.index('<main id="main"'), path
    with translation.override("nl"):
        dutch = client.get("/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<p class="notice brand-notice">Vertraging in Finland door de feestdagen' in dutch


def test_a_notice_shown_in_english_for_want_of_the_pages_language_says_it_is_english(client, example_brand):
    with translation.override("sv"):  # the example's notice is written in English and Dutch only
        swedish = client.get("/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert '<html lang="sv"' in swedish
    assert '<p class="notice brand-notice" lang="en">Holiday delays in Finland' in swedish


def footer_links(body: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="brand-links" aria-label="Fjell &amp; Fern">(.*?)</nav>', body, re.S).group(1)
    return re.findall(r'<a href="([^"]*)">([^<]*)</a>', nav)


def test_the_footer_links_fill_in_the_parcels_number_on_its_page(client, example_brand):
    number = fake_nzpost.DELIVERY_FAILED_S10
    assert footer_links(client.get(PARCEL).content.decode()) == [
        (CONTACT + number, "Contact Fjell &amp; Fern"),
        (RETURNS + number, "Returns"),
        ("https://fjell-and-fern.example/help/delivery", "Delivery questions"),
        ("https://fjell-and-fern.example/privacy", "Privacy"),
    ]


def test_a_page_of_no_parcel_leaves_the_number_out(client, example_brand):
    links = footer_links(client.get("/").content.decode())
    assert links[0] == (CONTACT, "Contact Fjell &amp; Fern") and links[1] == (RETURNS, "Returns")
    assert footer_links(client.get("/no/such/page").content.decode())[0][0] == CONTACT


def test_dutch_footer_links_take_the_dutch_addresses_and_words(client, example_brand):
    with translation.override("nl"):
        body = client.get(PARCEL, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert footer_links(body)[0] == (CONTACT_NL + fake_nzpost.DELIVERY_FAILED_S10, "Contact met Fjell &amp; Fern")
    assert footer_links(body)[2][1] == "Vragen over bezorging"


def test_the_logos_are_static_files_and_nothing_else_of_their_folder_is(client, example_brand):
    logo = client.get("/static/brand/logo.svg")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/svg+xml"
    assert b"Fjell &amp; Fern" in b"".join(logo.streaming_content)
    assert client.get("/static/brand/logo-dark.svg").status_code == 200
    assert client.get("/static/brand/brand.toml").status_code == 404


def test_collectstatic_collects_the_logos(example_brand, tmp_path, settings):
    from django.core.management import call_command

    settings.STATIC_ROOT = str(tmp_path / "collected")
    call_command("collectstatic", "--noinput", verbosity=0)
    collected = sorted(path.name for path in (tmp_path / "collected" / "brand").iterdir())
    assert collected == ["logo-dark.svg", "logo.svg"]


def test_a_new_brand_is_a_new_etag(example_brand, settings):
    site_build.cache_clear()
    branded = site_build()
    settings.SITE_BRAND = ""
    site_build.cache_clear()
    try:
        assert site_build() != branded
    finally:
        site_build.cache_clear()


def test_a_logo_missing_from_the_collected_files_shows_the_name_instead_of_failing(
    client, example_brand, tmp_path, settings, caplog
):
    """collectstatic ran before SITE_BRAND was set: the page still answers, with the name, and the log says why."""
    from django.core.management import call_command

    settings.STATIC_ROOT = str(tmp_path / "collected")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.SITE_BRAND = ""
    call_command("collectstatic", "--noinput", verbosity=0)
    settings.SITE_BRAND = str(example_brand)
    settings.DEBUG = False
    response = client.get("/")
    assert response.status_code == 200
    assert '<a class="brand" href="/">Fjell &amp; Fern</a>' in response.content.decode()
    assert "SITE_BRAND: logo.svg is not among the collected static files: run collectstatic" in caplog.text


def test_a_phone_adding_the_site_to_its_home_screen_gets_the_brands_name_in_the_pages_language(client, example_brand):
    brand = current_brand()
    assert brand is not None
    with translation.override("nl"):
        body = client.get(PARCEL, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    link = re.search(r'<link rel="manifest" href="([^"]+)">', body)
    assert link is not None and link.group(1) == f"/manifest.webmanifest?v={brand.fingerprint}&amp;lang=nl"
    manifest = client.get(link.group(1).replace("&amp;", "&")).json()  # fetched without cookies, as browsers do
    assert (manifest["name"], manifest["lang"], manifest["theme_color"]) == (brand.name.get("nl"), "nl", "#1f6b4f")
    assert all(icon["src"].startswith("/static/img/icon") for icon in manifest["icons"])


def test_without_a_brand_pages_link_the_static_manifest_and_there_is_no_branded_one(client):
    body = client.get("/").content.decode()
    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in body
    assert client.get("/manifest.webmanifest").status_code == 404
