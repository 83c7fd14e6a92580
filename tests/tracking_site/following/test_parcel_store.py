"""What counts as news: a new status a subscriber cares about or a new expected day, not every scan."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from carriers.model import Status
from tracking_site.following.parcel_store import PublicState, is_notable

MONDAY, TUESDAY = date(2026, 3, 9), date(2026, 3, 10)
SCAN = datetime(2026, 3, 8, 9, tzinfo=UTC)


def state(status: Status, expected: date | None = None) -> PublicState:
    return PublicState(status=status, expected_delivery=expected, delivered_at=None, latest_event_at=SCAN)


@pytest.mark.parametrize(
    ("before", "after", "news"),
    [
        (state(Status.INFO_RECEIVED), state(Status.IN_TRANSIT), True),
        (state(Status.IN_TRANSIT), state(Status.OUT_FOR_DELIVERY), True),
        (state(Status.OUT_FOR_DELIVERY), state(Status.DELIVERED), True),
        (state(Status.IN_TRANSIT), state(Status.AWAITING_PICKUP), True),
        (state(Status.OUT_FOR_DELIVERY), state(Status.DELIVERY_FAILED), True),
        (state(Status.IN_TRANSIT), state(Status.EXCEPTION), True),
        (state(Status.EXCEPTION), state(Status.RETURNED), True),
        (state(Status.IN_TRANSIT), state(Status.IN_TRANSIT), False),  # another scan on the way
        (state(Status.UNKNOWN), state(Status.INFO_RECEIVED), False),
        (state(Status.IN_TRANSIT), state(Status.UNKNOWN), False),
        (state(Status.IN_TRANSIT, MONDAY), state(Status.IN_TRANSIT, TUESDAY), True),  # a new expected day
        (state(Status.IN_TRANSIT), state(Status.IN_TRANSIT, TUESDAY), True),  # a first expected day
        (state(Status.IN_TRANSIT, MONDAY), state(Status.IN_TRANSIT), False),  # the carrier stopped saying
        (state(Status.IN_TRANSIT, MONDAY), state(Status.IN_TRANSIT, MONDAY), False),
    ],
)
def test_what_is_news(before, after, news):
    assert is_notable(before, after) is news
