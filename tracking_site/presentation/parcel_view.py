"""What a parcel page shows, worked out once: the answer, what to do now, milestones, the timeline by day, and what
the page offers (following, the calendar) where it fits the parcel's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carriers.model import Parcel, Status
from tracking_site.presentation.arrival import FINISHED, ExpectedDelivery
from tracking_site.presentation.carrier_text import foreign_language
from tracking_site.presentation.headline import Headline, build_headline
from tracking_site.presentation.local_times import DayNote, date_in_sentence, parcel_today, relative_text
from tracking_site.presentation.milestones import MilestoneStep, milestone_steps
from tracking_site.presentation.status_words import PARCEL_DAY_NOTE, status_label
from tracking_site.presentation.timeline import TimelineDay, timeline_days
from tracking_site.presentation.what_now import Handover, WhatNow, handover, what_now


@dataclass(frozen=True)
class Offers:
    """What the page offers beside the answer, as the parcel's state allows."""

    follow: bool  # not once delivered or returned: nothing more will happen worth a message
    calendar: bool  # only while a day is expected and not past


@dataclass(frozen=True)
class ParcelView:
    status: Status
    status_label: str
    carrier_lang: str  # the carrier's language where it is not the page's (for its own words: the service's name)
    headline: Headline
    expected: ExpectedDelivery | None
    what_now: WhatNow | None
    handover: Handover | None
    steps: list[MilestoneStep]
    days: list[TimelineDay]
    last_updated: str  # '3 minutes ago', empty when unknown
    offers: Offers
    day_note: DayNote | None  # None when the page names no day as today, tomorrow or yesterday


def offers_for(parcel: Parcel, expected: ExpectedDelivery | None, now: datetime) -> Offers:
    finished = parcel.status in FINISHED
    return Offers(
        follow=not finished,
        calendar=not finished and expected is not None and expected.latest >= parcel_today(parcel, now),
    )


def build_parcel_view(
    parcel: Parcel,
    *,
    now: datetime,
    page_language: str,
    expected: ExpectedDelivery | None = None,
    fetched_at: datetime | None = None,
) -> ParcelView:
    """The parcel page's view model; `now` is injected so pages and tests agree on 'today' and 'N minutes ago'."""
    headline = build_headline(parcel, expected, now)
    days = timeline_days(parcel, now, page_language)
    today = parcel_today(parcel, now)
    says_today = headline.answer.text != headline.answer.printed or any(day.relative for day in days)
    return ParcelView(
        status=parcel.status,
        status_label=status_label(parcel.status),
        carrier_lang=foreign_language(parcel.carrier, page_language),
        headline=headline,
        expected=expected,
        what_now=what_now(parcel, now, page_language, late=headline.answer.late),
        handover=handover(parcel),
        steps=milestone_steps(parcel),
        days=days,
        last_updated=relative_text(fetched_at, now) if fetched_at else "",
        offers=offers_for(parcel, expected, now),
        day_note=DayNote(str(PARCEL_DAY_NOTE) % {"day": date_in_sentence(today, today)}, today.isoformat())
        if says_today
        else None,
    )
