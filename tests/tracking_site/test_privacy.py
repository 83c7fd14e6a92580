"""Privacy by construction: a marker planted in every private field of every carrier reaches no page,
no JSON answer and no log line (`planted_carriers` is in tests/tracking_site/conftest.py)."""

import logging

import pytest

from tests.tracking_site.planted import MARKER_DIGITS, MARKER_PREFIX, demo_numbers

pytestmark = pytest.mark.django_db


def test_no_private_field_reaches_a_page_the_api_or_a_log(client, planted_carriers, caplog):
    caplog.set_level(logging.DEBUG)
    numbers = demo_numbers()
    seen = []
    for slug, carrier_numbers in numbers.items():
        for number in carrier_numbers:
            page = client.get(f"/track/{slug}/{number}/")
            api = client.get(f"/api/v1/parcels/{slug}/{number}")
            assert page.status_code == 200 and api.status_code == 200, (slug, number)
            seen += [page.content.decode(), api.content.decode()]
    everything = [n for carrier_numbers in numbers.values() for n in carrier_numbers]
    for start in range(0, len(everything), 25):
        seen.append(client.get("/track/", {"q": " ".join(everything[start : start + 25])}).content.decode())
    seen += [record.getMessage() for record in caplog.records]
    for text in seen:
        assert MARKER_PREFIX not in text
        assert MARKER_DIGITS not in text


def test_signed_deliveries_still_say_signed_without_the_name(client, planted_carriers):
    signed = [
        client.get(f"/api/v1/parcels/{slug}/{number}").json()["parcel"]["signed"]
        for slug, carrier_numbers in demo_numbers().items()
        for number in carrier_numbers
    ]
    assert any(signed)


def test_delivery_observations_hold_no_private_field_and_no_tracking_number(client, planted_carriers):
    from django.core.cache import cache

    from tracking_site.estimates import flush_observations
    from tracking_site.estimates.models import DeliveryObservation

    DeliveryObservation.objects.all().delete()  # the demo's made-up observations are not under test
    numbers = demo_numbers()
    for slug, carrier_numbers in numbers.items():
        client.get("/track/", {"q": " ".join(carrier_numbers), "carrier": slug})
    slots = [value for slot in range(1, 50) if (value := cache.get(f"estimates:v1:buffer:{slot}"))]
    assert len(slots) >= 2  # the delivered demo parcels were observed, or this proves nothing
    buffered = repr(slots)
    assert flush_observations() == len(slots)
    stored = repr(list(DeliveryObservation.objects.values()))
    everything = [number for carrier_numbers in numbers.values() for number in carrier_numbers]
    for text in (buffered, stored):
        assert MARKER_PREFIX not in text and MARKER_DIGITS not in text
        assert not any(number in text for number in everything)
