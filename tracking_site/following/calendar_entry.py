"""A parcel's calendar entry (RFC 5545): one all-day VEVENT on its expected (or delivered) day, or across the
estimated days where the carrier names none.

The UID is the same for a parcel on every fetch, so a calendar that imported or subscribed to the entry moves
it when the day moves; SEQUENCE grows with time, so the newer copy always wins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from carriers.model import Parcel
from tracking_site.brand.current import current_brand, site_name
from tracking_site.following.arrival import delivered_day, expected_days
from tracking_site.following.messages import permalink
from tracking_site.presentation.links import site_url
from tracking_site.presentation.status_words import carrier_name, status_label

SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
MAX_LINE_OCTETS = 75


@dataclass(frozen=True)
class CalendarDay:
    day: date
    delivered: bool
    last_day: date | None = None  # an estimate's last day: the entry spans day .. last_day

    @property
    def end(self) -> date:
        """DTEND of an all-day entry: the day after its last day."""
        return max(self.last_day or self.day, self.day) + timedelta(days=1)


def calendar_day(parcel: Parcel) -> CalendarDay | None:
    """The day the entry is for: the delivery day once delivered, else the expected day; None when unknown."""
    delivered = delivered_day(parcel)
    if delivered is not None:
        return CalendarDay(delivered, delivered=True)
    days = expected_days(parcel)
    if days is None:
        return None
    first, last = days
    return CalendarDay(first, delivered=False, last_day=last if last != first else None)


def event_uid(parcel: Parcel) -> str:
    digest = hashlib.sha256(f"{parcel.carrier}/{parcel.tracking_number}".encode()).hexdigest()[:32]
    return f"parcel-{digest}@{urlsplit(site_url()).hostname or 'localhost'}"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped; other controls dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return "".join(char for char in value if char >= " " or char == "\t")


def fold(line: str) -> str:
    """Content lines longer than 75 octets folded (3.1), never inside a UTF-8 character."""
    pieces: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode())
        limit = MAX_LINE_OCTETS if not pieces else MAX_LINE_OCTETS - 1  # a continuation starts with a space
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_document(parcel: Parcel, day: CalendarDay, now: datetime) -> str:
    """The whole VCALENDAR with its one VEVENT, CRLF line ends."""
    names = {"carrier": carrier_name(parcel.carrier), "number": parcel.tracking_number}
    if day.delivered:
        summary = _("Delivered: %(carrier)s parcel %(number)s") % names
    else:
        summary = _("Parcel delivery: %(carrier)s parcel %(number)s") % names
    link = permalink(parcel.carrier, parcel.tracking_number)
    description = f"{status_label(parcel.status)}\n{link}"
    brand = current_brand()
    if brand is not None:  # the operator's name in the entry, and as the name of a subscribed calendar
        description += f"\n{site_name()}"
    sequence = max(int((now - SEQUENCE_EPOCH).total_seconds() // 60), 0)
    lines: Iterable[str] = (
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Parcel tracking//Following//EN",  # the software that wrote it (RFC 5545), not the operator
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        # Subscribed calendars ask again this often.
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        *([f"NAME:{escape_text(site_name())}", f"X-WR-CALNAME:{escape_text(site_name())}"] if brand else []),
        "BEGIN:VEVENT",
        f"UID:{event_uid(parcel)}",
        f"DTSTAMP:{utc_stamp(now)}",
        f"LAST-MODIFIED:{utc_stamp(now)}",
        f"SEQUENCE:{sequence}",
        f"DTSTART;VALUE=DATE:{day.day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day.end:%Y%m%d}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{link}",
        "TRANSP:TRANSPARENT",
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    )
    return "".join(fold(line) + "\r\n" for line in lines)
