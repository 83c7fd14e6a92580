"""How following behaves (tuning section `following`): how often parcels are asked about, how long addresses are
kept, how many followers a parcel takes, how long a push service may take."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from annotated_types import Ge

from tracking_site.tuning import Seconds, Section

Positive = Annotated[int, Ge(1)]


@dataclass(frozen=True)
class FollowingTuning:
    # A followed parcel is asked about again this often while it moves, twice as seldom after each check with
    # nothing new, up to the maximum; and no more after `max_days`, or once delivered or returned.
    refresh_minutes: Positive = 15
    refresh_max_minutes: Positive = 240
    max_days: Positive = 30
    refresh_batch: Positive = 500  # followed parcels one refresh run (every minute) takes at most
    # An address is deleted this long after delivery (or after following ended), and this long after it followed
    # at the latest; one never confirmed, `confirm_hours` after its confirmation was sent.
    keep_days_after_delivery: Positive = 7
    keep_days_at_most: Positive = 60
    confirm_hours: Positive = 48
    # Browsers and addresses one parcel takes, counting only confirmed addresses and browsers whose push service
    # took a message.
    max_subscriptions_per_parcel: Annotated[int, Ge(0)] = 50
    push_timeout_seconds: Seconds = 5.0  # a push service gets this long to answer (3 s to connect)


FOLLOWING = Section("following", FollowingTuning)
