"""Template helpers for tracking pages: honest local times, status words, the page's view model, share links."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import datetime
from urllib.parse import urlencode

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from carriers.model import Parcel, Status, TrackingEvent
from tracking_site.presentation.links import absolute_url
from tracking_site.presentation.local_times import ShownTime, event_shown_time, local_text
from tracking_site.presentation.milestones import MilestoneStep, StepState
from tracking_site.presentation.not_found import mistyped_words
from tracking_site.presentation.number_groups import number_groups
from tracking_site.presentation.status_words import status_label as translated_status_label

register = template.Library()


@register.filter
def local_time(value: datetime | None) -> str:
    """'Tue 2 May, 14:31 CDT': the time where the event happened, with its zone or offset."""
    if not value:
        return ""
    return local_text(value, timezone.now())


@register.filter
def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


@register.filter
def event_text(event: TrackingEvent) -> str:
    """What the carrier said of a scan, or the status in words where it said nothing."""
    return event.description or translated_status_label(event.status)


@register.filter
def status_label(value: Status | str) -> str:
    """The status in the visitor's language."""
    return translated_status_label(value)


# The status's icon, so colour never carries the meaning alone (hidden from screen readers: the words follow).
STATUS_ICONS = {
    Status.DELIVERED: "✓",
    Status.EXCEPTION: "!",
    Status.DELIVERY_FAILED: "!",
    Status.RETURNED: "↩",
    Status.OUT_FOR_DELIVERY: "→",
    Status.AWAITING_PICKUP: "⌂",
    Status.IN_TRANSIT: "⇢",
    Status.INFO_RECEIVED: "○",
}


@register.simple_tag
def status_icon(status: Status | str) -> str:
    """`{% status_icon parcel.status %}`: the status's icon alone, for the headline and cards."""
    return STATUS_ICONS.get(Status(status), "•")


@register.simple_tag
def grouped_number(number: str) -> SafeString:
    """`{% grouped_number number %}`: the number in groups that never break, copied whole (no spaces in it)."""
    groups = "<wbr>".join(f'<span class="group">{escape(group)}</span>' for group in number_groups(number))
    return mark_safe(f'<span class="number" translate="no">{groups}</span>')  # noqa: S308 - every group escaped


# `{% mistyped_words number as mistyped %}`: on a not-found answer, the sentence saying one character may be mistyped.
register.simple_tag(mistyped_words)


# Open Graph names a locale with its territory; ours are the languages' home countries.
OG_LOCALES = {
    "en": "en_GB",
    "nl": "nl_NL",
    "et": "et_EE",
    "lv": "lv_LV",
    "lt": "lt_LT",
    "fi": "fi_FI",
    "sv": "sv_SE",
    "es": "es_ES",
}


@register.filter
def og_locale(language: str) -> str:
    """'nl' -> 'nl_NL', for og:locale."""
    return OG_LOCALES.get(language.split("-")[0], language.replace("-", "_"))


@register.filter
def date_locale(language: str) -> str:
    """'en' -> 'en-GB': the script writes the visitor's times in the order the page writes its own (day month)."""
    return og_locale(language).replace("_", "-")


@register.simple_tag
def status_badge(parcel: Parcel) -> str:
    """`{% status_badge parcel %}`: the status as icon and words (a tag, not an include: cards render 25 at once)."""
    return format_html(
        '<span class="badge status-{}"><span class="badge-icon" aria-hidden="true">{}</span> {}</span>',
        parcel.status.value,
        STATUS_ICONS.get(parcel.status, "•"),
        translated_status_label(parcel.status),
    )


# The step a screen reader announces as where the parcel is now.
ARIA_CURRENT = dict.fromkeys((StepState.CURRENT, StepState.PROBLEM), mark_safe(' aria-current="step"'))


@register.simple_tag
def milestones(steps: Iterable[MilestoneStep], compact: bool = False) -> SafeString:
    """`{% milestones steps compact=True %}`: the milestone bar, each step's state in words as well as by icon and
    colour (a tag, not an include: a results page draws 25 of them, most of them alike, so each distinct bar is
    drawn once per language)."""
    return _milestone_bar(tuple(steps), compact, get_language())


@functools.lru_cache(maxsize=512)
def _milestone_bar(steps: tuple[MilestoneStep, ...], compact: bool, language: str | None) -> SafeString:
    items = format_html_join(
        "\n",
        '<li class="step step-{}"{}><span class="step-icon" aria-hidden="true">{}</span> '
        '<span class="step-label">{}</span><span class="visually-hidden"> ({})</span></li>',
        (
            (step.state.value, ARIA_CURRENT.get(step.state, ""), step.icon, step.label, step.state_words)
            for step in steps
        ),
    )
    return format_html(
        '<ol class="milestones{}" aria-label="{}">\n{}\n</ol>',
        " milestones-compact" if compact else "",
        gettext("Progress"),
        items,
    )


@register.simple_tag
def event_time(event: TrackingEvent, parcel: Parcel) -> ShownTime:
    """`{% event_time event parcel as shown %}`: one event's honest local time, for summary cards."""
    return event_shown_time(event, parcel, timezone.now())


@register.simple_tag(takes_context=True)
def share_url(context: Mapping[str, object], path: str = "") -> str:
    """The canonical absolute address (SITE_URL) of `path` (default: this page), for the copy-link field."""
    request = context.get("request")
    if not path:
        if not isinstance(request, HttpRequest):
            return ""
        path = request.path
    return absolute_url(path)


@register.simple_tag
def results_permalink(cards: Iterable[Mapping[str, object]], carrier: str | None = None) -> str:
    """`/track/?q=A,B,C`: the multi-parcel permalink of a results page, whatever separators were typed."""
    query = {"q": ",".join(str(card["number"]) for card in cards)}
    if carrier:
        query["carrier"] = carrier
    return f"{reverse('track')}?{urlencode(query, safe=',')}"
