"""What a visitor is told when a carrier could not answer: the HTTP status, the sentence, when to retry."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop, ngettext

from carriers.model import CarrierFailure, FailureReason
from tracking_site.presentation.status_words import carrier_name


@dataclass(frozen=True)
class FailureMessage:
    http_status: int
    message: str  # a whole sentence with %(carrier)s, so translators can order the words
    retry_after_seconds: int


FAILURES: dict[FailureReason, FailureMessage] = {
    FailureReason.TIMEOUT: FailureMessage(504, gettext_noop("%(carrier)s did not answer in time."), 30),
    FailureReason.UNAVAILABLE: FailureMessage(503, gettext_noop("%(carrier)s is not available right now."), 60),
    FailureReason.BAD_RESPONSE: FailureMessage(502, gettext_noop("%(carrier)s sent an answer we could not read."), 60),
    FailureReason.AUTH: FailureMessage(502, gettext_noop("%(carrier)s refused our connection (we are on it)."), 300),
    FailureReason.RATE_LIMITED: FailureMessage(503, gettext_noop("%(carrier)s is busy and asked us to slow down."), 30),
    FailureReason.PARTIAL: FailureMessage(
        502, gettext_noop("%(carrier)s answered only in part (some of its systems are offline)."), 60
    ),
}

# The InvalidNumber messages of carriers.detect (a visitor's number) and carriers.nzpost (a staff search's partial
# reference), listed so the catalogue translates them where they are shown.
INVALID_NUMBER_MESSAGES = (
    gettext_noop("That is not a tracking number."),
    gettext_noop("A tracking number has 5 to 40 characters."),
    gettext_noop("A tracking number has only letters, digits and hyphens."),
    gettext_noop("A partial reference has 4 to 40 letters and digits."),
)


def failure_text(carrier: str, reason: FailureReason, retry_after_seconds: int | None = None) -> str:
    """A sentence for visitors: what failed and when to try again (the same wait as the answer's Retry-After)."""
    failure = FAILURES[reason]
    what = gettext(failure.message) % {"carrier": carrier_name(carrier)}
    return f"{what} {retry_words(retry_after_seconds or failure.retry_after_seconds)}"


def seconds_to_retry(result: CarrierFailure) -> int:
    """Seconds until asking again is worth it: what the site knows for this failure, else the failure's usual wait."""
    return result.retry_after_seconds or FAILURES[result.reason].retry_after_seconds


def failure_words(result: CarrierFailure) -> str:
    """`failure_text` for a failed lookup, with its own wait."""
    return failure_text(result.carrier, result.reason, seconds_to_retry(result))


def retry_words(seconds: int) -> str:
    """'Please try again in about 30 seconds.' under a minute, in whole minutes from there."""
    if seconds < 60:
        return ngettext(
            "Please try again in about %(seconds)d second.", "Please try again in about %(seconds)d seconds.", seconds
        ) % {"seconds": seconds}
    minutes = seconds // 60
    return ngettext(
        "Please try again in about %(minutes)d minute.", "Please try again in about %(minutes)d minutes.", minutes
    ) % {"minutes": minutes}
