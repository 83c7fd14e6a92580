"""Days a carrier wrote into its text: a collection deadline, the next delivery attempt."""

from __future__ import annotations

from datetime import date

import pytest

from tracking_site.presentation.carrier_dates import deadline_in, next_attempt_in

SAID_ON = date(2026, 12, 1)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("Ready to collect. Please collect by 12 December.", date(2026, 12, 12)),
        ("Collect before Friday 4 Dec 2026, bring ID", date(2026, 12, 4)),
        ("Held until December 9th at the counter", date(2026, 12, 9)),
        ("Pick it up by the 3rd of January", date(2027, 1, 3)),  # no year: the next 3 January
        ("Available until 2026-12-15", date(2026, 12, 15)),
        ("Please collect within 7 days", date(2026, 12, 8)),
        ("Ready to collect from PostShop Lambton Quay. Bring photo ID.", None),
        ("Collect by 31 February", None),
        ("until Smarch 3", None),
    ],
)
def test_a_deadline_the_carrier_wrote_is_found(text, deadline):
    assert deadline_in(text, SAID_ON) == deadline


@pytest.mark.parametrize(
    ("text", "attempt"),
    [
        ("Delivery unsuccessful: recipient not available, new attempt tomorrow", date(2026, 12, 2)),
        ("We will try again on Thursday.", date(2026, 12, 3)),
        ("Next delivery attempt: 4 December", date(2026, 12, 4)),
        ("RECIPIENT NOT HOME. REDELIVERY NEXT BUSINESS DAY", date(2026, 12, 2)),
        ("No one home; another attempt will be made today", date(2026, 12, 1)),
        ("We'll attempt again on Tuesday", date(2026, 12, 8)),  # said on a Tuesday: next week's
        ("We tried to deliver your item. We've left a card with details of what to do next.", None),
        ("New attempt. Tomorrow is a holiday", None),  # the day must be in the same sentence
        ("Delivery attempted tomorrow", None),  # no next attempt announced
    ],
)
def test_the_next_attempt_the_carrier_wrote_is_found(text, attempt):
    assert next_attempt_in(text, SAID_ON) == attempt


def test_the_next_business_day_skips_the_weekend():
    assert next_attempt_in("Redelivery on the next working day", date(2026, 12, 4)) == date(2026, 12, 7)
