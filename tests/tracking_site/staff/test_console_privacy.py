"""Staff see the public model too: markers planted in every private field reach no staff page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from tests.tracking_site.planted import (
    MARKER_DIGITS,
    MARKER_PREFIX,
    PRIVATE_KEYS,
    _mark_everything_below,
    carriers_over,
    demo_records,
    plant,
)
from tracking_site.lookup.clients import install_carriers

pytestmark = pytest.mark.django_db

# The group searches match on the manifest id and the pickup number, so those two stay searchable; everything
# else private is planted, including the pickup's address and account inside pickupDetail.
STAFF_SEARCH_KEYS = {
    "dhl-ecommerce": (PRIVATE_KEYS["dhl-ecommerce"] - {"manifestId", "pickupDetail"}) | {"pickupAddress", "soldTo"},
    "nzpost": PRIVATE_KEYS["nzpost"],
    # senderParcelNr is what staff search by: they typed it, so it is not planted.
    "postplus": set(),
}


@pytest.fixture
def planted():
    records = demo_records()
    planted = {
        slug: [plant(r, STAFF_SEARCH_KEYS[slug], _mark_everything_below) for r in rs] for slug, rs in records.items()
    }
    assert MARKER_PREFIX in repr(planted["dhl-ecommerce"]) and MARKER_PREFIX in repr(planted["nzpost"])
    install_carriers(carriers_over(planted))
    return planted


def test_no_private_field_reaches_a_staff_page(staff_client, planted):
    today = timezone.now().date()
    searches = [
        ("dhl-manifest", {"manifest_id": fake_dhl.DEMO_MANIFEST_ID}),
        (
            "dhl-pickup",
            {
                "pickup": str(fake_dhl.DEMO_PICKUP),
                "start_date": (today - timedelta(days=7)).isoformat(),
                "end_date": today.isoformat(),
            },
        ),
        ("postplus-sender", {"sender_numbers": "ORD-2025-004417 13111315187 13111315240"}),
    ] + [("nzpost-partial", {"partial_reference": number}) for number, _ in fake_nzpost.DEMO_NUMBERS]
    pages = []
    for slug, form in searches:
        response = staff_client.post(f"/staff/search/{slug}/", form)
        assert response.status_code == 200, slug
        pages.append(response.content.decode())
    # The searches found the planted parcels: every DHL one (twice), three PostPlus ones, every NZ Post one.
    packages = len(fake_dhl.demo_records(timezone.now()))
    assert pages[0].count('class="card"') == packages and pages[1].count('class="card"') == packages
    assert pages[2].count('class="card"') == 3
    assert all(page.count('class="card"') >= 1 for page in pages[3:])
    for page in pages:
        assert MARKER_PREFIX not in page
        assert MARKER_DIGITS not in page
