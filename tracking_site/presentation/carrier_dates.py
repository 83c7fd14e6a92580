"""Days a carrier wrote into its own text: a collection deadline, the next delivery attempt.

Carriers publish no field for either (the three documents have none), so where a scan's words say it ("collect by
12 December", "new attempt tomorrow") the page can put the day in its answer. Words we do not recognise give no
day: a guessed day would be worse than none.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# "2026-12-12", "12 December", "12th of Dec 2026", "December 12", "Dec. 12th, 2026".
DATE = (
    r"(?:(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>[a-z]{3,9})\.?(?:,?\s+(?P<year>\d{4}))?"
    r"|(?P<month2>[a-z]{3,9})\.?\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year2>\d{4}))?)\b"
)
# "collect by 12 December", "until Friday 12 Dec 2026", "before December 12", "by 2026-12-12".
DEADLINE = re.compile(
    r"\b(?:by|until|before|no later than)\s+(?:[a-z]+day,?\s+)?(?:the\s+)?" + DATE,
    re.IGNORECASE,
)
# "collect within 7 days": counted from the scan that said so.
WITHIN_DAYS = re.compile(r"\bwithin\s+(?P<days>\d{1,2})\s+(?:calendar\s+)?days\b", re.IGNORECASE)
# What announces the next attempt: "new attempt", "next delivery attempt", "we will try again", "redelivery".
NEXT_ATTEMPT = re.compile(
    r"\b(?:(?:new|next|another|second|further)\s+(?:delivery\s+)?attempt"
    r"|(?:try|attempt|deliver(?:\s+it)?)\s+again"
    r"|re-?deliver(?:y|ed)?|re-?attempt(?:ed)?)\b",
    re.IGNORECASE,
)
# The day it names, in the same sentence after it.
ATTEMPT_DAY = re.compile(
    r"\b(?P<today>today)\b|\b(?P<tomorrow>tomorrow)\b|\b(?P<business>next\s+(?:business|working)\s+day)\b"
    rf"|\b(?P<weekday>{'|'.join(WEEKDAY_NAMES)})\b|\b" + DATE,
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.;!?](?:\s|$)")
SATURDAY = 5


def deadline_in(text: str, said_on: date) -> date | None:
    """A collection deadline the carrier wrote into its text, or None; a year left out is the next such date."""
    if match := WITHIN_DAYS.search(text):
        return said_on + timedelta(days=int(match["days"]))
    match = DEADLINE.search(text)
    return _date_of(match, said_on) if match else None


def next_attempt_in(text: str, said_on: date) -> date | None:
    """The day of the next delivery attempt the carrier wrote into its text ('new attempt tomorrow'), or None."""
    announced = NEXT_ATTEMPT.search(text)
    if announced is None:
        return None
    rest = text[announced.end() :]
    sentence = rest[: end.start()] if (end := SENTENCE_END.search(rest)) else rest
    match = ATTEMPT_DAY.search(sentence)
    if match is None:
        return None
    if match["today"]:
        return said_on
    if match["tomorrow"]:
        return said_on + timedelta(days=1)
    if match["business"]:
        following = said_on + timedelta(days=1)
        while following.weekday() >= SATURDAY:
            following += timedelta(days=1)
        return following
    if match["weekday"]:
        ahead = (WEEKDAY_NAMES.index(match["weekday"].casefold()) - said_on.weekday()) % 7
        return said_on + timedelta(days=ahead or 7)  # "on Tuesday" said on a Tuesday is next week's
    return _date_of(match, said_on)


def _date_of(match: re.Match[str], said_on: date) -> date | None:
    """The date a DATE group matched; a year left out is the next such date from `said_on`."""
    if match["iso"]:
        try:
            return date.fromisoformat(match["iso"])
        except ValueError:
            return None
    day, month_name, year = (
        (match["day"], match["month"], match["year"])
        if match["day"]
        else (match["day2"], match["month2"], match["year2"])
    )
    month = MONTHS.get(month_name.casefold())
    if month is None:
        return None
    try:
        if year:
            return date(int(year), month, int(day))
        found = date(said_on.year, month, int(day))
        return found if found >= said_on else date(said_on.year + 1, month, int(day))
    except ValueError:
        return None
