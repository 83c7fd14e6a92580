"""A parcel's Atom feed (Django's syndication framework): one entry per scan, with its local time and place.

Built from the public model only, in the language the feed's link names (the page's where it was followed). Carrier
text is untrusted markup: Atom summaries are HTML, so it is escaped before it goes in, and a feed reader shows it
as the text it is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from carriers.model import Parcel, TrackingEvent
from tracking_site.brand.current import site_name
from tracking_site.following.arrival import local_moment
from tracking_site.following.messages import permalink
from tracking_site.presentation.carrier_text import carrier_language, says_the_same
from tracking_site.presentation.event_meanings import our_words
from tracking_site.presentation.links import absolute_url
from tracking_site.presentation.local_times import local_text
from tracking_site.presentation.status_words import carrier_name, status_label


@dataclass(frozen=True)
class FeedEntry:
    title: str
    summary: str  # HTML: carrier text escaped
    guid: str
    link: str
    occurred_at: datetime


def scan_guid(parcel: Parcel, event: TrackingEvent) -> str:
    """An entry id that stays the same for the same scan on every fetch (a tag URI, RFC 4151)."""
    what = (
        f"{parcel.carrier}|{parcel.tracking_number}|{event.occurred_at.isoformat()}|{event.status}|{event.description}"
    )
    digest = hashlib.sha256(what.encode()).hexdigest()[:24]
    return f"tag:parcel-tracking,2024:{parcel.carrier}/{parcel.tracking_number}/{digest}"


def feed_entries(parcel: Parcel, now: datetime) -> list[FeedEntry]:
    """The scans newest first, each worded as the page words it."""
    link = permalink(parcel.carrier, parcel.tracking_number)
    entries = []
    for event in parcel.events:
        local = local_moment(parcel, event.occurred_at)
        when = local_text(local, now)
        title = " · ".join(part for part in (status_label(event.status), event.place.label, when) if part)
        place = f"<br>{escape(event.place.label)}" if event.place else ""
        summary = f"{said_html(parcel, event)}{place}<br>{escape(when)}"
        entries.append(FeedEntry(title, summary, scan_guid(parcel, event), link, local))
    return entries


def said_html(parcel: Parcel, event: TrackingEvent) -> str:
    """What the scan says, as the page says it: our words where we know what it means, with the carrier's own beside
    them (quoted, marked with their language), else the carrier's words, else our status words; all escaped."""
    ours = our_words(parcel.carrier, event, get_language() or settings.LANGUAGE_CODE)
    theirs = event.description
    if not theirs:
        return escape(ours or status_label(event.status))
    lang = carrier_language(parcel.carrier)
    if not ours:
        return format_html('<span lang="{}">{}</span>', lang, theirs) if lang else escape(theirs)
    if says_the_same(ours, theirs):
        return escape(ours)
    quoted = format_html('<q lang="{}">{}</q>', lang, theirs) if lang else format_html("<q>{}</q>", theirs)
    return format_html("{}<br>{}: {}", ours, carrier_name(parcel.carrier), quoted)


class ParcelFeed(Feed):
    """`ParcelFeed(parcel, now)(request)` answers with the Atom document of a parcel the view looked up."""

    feed_type = Atom1Feed

    def __init__(self, parcel: Parcel, now: datetime) -> None:
        super().__init__()
        self.parcel = parcel
        self.now = now

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> tuple[Parcel, datetime]:
        return self.parcel, self.now

    def title(self, obj: tuple[Parcel, datetime]) -> str:
        parcel, _now = obj
        return _("%(carrier)s parcel %(number)s") % {
            "carrier": carrier_name(parcel.carrier),
            "number": parcel.tracking_number,
        }

    def subtitle(self, obj: tuple[Parcel, datetime]) -> str:
        return _("Every scan of this parcel, newest first.")

    def link(self, obj: tuple[Parcel, datetime]) -> str:
        parcel, _now = obj
        return permalink(parcel.carrier, parcel.tracking_number)

    def feed_url(self, obj: tuple[Parcel, datetime]) -> str:
        parcel, _now = obj
        return absolute_url(reverse("parcel_feed", args=[parcel.carrier, parcel.tracking_number]))

    def feed_guid(self, obj: tuple[Parcel, datetime]) -> str:
        return self.link(obj)

    def author_name(self, obj: tuple[Parcel, datetime]) -> str:
        return site_name()

    def items(self, obj: tuple[Parcel, datetime]) -> list[FeedEntry]:
        parcel, now = obj
        return feed_entries(parcel, now)

    def item_title(self, item: FeedEntry) -> str:
        return item.title

    def item_description(self, item: FeedEntry) -> str:
        return item.summary

    def item_link(self, item: FeedEntry) -> str:
        return item.link

    def item_guid(self, item: FeedEntry) -> str:
        return item.guid

    def item_guid_is_permalink(self, item: FeedEntry) -> bool:
        return False

    def item_pubdate(self, item: FeedEntry) -> datetime:
        return item.occurred_at

    def item_updateddate(self, item: FeedEntry) -> datetime:
        return item.occurred_at
