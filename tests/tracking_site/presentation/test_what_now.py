"""What to do now: where, until when, what the carrier said, its page; and handovers to a last-mile carrier."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import translation

from carriers.model import LastMile, Parcel, Place, Status, TrackingEvent, parcel_from_events
from tracking_site.presentation.carrier_links import PUBLIC_TRACKING_PAGES, public_tracking_page
from tracking_site.presentation.what_now import handover, holder, what_now

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 15:00 in New Zealand
SAID_ON = date(2026, 12, 1)


LAMBTON_QUAY = Place(depot="PostShop Lambton Quay")


def nz(status: Status, description: str, place: Place = LAMBTON_QUAY) -> Parcel:
    return parcel_from_events(
        carrier="nzpost",
        tracking_number="RN277193855NZ",
        events=[
            TrackingEvent(NOW - timedelta(days=2), Status.IN_TRANSIT, "Picked up", Place(depot="Tauranga Fleet")),
            TrackingEvent(NOW - timedelta(hours=3), status, description, place),
        ],
    )


def test_awaiting_pickup_says_where_until_when_what_the_carrier_said_and_links_its_page():
    parcel = nz(Status.AWAITING_PICKUP, "READY TO COLLECT FROM POSTSHOP LAMBTON QUAY. COLLECT BY 12 DECEMBER.")
    box = what_now(parcel, NOW, "nl")
    assert box is not None
    assert box.place == "PostShop Lambton Quay"
    assert box.until == "Saturday 12 December"
    assert box.carrier_said == "Ready to collect from PostShop Lambton Quay. Collect by 12 December."
    assert box.carrier_said_lang == "en"  # the page is Dutch, the carrier wrote English
    assert box.carrier_page == public_tracking_page("nzpost", "RN277193855NZ")
    assert box.carrier_page.url == "https://www.nzpost.co.nz/tools/tracking?trackid=RN277193855NZ"
    assert box.link_text == "See the pickup details on the NZ Post website"
    assert what_now(parcel, NOW, "en").carrier_said_lang == ""


@pytest.mark.parametrize("status", [Status.DELIVERY_FAILED, Status.EXCEPTION, Status.RETURNED])
def test_the_other_statuses_that_need_the_recipient_get_a_box_with_the_scans_place(status):
    box = what_now(nz(status, "Something happened", Place(depot="Christchurch Fleet")), NOW, "en")
    assert box is not None and box.status is status
    assert box.place == "Christchurch Fleet" and box.until == "" and box.advice


@pytest.mark.parametrize("status", [Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.DELIVERED])
def test_parcels_on_their_way_get_no_box(status):
    assert what_now(nz(status, "Scan"), NOW, "en") is None


def postplus_handed_to(carrier: str, number: str, *, handed_over: bool = True, status=Status.DELIVERY_FAILED):
    parcel = replace(nz(status, "Delivery unsuccessful"), carrier="postplus", destination_country="SE")
    return replace(parcel, tracking_number="LX603928515SE", last_mile=LastMile(carrier, number, handed_over))


def test_a_handover_names_the_last_mile_carrier_its_number_and_its_page():
    moved = handover(postplus_handed_to("PostNord", "00370712345678901234"))
    assert moved is not None and (moved.carrier, moved.number) == ("PostNord", "00370712345678901234")
    assert moved.sentence == "Now with PostNord"
    assert moved.page is not None and moved.page.url == "https://tracking.postnord.com/?id=00370712345678901234"
    # The box links the carrier that has the parcel now: PostPlus has no public page of its own.
    box = what_now(postplus_handed_to("PostNord", "00370712345678901234"), NOW, "en")
    assert box is not None and box.carrier_page == moved.page
    assert box.link_text == "Choose a new delivery on the PostNord website"


def in_transit_to_sweden(last_mile: LastMile) -> Parcel:
    parcel = parcel_from_events(
        carrier="postplus",
        tracking_number="LX603928515SE",
        events=[TrackingEvent(NOW - timedelta(days=1), Status.IN_TRANSIT, "Departed hub", Place(city="Tallinn"))],
        destination_country="SE",
        last_mile=last_mile,
    )
    return parcel


def test_before_a_scan_shows_the_handover_the_carrier_is_the_one_that_will_deliver():
    parcel = in_transit_to_sweden(LastMile("PostNord", "00370712345678901234"))
    moved = handover(parcel)
    assert moved is not None and moved.sentence == "PostNord delivers it in Sweden"
    assert moved.page is None  # its page would not know the parcel yet
    assert holder(parcel) == ("PostPlus", None)
    with translation.override("nl"):
        assert handover(parcel).sentence == "PostNord bezorgt het in Zweden"
    unknown_country = replace(parcel, destination_country="")
    assert handover(unknown_country).sentence == "PostNord will deliver it"


def test_a_handover_scan_or_a_scan_only_the_last_mile_makes_shows_it_has_the_parcel():
    handed = in_transit_to_sweden(LastMile("PostNord", "00370712345678901234", handed_over=True))
    assert handover(handed).sentence == "Now with PostNord" and holder(handed)[0] == "PostNord"
    # No handover scan, but a delivery attempt: only the last-mile carrier comes to the door.
    tried = postplus_handed_to("Omniva", "UA550182640LT", handed_over=False)
    assert handover(tried).sentence == "Now with Omniva"
    assert holder(tried) == ("Omniva", handover(tried).page) and handover(tried).page is not None


def test_a_delivered_parcel_says_who_delivered_it_and_a_returned_one_names_no_last_mile_carrier():
    delivered = postplus_handed_to("Latvijas Pasts", "RR204817360LV", handed_over=False, status=Status.DELIVERED)
    assert handover(delivered).sentence == "Delivered by Latvijas Pasts"
    returned = postplus_handed_to("Posten", "PPL250112009931", handed_over=False, status=Status.RETURNED)
    assert handover(returned) is None  # "Now with Posten" was false: it went back from Tallinn
    assert holder(returned) == ("PostPlus", None)


def test_dhl_parcels_handed_to_usps_send_the_customer_to_usps():
    impb = "9261290357311200174540"
    failed = parcel_from_events(
        carrier="dhl-ecommerce",
        tracking_number="GM295117494011076439",
        events=[
            TrackingEvent(NOW - timedelta(days=1), Status.IN_TRANSIT, "TENDERED TO DELIVERY SERVICE PROVIDER"),
            TrackingEvent(NOW - timedelta(hours=3), Status.DELIVERY_FAILED, "DELIVERY ATTEMPTED"),
        ],
        destination_country="US",
        last_mile=LastMile("USPS", impb, handed_over=True),
    )
    moved = handover(failed)
    assert moved is not None and (moved.sentence, moved.number) == ("Now with USPS", impb)
    assert moved.page.url == f"https://tools.usps.com/go/TrackConfirmAction?tLabels={impb}"
    box = what_now(failed, NOW, "en")
    assert box.carrier_page == moved.page and box.link_text == "Choose a new delivery on the USPS website"
    # Searched by the USPS number itself: the number is not repeated, the page still links it.
    by_impb = replace(failed, tracking_number=impb)
    assert handover(by_impb).number == "" and handover(by_impb).page == moved.page
    # Before the handover the customer is sent to DHL eCommerce, which has it.
    before = replace(failed, last_mile=None)
    assert what_now(before, NOW, "en").carrier_page.carrier == "DHL eCommerce"


def test_a_handover_to_a_carrier_without_a_known_page_is_named_without_a_link():
    moved = handover(postplus_handed_to("Latvijas Pasts", "RR204817360LV"))
    assert moved is not None and moved.page is None
    assert what_now(postplus_handed_to("Latvijas Pasts", "RR204817360LV"), NOW, "en").carrier_page is None


def test_a_handover_under_our_own_number_does_not_repeat_it():
    moved = handover(postplus_handed_to("Posti", "LX603928515SE"))
    assert moved is not None and moved.number == ""
    assert moved.page is not None and moved.page.url.endswith("/LX603928515SE")


def test_no_handover_without_a_last_mile_carrier_or_to_the_same_carrier():
    assert handover(nz(Status.IN_TRANSIT, "Scan")) is None
    assert handover(replace(nz(Status.IN_TRANSIT, "Scan"), last_mile=LastMile("NZ Post", "X"))) is None
    assert handover(replace(nz(Status.IN_TRANSIT, "Scan"), last_mile=LastMile(" ", "X"))) is None


def test_the_table_of_public_pages_is_keyed_by_slug_or_name_and_quotes_numbers():
    assert (
        public_tracking_page("Posti", "CE310477291FI").url == "https://www.posti.fi/en/tracking#/lahetys/CE310477291FI"
    )
    assert public_tracking_page("U.S.P.S.", "9400 1").url.endswith("tLabels=9400%201")
    assert public_tracking_page("postplus", "LB123456785EE") is None
    assert all(template.startswith("https://") for _, template in PUBLIC_TRACKING_PAGES.values())
