"""Honest times: each event in the local time where it happened, with its zone, plus how long ago."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext_lazy, pgettext_lazy

from carriers.model import Parcel, TrackingEvent
from tracking_site.presentation.status_words import TODAY, TOMORROW, YESTERDAY

# The zone shown for a destination country when the carrier gave only UTC. Countries spanning several
# zones are left out on purpose: a guessed zone would be a dishonest time, UTC is an honest one.
COUNTRY_ZONES: dict[str, str] = {
    "AT": "Europe/Vienna",
    "BE": "Europe/Brussels",
    "BG": "Europe/Sofia",
    "CH": "Europe/Zurich",
    "CY": "Asia/Nicosia",
    "CZ": "Europe/Prague",
    "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn",
    "ES": "Europe/Madrid",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "GR": "Europe/Athens",
    "HR": "Europe/Zagreb",
    "HU": "Europe/Budapest",
    "IE": "Europe/Dublin",
    "IS": "Atlantic/Reykjavik",
    "IT": "Europe/Rome",
    "JP": "Asia/Tokyo",
    "LT": "Europe/Vilnius",
    "LU": "Europe/Luxembourg",
    "LV": "Europe/Riga",
    "MT": "Europe/Malta",
    "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo",
    "NZ": "Pacific/Auckland",
    "PL": "Europe/Warsaw",
    "RO": "Europe/Bucharest",
    "SE": "Europe/Stockholm",
    "SG": "Asia/Singapore",
    "SI": "Europe/Ljubljana",
    "SK": "Europe/Bratislava",
}
# NZ Post sends every time in UTC and delivers in New Zealand.
CARRIER_ZONES: dict[str, str] = {"nzpost": "Pacific/Auckland"}

# Our date and time formats, in Django's date-format letters, translated like words: each language orders and
# punctuates a date its own way ("Tuesday 1 December", "tiistai 1. joulukuuta", "gruodžio 1 d., antradienis").
# The names of days and months come from Django's own translations. locale/TRANSLATING.md lists the letters.
# A date standing alone (a timeline's day heading) and a date inside a sentence ("arriving %(day)s") are two
# formats: a language may need an article or a case there ("llega el jueves 10 de diciembre").
# Translators: a date standing alone, as a timeline's day heading (Django's date letters: l weekday, D short
# weekday, j day, F month, E month in the form a date needs where the language has one, b short month in lower
# case, M short month capitalized, Y year; a backslash keeps a letter as it is). English: "Tuesday 1 December".
DAY_FORMAT = pgettext_lazy("date format", "l j F")
# Translators: the same (see "l j F") for a day in another year. English: "Tuesday 1 December 2026".
DAY_YEAR_FORMAT = pgettext_lazy("date format", "l j F Y")
# Translators: a date inside a sentence, where "today" or "tomorrow" could stand instead: "arriving %(day)s",
# "Delivered %(day)s %(time)s", "Collect it by %(day)s" (letters as for "l j F"; an article or a preposition may
# go in, each letter of it after a backslash). English: "Tuesday 1 December".
SENTENCE_DAY_FORMAT = pgettext_lazy("date format in a sentence", "l j F")
# Translators: the same (see "l j F" in a sentence) for a day in another year. English: "Tuesday 1 December 2026".
SENTENCE_DAY_YEAR_FORMAT = pgettext_lazy("date format in a sentence", "l j F Y")
# Translators: the first day of a range within one month, in a sentence, the month said once after the last day:
# "likely Thursday 10 to Saturday 12 December". English: "Thursday 10".
RANGE_START_FORMAT = pgettext_lazy("date format in a sentence", "l j")
# Translators: a date and time format (see "l j F"; H hour 00-23, G hour 0-23, i minutes): a scan's moment,
# short, followed by its time zone ("CDT"). English: "Tue 2 May, 14:31".
MOMENT_FORMAT = pgettext_lazy("date format", "D j M, H:i")
# Translators: the same (see "D j M, H:i") for a moment in another year. English: "Sat 30 Dec 2023, 08:00".
MOMENT_YEAR_FORMAT = pgettext_lazy("date format", "D j M Y, H:i")
# Translators: a time of day format (H hour 00-23, G hour 0-23, i minutes), followed by the time zone ("CDT").
# English: "14:31".
TIME_FORMAT = pgettext_lazy("date format", "H:i")


@dataclass(frozen=True)
class DayNote:
    """'“Today” on this page is the parcel's day …': the page's script shows it where the visitor's own day differs
    from the parcel's (a server cannot know the visitor's day; a page shared by every visitor must not)."""

    text: str
    parcel_days: str  # the parcels' own today, ISO dates separated by spaces, for the script to compare


@dataclass(frozen=True)
class ShownTime:
    """A moment as the page shows it: local wording, machine-readable ISO form, and how long ago."""

    text: str
    iso: str
    relative: str


def zone_for_utc_times(parcel: Parcel) -> ZoneInfo | None:
    """The zone to show a parcel's UTC-only times in: the carrier's delivery area, else the destination's."""
    name = CARRIER_ZONES.get(parcel.carrier) or COUNTRY_ZONES.get(parcel.destination_country.upper())
    return ZoneInfo(name) if name else None


def gave_only_utc(moment: datetime) -> bool:
    """True when the carrier said UTC rather than where it happened (a zone named GMT is a real local zone)."""
    return moment.utcoffset() == timedelta(0) and (moment.tzname() or "UTC").startswith("UTC")


def where_it_happened(moment: datetime, utc_zone: ZoneInfo | None) -> datetime:
    """The moment in the zone to show: its own, unless it is UTC-only and a better zone is known."""
    if utc_zone is not None and gave_only_utc(moment):
        return moment.astimezone(utc_zone)
    return moment


def zone_label(moment: datetime) -> str:
    """'CDT', 'NZST', or 'UTC+2' for a fixed offset without a name."""
    name = moment.tzname() or ""
    if name and not name.startswith(("UTC", "+", "-")):
        return name
    offset = moment.utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    sign = "+" if offset >= timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_text(moment: datetime, now: datetime) -> str:
    """'Tue 2 May, 14:31 CDT' in the active language; the year only when it is not this year."""
    same_year = moment.year == now.astimezone(moment.tzinfo).year
    return f"{dateformat.format(moment, MOMENT_FORMAT if same_year else MOMENT_YEAR_FORMAT)} {zone_label(moment)}"


# How long ago, or how long until, as whole phrases per unit: each language inflects the number's noun as its own
# "ago" or "in" needs (Latvian "pirms 2 stundām", Lithuanian "po 2 valandų", Finnish "2 tunnin kuluttua"). Django's
# own durations ("2 hours") fit one case only, and some of its catalogues leave them untranslated.
AGO = {
    "year": ngettext_lazy("%(num)d year ago", "%(num)d years ago", "num"),
    "month": ngettext_lazy("%(num)d month ago", "%(num)d months ago", "num"),
    "week": ngettext_lazy("%(num)d week ago", "%(num)d weeks ago", "num"),
    "day": ngettext_lazy("%(num)d day ago", "%(num)d days ago", "num"),
    "hour": ngettext_lazy("%(num)d hour ago", "%(num)d hours ago", "num"),
    "minute": ngettext_lazy("%(num)d minute ago", "%(num)d minutes ago", "num"),
}
FROM_NOW = {
    "year": ngettext_lazy("in %(num)d year", "in %(num)d years", "num"),
    "month": ngettext_lazy("in %(num)d month", "in %(num)d months", "num"),
    "week": ngettext_lazy("in %(num)d week", "in %(num)d weeks", "num"),
    "day": ngettext_lazy("in %(num)d day", "in %(num)d days", "num"),
    "hour": ngettext_lazy("in %(num)d hour", "in %(num)d hours", "num"),
    "minute": ngettext_lazy("in %(num)d minute", "in %(num)d minutes", "num"),
}


def relative_text(moment: datetime, now: datetime) -> str:
    """'3 hours ago', 'just now', or 'in 2 days' in the active language (the largest whole unit)."""
    if abs(now - moment) < timedelta(minutes=1):
        return gettext("just now")
    if moment > now:
        return timesince(now, moment, time_strings=FROM_NOW, depth=1)
    return timesince(moment, now, time_strings=AGO, depth=1)


def shown_time(moment: datetime, now: datetime, utc_zone: ZoneInfo | None = None) -> ShownTime:
    """How the page shows one moment."""
    local = where_it_happened(moment, utc_zone)
    return ShownTime(text=local_text(local, now), iso=local.isoformat(), relative=relative_text(moment, now))


def event_shown_time(event: TrackingEvent, parcel: Parcel, now: datetime) -> ShownTime:
    """One event's honest local time, as a summary card shows it."""
    return shown_time(event.occurred_at, now, zone_for_utc_times(parcel))


def parcel_zone(parcel: Parcel) -> tzinfo:
    """Where the parcel is now, for "today" and "tomorrow": its newest scan's zone, else its destination's."""
    utc_zone = zone_for_utc_times(parcel)
    latest = parcel.latest_event
    if latest is not None:
        return where_it_happened(latest.occurred_at, utc_zone).tzinfo or UTC
    return utc_zone or UTC


def parcel_today(parcel: Parcel, now: datetime) -> date:
    """Today where the parcel is: what "today", "tomorrow" and "late" on its page count from."""
    return now.astimezone(parcel_zone(parcel)).date()


def time_of_day(moment: datetime) -> str:
    """'14:31' ('14.31' in Finnish) as the clock showed it where it happened."""
    return dateformat.time_format(moment.time(), TIME_FORMAT)


def clock_text(moment: datetime) -> str:
    """'14:31 CDT': a time of day where it happened, for a timeline already grouped by day."""
    return f"{time_of_day(moment)} {zone_label(moment)}"


def long_date(day: date, today: date) -> str:
    """'Tuesday 1 December' standing alone (a heading) in the active language; the year only when not this year."""
    return dateformat.format(day, DAY_FORMAT if day.year == today.year else DAY_YEAR_FORMAT)


def date_in_sentence(day: date, today: date | None = None) -> str:
    """'Tuesday 1 December' as a sentence says it ('el martes 1 de diciembre'); the year only when `today` is in
    another one (a notification about the days ahead gives no `today`, and never the year)."""
    same_year = today is None or day.year == today.year
    return dateformat.format(day, SENTENCE_DAY_FORMAT if same_year else SENTENCE_DAY_YEAR_FORMAT)


def day_words(day: date, today: date) -> str:
    """'today', 'tomorrow', 'yesterday', else the day with its date ('Thursday 10 December'), for a sentence: a
    weekday alone is a riddle a week later, and a page is read, printed and shared on other days."""
    distance = (day - today).days
    if distance == 0:
        return str(TODAY)
    if distance == 1:
        return str(TOMORROW)
    if distance == -1:
        return str(YESTERDAY)
    return date_in_sentence(day, today)


def day_range_words(first: date, last: date, today: date) -> tuple[str, str]:
    """('Thursday 10', 'Saturday 12 December'): a range's two days in a sentence, the month and year said once
    where shared.

    Never 'tomorrow to Thursday': a range names its days by their dates.
    """
    if (first.year, first.month) == (last.year, last.month):
        return dateformat.format(first, RANGE_START_FORMAT), date_in_sentence(last, today)
    if first.year == last.year:
        return date_in_sentence(first, today), date_in_sentence(last, today)
    return dateformat.format(first, SENTENCE_DAY_YEAR_FORMAT), dateformat.format(last, SENTENCE_DAY_YEAR_FORMAT)
