"""Carriers' own public tracking pages, for "rebook with the carrier" and handovers to a last-mile carrier.

One table, so a changed address is one line to correct. Addresses as the carriers publish them for links
from other sites; PostPlus has no public page of its own (its parcels link to the carrier that delivers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

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
