"""What a parcel page shows, worked out once: the answer, what to do now, milestones, the timeline by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carriers.model import Parcel, Status
from tracking_site.presentation.arrival import ExpectedDelivery
from tracking_site.presentation.headline import Headline, build_headline
from tracking_site.presentation.local_times import relative_text
from tracking_site.presentation.milestones import MilestoneStep, milestone_steps
from tracking_site.presentation.status_words import status_label
from tracking_site.presentation.timeline import TimelineDay, timeline_days
from tracking_site.presentation.what_now import Handover, WhatNow, handover, what_now


@dataclass(frozen=True)
class ParcelView:
    status: Status
    status_label: str
    headline: Headline
    expected: ExpectedDelivery | None
    what_now: WhatNow | None
    handover: Handover | None
    steps: list[MilestoneStep]
    days: list[TimelineDay]
    last_updated: str  # '3 minutes ago', empty when unknown


def build_parcel_view(
    parcel: Parcel,
    *,
    now: datetime,
    page_language: str,
    expected: ExpectedDelivery | None = None,
    fetched_at: datetime | None = None,
) -> ParcelView:
    """The parcel page's view model; `now` is injected so pages and tests agree on 'today' and 'N minutes ago'."""
    return ParcelView(
        status=parcel.status,
        status_label=status_label(parcel.status),
        headline=build_headline(parcel, expected, now),
        expected=expected,
        what_now=what_now(parcel, now, page_language),
        handover=handover(parcel),
        steps=milestone_steps(parcel),
        days=timeline_days(parcel, now, page_language),
        last_updated=relative_text(fetched_at, now) if fetched_at else "",
    )
