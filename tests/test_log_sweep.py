"""The log sweep itself: it catches what it must, and the carriers' own failure logs pass it."""

import logging

import httpx
import pytest

from carriers.fakes import postplus as fake_postplus
from carriers.model import CarrierFailure
from carriers.postplus import build_postplus_client
from tests.conftest import LOG_SWEEP
from tests.log_sweep import DEMO_NUMBERS, leak_in, leaks
from tests.tracking_site.planted import MARKER_PREFIX


@pytest.mark.parametrize(
    "line",
    [
        f"token refused key={fake_postplus.DEMO_API_KEY}",
        "Authorization: Bearer abc",
        f"recipient={MARKER_PREFIX}name",
        f"looked up {DEMO_NUMBERS[0]}",
        "looked up CL092594238NZ",
    ],
)
def test_the_sweep_catches_what_no_log_line_may_carry(line):
    assert leak_in(line)


def test_a_shortened_number_passes():
    assert leak_in("number=CL0…NZ outcome=not_found") == ""


def test_a_carrier_failure_logs_and_its_lines_pass_the_sweep():
    client = build_postplus_client(
        httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(503))),
        base_url="https://postplus.test",
        api_key=fake_postplus.DEMO_API_KEY,
    )
    assert isinstance(client.track(DEMO_NUMBERS[0]), CarrierFailure)
    assert any(name == "carriers" for name, _ in LOG_SWEEP.lines)
    assert leaks(LOG_SWEEP.lines) == []


def test_every_test_is_swept_at_its_teardown(request):
    """The autouse sweep sees this test's own lines (so a leak fails the test that logged it)."""
    logging.getLogger("carriers").warning("sweep-probe outcome=ok")
    assert ("carriers", "sweep-probe outcome=ok") in LOG_SWEEP.lines
