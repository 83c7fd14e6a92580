"""`{% follow_options carrier number parcel as follow %}`: what the parcel page offers its followers.

Works out addresses and what to show from the public model and settings alone: the parcel page reads no
database for it, and stays the same for every visitor (so browsers and CDNs may share it).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from carriers.model import Parcel
from tracking_site.following.calendar_entry import calendar_day
from tracking_site.following.parcel_store import FINAL_STATUSES
from tracking_site.following.policy import FOLLOWING
from tracking_site.following.vapid import application_server_key

register = template.Library()


@dataclass(frozen=True)
class FollowOptions:
    feed_url: str
    calendar_url: str  # "" while no day is known
    calendar_delivered: bool
    can_notify: bool  # False once the journey is over
    email_url: str
    push_url: str
    unfollow_push_url: str
    push_key: str  # the VAPID public key; "" when the site sends no push
    worker_url: str
    keep_days_after_delivery: int
    keep_days_at_most: int


@register.simple_tag
def follow_options(carrier: str, number: str, parcel: Parcel) -> FollowOptions:
    args = [carrier, number]
    day = calendar_day(parcel)
    # The feed and the calendar entry speak the page's language: their readers send no language cookie.
    in_language = f"?{urlencode({'lang': get_language() or settings.LANGUAGE_CODE})}"
    return FollowOptions(
        feed_url=reverse("parcel_feed", args=args) + in_language,
        calendar_url=reverse("parcel_calendar", args=args) + in_language if day else "",
        calendar_delivered=bool(day and day.delivered),
        can_notify=parcel.status not in FINAL_STATUSES,
        email_url=reverse("follow_email", args=args),
        push_url=reverse("follow_push", args=args),
        unfollow_push_url=reverse("unfollow_push", args=args),
        push_key=application_server_key(),
        worker_url=reverse("service_worker"),
        keep_days_after_delivery=FOLLOWING.current().keep_days_after_delivery,
        keep_days_at_most=FOLLOWING.current().keep_days_at_most,
    )
