"""What a notification says: the status in words, the arrival answer and the permalink, nothing more.

The same words go into push messages and emails, in the language the subscriber followed in. Nothing here
reads anything a stranger holding the tracking number could not see on the parcel's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tracking_site.brand.current import current_brand, site_name
from tracking_site.following.models import ParcelChange
from tracking_site.presentation.links import absolute_url
from tracking_site.presentation.local_times import date_in_sentence
from tracking_site.presentation.status_words import carrier_name, status_label


@dataclass(frozen=True)
class ParcelNews:
    """One change of one parcel, worded for people."""

    subject: str  # "Out for delivery: DHL eCommerce parcel GM295117494011076415"
    status_words: str
    arrival: str  # "Expected delivery: Thursday 12 December." / "Delivered on Tuesday 2 May." / ""
    permalink: str
    tag: str  # one notification per parcel on a device: a newer one replaces the older


def permalink(carrier: str, number: str) -> str:
    return absolute_url(reverse("parcel", args=[carrier, number]))


def arrival_answer(status: str, expected: date | None, delivered_on: date | None) -> str:
    """When it arrives, in one sentence; "" when nobody can say."""
    if delivered_on is not None:
        return _("Delivered on %(day)s.") % {"day": date_in_sentence(delivered_on)}
    if expected is not None:
        return _("Expected delivery: %(day)s.") % {"day": date_in_sentence(expected)}
    return ""


def parcel_news(change: ParcelChange, language: str) -> ParcelNews:
    """The words of a change, in `language`."""
    parcel = change.parcel
    with translation.override(language):
        words = status_label(change.status)
        subject = _("%(status)s: %(carrier)s parcel %(number)s") % {
            "status": words,
            "carrier": carrier_name(parcel.carrier),
            "number": parcel.number,
        }
        arrival = arrival_answer(change.status, change.expected_delivery, change.delivered_on)
    return ParcelNews(
        subject=subject,
        status_words=words,
        arrival=arrival,
        permalink=permalink(parcel.carrier, parcel.number),
        tag=f"{parcel.carrier}/{parcel.number}",
    )


def push_payload(change: ParcelChange) -> dict[str, object]:
    """The JSON the service worker shows (static/js/sw.js), in every language of the site.

    A push subscription stores no language (nothing but its endpoint and keys): the device picks the words
    in its own language. Under a brand the operator's name is the title (as a shop's own app would show it) and
    the news goes below it.
    """
    parcel = change.parcel
    branded = current_brand() is not None
    texts: dict[str, dict[str, str]] = {}
    for code, _name in settings.LANGUAGES:
        news = parcel_news(change, code)
        if branded:
            body = f"{news.subject}\n{news.arrival}" if news.arrival else news.subject
            texts[code] = {"title": site_name(code), "body": body}
        else:
            texts[code] = {"title": news.subject, "body": news.arrival or news.status_words}
    return {"url": permalink(parcel.carrier, parcel.number), "tag": f"{parcel.carrier}/{parcel.number}", "texts": texts}
