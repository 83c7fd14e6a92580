"""The line above a search's cards: '3 of 4 found · 1 arriving today'."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

from tracking_site.presentation.local_times import DayNote
from tracking_site.presentation.status_words import CARDS_DAY_NOTE


@dataclass(frozen=True)
class ResultCounts:
    searched: int
    found: int
    arriving_today: int = 0
    delivered: int = 0
    need_you: int = 0
    unanswered: int = 0  # carriers that could not answer
    still_asking: int = 0  # carriers still being asked at the search's deadline
    rejected: int = 0  # entries that are not tracking numbers


def summary_line(counts: ResultCounts) -> str:
    """The counts that are not zero, most important first, in the visitor's language."""
    parts = [
        # Translators: the first count of a search's summary line ("3 of 4 found · 1 arriving today"): parcels found
        # among the numbers searched; the plural follows the numbers searched.
        ngettext("%(found)d of %(searched)d found", "%(found)d of %(searched)d found", counts.searched)
        % {"found": counts.found, "searched": counts.searched}
    ]
    optional = (
        (
            counts.arriving_today,
            ngettext("%(count)d arriving today", "%(count)d arriving today", counts.arriving_today),
        ),
        (counts.need_you, ngettext("%(count)d needs you", "%(count)d need you", counts.need_you)),
        (counts.delivered, ngettext("%(count)d delivered", "%(count)d delivered", counts.delivered)),
        (counts.unanswered, ngettext("%(count)d not checked", "%(count)d not checked", counts.unanswered)),
        (
            counts.still_asking,
            ngettext("%(count)d still being checked", "%(count)d still being checked", counts.still_asking),
        ),
        (
            counts.rejected,
            ngettext("%(count)d not a tracking number", "%(count)d not tracking numbers", counts.rejected),
        ),
    )
    parts += [text % {"count": count} for count, text in optional if count]
    return " · ".join(parts)


def names_or(names: list[str]) -> str:
    """'NZ Post', 'NZ Post or PostPlus', 'DHL eCommerce, NZ Post or PostPlus'."""
    if len(names) < 2:
        return "".join(names)
    # Translators: carriers' names: %(first)s is one name or several separated by commas ("DHL eCommerce, NZ Post"),
    # %(last)s the last one.
    return gettext("%(first)s or %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def cards_day_note(parcel_days: list[str]) -> DayNote | None:
    """The note that the cards' "today" is each parcel's own, given the parcel days of the cards that say one."""
    days = sorted({day for day in parcel_days if day})
    return DayNote(str(CARDS_DAY_NOTE), " ".join(days)) if days else None
