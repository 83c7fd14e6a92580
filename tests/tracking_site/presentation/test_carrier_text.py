"""Carrier text made readable: ALL-CAPS in sentence case, places in title case, and marked with its language."""

import pytest

from tracking_site.presentation.carrier_text import foreign_language, place_case, sentence_case


@pytest.mark.parametrize(
    ("shouted", "calm"),
    [
        ("ARRIVAL DHL ECOMMERCE FACILITY", "Arrival DHL eCommerce facility"),
        ("TENDERED TO DELIVERY SERVICE PROVIDER", "Tendered to delivery service provider"),
        ("ARRIVED USPS SORT FACILITY", "Arrived USPS sort facility"),
        ("READY FOR PICKUP. BRING PHOTO ID.", "Ready for pickup. Bring photo ID."),
        ("HELD UNTIL MONDAY 7 DECEMBER", "Held until Monday 7 December"),
        ("YOU MAY COLLECT IT IN MAY", "You may collect it in may"),  # a verb and a month: the verb wins
        ("Your item is with our courier.", "Your item is with our courier."),  # already mixed case: untouched
        ("OK", "OK"),  # too short to tell
        ("", ""),
    ],
)
def test_sentence_case(shouted, calm):
    assert sentence_case(shouted) == calm


@pytest.mark.parametrize(
    ("shouted", "calm"),
    [
        ("MELROSE PARK, IL, US", "Melrose Park, IL, US"),
        ("SALT LAKE CITY,UT", "Salt Lake City, UT"),
        ("Brooklyn, NY, US", "Brooklyn, NY, US"),
        ("GB-LHR-CUS", "GB-LHR-CUS"),  # a facility code
        ("WINSTON-SALEM, NC", "Winston-Salem, NC"),
    ],
)
def test_place_case(shouted, calm):
    assert place_case(shouted) == calm


def test_names_from_the_scans_place_keep_their_spelling():
    said = sentence_case("READY TO COLLECT FROM POSTSHOP LAMBTON QUAY", names="PostShop Lambton Quay")
    assert said == "Ready to collect from PostShop Lambton Quay"


def test_carrier_text_is_marked_only_where_the_page_speaks_another_language():
    assert foreign_language("nzpost", "nl") == "en"
    assert foreign_language("nzpost", "en") == ""
    assert foreign_language("nzpost", "en-gb") == ""
    assert foreign_language("unknown-carrier", "nl") == ""
