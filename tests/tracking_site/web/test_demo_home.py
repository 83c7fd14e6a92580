"""The demo's home page lists the carriers' own published samples beside its stories (carriers/demo.py)."""

import pytest

from carriers.demo import demo_numbers

pytestmark = pytest.mark.django_db


def test_the_demo_home_page_links_every_demo_number_the_published_samples_included(client):
    body = client.get("/").content.decode()
    for slug, listed in demo_numbers().items():
        for number, _ in listed:
            assert f'href="/track/{slug}/{number}/"' in body
    assert all(number in body for number in ("PARCEL-NR-1", "V4-TEST-1581367640092", "CL092594238NZ"))
