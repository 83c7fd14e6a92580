"""Arbitrary text thrown at every input: never a 500, never a carrier call for an invalid number,
never the input echoed unescaped."""

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from carriers.base import InvalidNumber
from carriers.detect import normalize_number
from carriers.search_text import search_entries

pytestmark = pytest.mark.django_db

OUR_SCRIPT_TAG = '<script src="/static/js/site.js" defer></script>'

NASTY = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "../../etc/passwd",
    "..%2F..%2Fetc",
    "%2F",
    "CL092594238NZ\r\nSet-Cookie: x=1",
    "CL092594238NZ\x00",
    "'; DROP TABLE auth_user; --",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "ＣＬ０９２５９４２３８ＮＺ",
    "СL092594238NZ",  # Cyrillic
    "x" * 10_000,
    "\u202eZN832495290LC",
]

hostile_text = st.one_of(
    st.sampled_from(NASTY), st.text(max_size=300), st.text(alphabet="%/.\\\r\n\x00<>\"'&;", max_size=40)
)


def valid_numbers(text: str) -> set[str]:
    """The entries of a search that are tracking numbers (the only ones a carrier may be asked about)."""
    valid = set()
    for part in search_entries(text):
        try:
            valid.add(normalize_number(part))
        except InvalidNumber:
            pass
    return valid


def assert_not_echoed_raw(body: str, text: str) -> None:
    """Our pages have no <script> or <img> element of their own: any in a body came from the input."""
    body = body.replace(OUR_SCRIPT_TAG, "")  # the one script of our own: a static file
    for dangerous in ("<script", "<img"):
        if dangerous in text.lower():
            assert dangerous not in body.lower()


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_text)
@example(text="<script>alert(1)</script> CL092594238NZ")
def test_search_box_survives_anything(carriers, text):
    client = Client()
    for carrier in carriers.values():
        carrier.batches.clear()
    response = client.get("/track/", {"q": text, "carrier": "auto"})
    assert response.status_code in (200, 302, 400, 404)
    body = response.content.decode()
    assert_not_echoed_raw(body, text)
    valid = valid_numbers(text)
    asked = {number for c in carriers.values() for batch in c.batches for number in batch}
    if not valid or len(text) > 2000 or len(search_entries(text)) > 25:
        assert response.status_code == 400
        assert asked == set()
    else:  # the valid numbers are tracked, the rest only named
        assert asked <= valid


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(carrier=st.one_of(st.sampled_from(["nzpost", "dhl-ecommerce", "postplus"]), hostile_text), number=hostile_text)
def test_permalink_and_api_survive_any_path_segments(carriers, carrier, number):
    client = Client()
    for installed in carriers.values():
        installed.batches.clear()
    for path in (
        f"/track/{quote(carrier, safe='')}/{quote(number, safe='')}/",
        f"/api/v1/parcels/{quote(carrier, safe='')}/{quote(number, safe='')}",
    ):
        response = client.get(path)
        assert response.status_code in (200, 301, 400, 404), (path, response.status_code)
        assert_not_echoed_raw(response.content.decode(errors="replace"), number)
    try:
        normalize_number(number)
    except InvalidNumber:
        assert all(not c.batches for c in carriers.values())
