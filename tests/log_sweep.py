"""What no log line may carry: secrets, private-field markers, full tracking numbers.

tests/conftest.py checks the lines of every test at its teardown, so the sweep holds in any test order and a
leak fails the test that caused it.
"""

from __future__ import annotations

import re

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
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
# The domain of every address the suite follows parcels with (tests/tracking_site/following/).
FOLLOWER_DOMAIN = "@follower-mail.net"
DEMO_NUMBERS = [number for fake in (fake_postplus, fake_dhl, fake_nzpost) for number, _ in fake.DEMO_NUMBERS]
# Full tracking numbers of the shapes the suite uses: S10, DHL GM ids, 22-digit barcodes, CourierPost tickets.
FULL_NUMBER = re.compile(r"\b(?:[A-Z]{2}\d{9}[A-Z]{2}|GM\d{10,}|\d{20,}|\d{16}[A-Z]{3}\d{3}[A-Z]{2})\b")


def leak_in(line: str) -> str:
    """What `line` leaks ("" when nothing): a secret, a planted private marker or a full tracking number."""
    if any(secret in line for secret in SECRETS):
        return "a secret"
    if MARKER_PREFIX in line or MARKER_DIGITS in line:
        return "a private-field marker"
    if any(number in line for number in DEMO_NUMBERS) or FULL_NUMBER.search(line):
        return "a full tracking number"
    if FOLLOWER_DOMAIN in line:
        return "a follower's email address"
    return ""


def leaks(lines: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(logger, line, what) for every line that leaks something."""
    return [(name, line, what) for name, line in lines if (what := leak_in(line))]
