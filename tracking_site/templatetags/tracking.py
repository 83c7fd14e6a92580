"""Template filters for tracking pages: honest local times."""

from __future__ import annotations

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def local_time(value: datetime | None) -> str:
    """'Tue 2 May 2024, 14:31 CDT': the time where the event happened, with its zone or offset."""
    if not value:
        return ""
    zone = value.tzname() or ""
    return f"{value:%a} {value.day} {value:%b %Y, %H:%M} {zone}".strip()


@register.filter
def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""
