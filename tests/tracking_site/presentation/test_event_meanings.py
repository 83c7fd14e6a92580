"""What carriers' event codes mean in our words: one table, true to the carriers' own code tables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation

from carriers import dhl_ecommerce, nzpost, postplus
from carriers.model import Status, TrackingEvent
from tracking_site.presentation.event_meanings import CODE_TABLES, EVENT_MEANINGS, event_meaning, our_words

SCANNED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def scan(code: str, status: Status, description: str = "Something the carrier wrote") -> TrackingEvent:
    return TrackingEvent(SCANNED, status, description, code=code)


@pytest.mark.parametrize("carrier", sorted(EVENT_MEANINGS))
def test_every_meaning_is_for_a_code_its_carriers_table_knows(carrier):
    assert set(EVENT_MEANINGS[carrier]) <= set(CODE_TABLES[carrier].codes)


@pytest.mark.parametrize(("carrier", "table"), [("postplus", postplus.STATUS_MAP), ("nzpost", nzpost.STATUS_MAP)])
def test_every_code_postplus_and_nz_post_name_has_our_words(carrier, table):
    assert set(table.codes) == set(EVENT_MEANINGS[carrier])


def test_dhl_codes_are_said_only_where_dhl_published_them():
    """DHL publishes no code table: its other codes are our fakes' guesses, and keep DHL's own words."""
    assert set(EVENT_MEANINGS["dhl-ecommerce"]) == {"132", "598", "600"}
    assert {"198", "220", "300", "520"} <= set(dhl_ecommerce.STATUS_MAP.codes)
    assert event_meaning("dhl-ecommerce", scan("520", Status.IN_TRANSIT)) == ""


@pytest.mark.parametrize(
    ("carrier", "event", "english", "spanish"),
    [
        ("nzpost", scan("22", Status.DELIVERED), "Delivered", "Entregado"),
        ("nzpost", scan("147", Status.AWAITING_PICKUP), "Ready to collect from a ParcelPod locker", None),
        (
            "postplus",
            scan("ARRIVED_AT_DESTINATION_COUNTRY", Status.IN_TRANSIT),
            "Arrived in the destination country",
            "Llegó al país de destino",
        ),
        ("postplus", scan("customs_held", Status.EXCEPTION), "Held by customs", "Retenido en la aduana"),
        ("dhl-ecommerce", scan("598", Status.OUT_FOR_DELIVERY), "Out for delivery", "En reparto"),
    ],
)
def test_a_known_code_is_said_in_our_words_in_the_visitors_language(carrier, event, english, spanish):
    with translation.override("en"):
        assert event_meaning(carrier, event) == english
    if spanish:
        with translation.override("es"):
            assert event_meaning(carrier, event) == spanish


def test_a_label_only_scan_names_the_carrier_that_has_not_scanned_it():
    with translation.override("en"):
        assert event_meaning("dhl-ecommerce", scan("132", Status.INFO_RECEIVED)) == (
            "Label created; DHL eCommerce has not scanned the parcel yet"
        )
        assert event_meaning("nzpost", scan("997", Status.INFO_RECEIVED)) == (
            "Label created; NZ Post has not scanned the parcel yet"
        )


def test_a_code_whose_status_the_words_overrode_says_nothing_of_ours():
    """A scan whose words said more than its code (the status then differs from the code's) keeps its words."""
    assert event_meaning("dhl-ecommerce", scan("600", Status.DELIVERY_FAILED)) == ""
    assert event_meaning("nzpost", scan("22", Status.RETURNED)) == ""


def test_unknown_codes_and_carriers_have_no_meaning():
    assert event_meaning("postplus", scan("NEW_CODE_2027", Status.IN_TRANSIT, "Parcel sorted in Riga")) == ""
    assert event_meaning("postplus", scan("", Status.IN_TRANSIT)) == ""
    assert event_meaning("fedex", scan("22", Status.DELIVERED)) == ""


def test_our_words_fall_back_on_the_status_only_where_the_page_speaks_another_language_than_the_carrier():
    sorted_scan = scan("580", Status.IN_TRANSIT, "ARRIVED USPS SORT FACILITY")
    with translation.override("es"):
        assert our_words("dhl-ecommerce", sorted_scan, "es") == "En tránsito"
        assert our_words("dhl-ecommerce", scan("600", Status.DELIVERED), "es") == "Entregado"
        assert our_words("dhl-ecommerce", scan("", Status.UNKNOWN, "SCANNED"), "es") == ""  # nothing we know
    with translation.override("en"):
        assert our_words("dhl-ecommerce", sorted_scan, "en") == ""  # DHL's English says more than "In transit"
        assert our_words("dhl-ecommerce", scan("132", Status.INFO_RECEIVED), "en").startswith("Label created;")
