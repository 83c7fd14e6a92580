"""Runs last (tests/conftest.py orders it): every log line of the whole suite, checked for secrets,
private-field markers and full tracking numbers."""

import re

import httpx

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
from carriers.model import CarrierFailure
from carriers.postplus import build_postplus_client
from tests.conftest import LOG_SWEEP
from tests.tracking_site.planted import MARKER_DIGITS, MARKER_PREFIX

SECRETS = [
    fake_postplus.DEMO_API_KEY,
    fake_postplus.DEMO_INTEGRATION_KEY,
    fake_dhl.DEMO_CLIENT_SECRET,
    fake_nzpost.DEMO_CLIENT_SECRET,
    "demo-nzpost-token-",
    "fault-token",
    "s3cret",
    "Bearer ",
    "access_token",
]
DEMO_NUMBERS = [number for fake in (fake_postplus, fake_dhl, fake_nzpost) for number, _ in fake.DEMO_NUMBERS]
# Full tracking numbers of the shapes the suite uses: S10, DHL GM ids, 22-digit barcodes, CourierPost tickets.
FULL_NUMBER = re.compile(r"\b(?:[A-Z]{2}\d{9}[A-Z]{2}|GM\d{10,}|\d{20,}|\d{16}[A-Z]{3}\d{3}[A-Z]{2})\b")


def test_no_log_line_of_the_suite_leaks():
    # One carrier failure of our own, so the sweep never passes over an empty log (e.g. run alone).
    client = build_postplus_client(
        httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(503))),
        base_url="https://postplus.test",
        api_key=fake_postplus.DEMO_API_KEY,
    )
    assert isinstance(client.track(DEMO_NUMBERS[0]), CarrierFailure)
    lines = LOG_SWEEP.lines
    assert any(name == "carriers" for name, _ in lines)
    for name, line in lines:
        assert not any(secret in line for secret in SECRETS), (name, line)
        assert MARKER_PREFIX not in line and MARKER_DIGITS not in line, (name, line)
        assert not any(number in line for number in DEMO_NUMBERS), (name, line)
        assert not FULL_NUMBER.search(line), (name, line)
