"""Carrier pages: a tracking page named in a carrier's data is linked only when it is https on a known carrier's
host; otherwise our own table's page, or none."""

from urllib.parse import urlsplit

import pytest

from carriers.model import LastMile, Parcel, Status
from tracking_site.presentation.carrier_links import (
    CARRIER_DOMAINS,
    PUBLIC_TRACKING_PAGES,
    CarrierPage,
    last_mile_page,
    trusted_carrier_page,
)
from tracking_site.presentation.what_now import handover


@pytest.mark.parametrize(
    ("url", "carrier"),
    [
        ("https://tracking.postnord.com/?id=00370712345678901234", "PostNord"),
        ("https://www.postnord.com/track?id=00370712345678901234", "PostNord"),
        ("https://postnord.com/?id=1", "PostNord"),
        ("HTTPS://TRACKING.POSTNORD.COM/?id=1", "PostNord"),
        ("https://tracking.postnord.com:443/?id=1", "PostNord"),
        ("https://www.posti.fi/en/tracking#/lahetys/CE310477291FI", "Posti"),
        ("https://www.omniva.ee/private/track-and-trace?barcode=CE310477291EE", "Omniva"),
        ("https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000000", "USPS"),
        ("https://webtrack.dhlecs.com/?trackingnumber=GM2951173225174494", "DHL eCommerce"),
        ("https://www.nzpost.co.nz/tools/tracking?trackid=CL092594238NZ", "NZ Post"),
    ],
)
def test_an_https_page_on_a_known_carriers_host_is_linked_under_that_carriers_name(url: str, carrier: str) -> None:
    assert trusted_carrier_page(url) == CarrierPage(carrier, url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt://tracking.postnord.com/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://tracking.postnord.com/?id=1",  # not https
        "//tracking.postnord.com/?id=1",  # no scheme
        "tracking.postnord.com/?id=1",
        "https://postnord.com.evil.example/?id=1",  # a look-alike host
        "https://evilpostnord.com/?id=1",
        "https://tracking-postnord.com/?id=1",
        "https://tracking.postnord.com.@evil.example/",  # user info: the host is evil.example
        "https://tracking.postnord.com@evil.example/",
        "https://user:pass@tracking.postnord.com/",  # user info even on the right host
        "https://evil.example\\.postnord.com/",  # a browser reads the backslash as a slash
        "https://evil.example/\\tracking.postnord.com",
        "https://tracking.postnord.com:8443/?id=1",  # another port
        "https://tracking.postnord.com:99999/",
        "https://tracking.postnord.com./?id=1",  # a trailing dot
        "https://tracking%2Epostnord.com/",
        "https://trаcking.postnord.com/",  # a Cyrillic а
        "https://xn--postnrd-b1a.com/",
        "https://tracking.postnord.com/?id=1 onmouseover=alert(1)",
        'https://tracking.postnord.com/?id=1"><script>',
        "https://tracking.postnord.com/\n?id=1",
        "https://www.royalmail.com/track-your-item#/tracking-results/LB123456785EE",  # not in our table
        "https://" + "a." * 1000 + "postnord.com/",
        "",
    ],
)
def test_anything_else_is_refused(url: str) -> None:
    assert trusted_carrier_page(url) is None


def test_every_page_in_our_table_is_on_its_carriers_own_domain() -> None:
    for key, (name, template) in PUBLIC_TRACKING_PAGES.items():
        url = template.format(number="X1")
        assert trusted_carrier_page(url) == CarrierPage(name, url)
        assert (urlsplit(url).hostname or "").endswith(CARRIER_DOMAINS[key])


def test_the_last_mile_page_is_our_tables_page_of_the_carrier_a_trusted_url_names_else_none() -> None:
    own = "https://tracking.postnord.com/?id=00370712345678901234&postcode=10149&name=Mari"
    trusted = LastMile("Last mile partner", "00370712345678901234", url=own)
    assert last_mile_page(trusted, "00370712345678901234") == CarrierPage(
        "PostNord", "https://tracking.postnord.com/?id=00370712345678901234"
    )
    untrusted = LastMile("PostNord", "00370712345678901234", url="https://postnord.com.evil.example/")
    assert last_mile_page(untrusted, "00370712345678901234") == CarrierPage(
        "PostNord", "https://tracking.postnord.com/?id=00370712345678901234"
    )
    unknown = LastMile("Latvijas Pasts", "RR204817360LV", url="http://www.pasts.lv/?id=RR204817360LV")
    assert last_mile_page(unknown, "RR204817360LV") is None


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        (
            "https://tracking.postnord.com/?id=00370712345678901234&postcode=10149",
            "https://tracking.postnord.com/?id=00370712345678901234",
        ),
        ("javascript:alert(1)", "https://tracking.postnord.com/?id=00370712345678901234"),
        ("https://postnord.com.evil.example/", "https://tracking.postnord.com/?id=00370712345678901234"),
        ("", "https://tracking.postnord.com/?id=00370712345678901234"),
    ],
)
def test_a_postplus_parcels_handover_links_the_page_the_rule_allows(url: str, linked: str) -> None:
    last = LastMile("PostNord", "00370712345678901234", handed_over=True, url=url)
    parcel = Parcel(carrier="postplus", tracking_number="LX603928515SE", status=Status.IN_TRANSIT, last_mile=last)
    moved = handover(parcel)
    assert moved is not None and moved.page == CarrierPage("PostNord", linked)
