"""Carriers' own public tracking pages, for "rebook with the carrier" and handovers to a last-mile carrier.

One table, so a changed address is one line to correct. Addresses as the carriers publish them for links
from other sites; PostPlus has no public page of its own (its parcels link to the carrier that delivers).

A tracking page named in a carrier's data (PostPlus's `carrierUrl`) is untrusted: it may be the last-mile
carrier's own page, or anything an integrator typed. It counts only when it is https on a host of a carrier in
this table (`trusted_carrier_page`), and even then it only says *which* carrier: the link is the table's own page
for that carrier and number, never the address as given, whose path or query may carry the recipient's postcode or
name. Otherwise the table's page for the carrier the data names, or no link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from carriers.model import LastMile
from carriers.registry import CARRIER_NAMES

# Keyed by our carrier slug or by the carrier's name folded to letters and digits ("PostNord" -> "postnord");
# our own carriers are named as their clients name them.
PUBLIC_TRACKING_PAGES = {
    "dhl-ecommerce": (CARRIER_NAMES["dhl-ecommerce"], "https://webtrack.dhlecs.com/?trackingnumber={number}"),
    "nzpost": (CARRIER_NAMES["nzpost"], "https://www.nzpost.co.nz/tools/tracking?trackid={number}"),
    "usps": ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
    "posti": ("Posti", "https://www.posti.fi/en/tracking#/lahetys/{number}"),
    "postnord": ("PostNord", "https://tracking.postnord.com/?id={number}"),
    "omniva": ("Omniva", "https://www.omniva.ee/private/track-and-trace?barcode={number}"),
}
ALIASES = {"dhlecommerce": "dhl-ecommerce", "nzpost": "nzpost", "unitedstatespostalservice": "usps"}
# Each carrier's own domain, keyed like the table: a page on it or on one of its subdomains is that carrier's.
CARRIER_DOMAINS = {
    "dhl-ecommerce": "dhlecs.com",
    "nzpost": "nzpost.co.nz",
    "usps": "usps.com",
    "posti": "posti.fi",
    "postnord": "postnord.com",
    "omniva": "omniva.ee",
}
# What a trusted address may be made of: RFC 3986's characters but the quote; no space, no control, nothing
# beyond ASCII and no backslash (browsers read one as a slash where Python does not:
# "https://evil.example\.postnord.com" is evil.example's page to a browser).
URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+")
HOST_NAME = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")
MAX_URL_LENGTH = 2000


@dataclass(frozen=True)
class CarrierPage:
    carrier: str  # the carrier's name as a visitor knows it
    url: str


def folded(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def public_tracking_page(carrier: str, number: str) -> CarrierPage | None:
    """The carrier's own page for this parcel (carrier: our slug or the carrier's name), when we know it."""
    key = carrier if carrier in PUBLIC_TRACKING_PAGES else ALIASES.get(folded(carrier), folded(carrier))
    known = PUBLIC_TRACKING_PAGES.get(key)
    if known is None or not number:
        return None
    name, template = known
    return CarrierPage(name, template.format(number=quote(number, safe="")))


def trusted_carrier_page(url: str) -> CarrierPage | None:
    """The page at `url` when it is https on the domain of a carrier in our table, named for that carrier."""
    if not url or len(url) > MAX_URL_LENGTH or not URL_CHARACTERS.fullmatch(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    # No user info (https://tracking.postnord.com@evil.example/ is evil.example's), no other port.
    if parts.scheme != "https" or "@" in parts.netloc or port not in (None, 443):
        return None
    host = (parts.hostname or "").lower()
    if not HOST_NAME.fullmatch(host):
        return None
    for key, domain in CARRIER_DOMAINS.items():
        if host == domain or host.endswith(f".{domain}"):
            return CarrierPage(PUBLIC_TRACKING_PAGES[key][0], url)
    return None


def last_mile_page(last_mile: LastMile, number: str) -> CarrierPage | None:
    """Our table's page of the last-mile carrier for this number: the carrier a trusted `url` is on, else the one
    the data names. The `url` itself is never linked (it may carry the recipient's data)."""
    trusted = trusted_carrier_page(last_mile.url)
    return public_tracking_page(trusted.carrier if trusted else last_mile.carrier, number)
