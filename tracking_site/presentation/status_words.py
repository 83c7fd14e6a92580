"""Our words for statuses and carriers, in the visitor's language: the one status-label table of the site.

carriers/ knows nothing of Django or languages; carrier descriptions are shown as the carrier wrote them.
"""

from __future__ import annotations

import functools

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from carriers.model import Status
from carriers.registry import CARRIER_NAMES

STATUS_LABELS: dict[Status, Promise] = {
    # Not "Information received": the carrier knows of a label, nobody has scanned the parcel yet.
    Status.INFO_RECEIVED: _("Label created"),
    Status.IN_TRANSIT: _("In transit"),
    Status.OUT_FOR_DELIVERY: _("Out for delivery"),
    Status.AWAITING_PICKUP: _("Awaiting pickup"),
    Status.DELIVERED: _("Delivered"),
    Status.DELIVERY_FAILED: _("Delivery attempt failed"),
    Status.EXCEPTION: _("Exception"),
    Status.RETURNED: _("Returned to sender"),
    Status.UNKNOWN: _("Status unknown"),
}


def status_label(status: Status | str) -> str:
    """The status in words, in the visitor's language."""
    return _label(status, get_language())


@functools.lru_cache(maxsize=256)
def _label(status: Status | str, language: str | None) -> str:
    """Looked up once per status and language: a results page asks about a hundred times."""
    try:
        return str(STATUS_LABELS[Status(status)])
    except ValueError:
        return str(STATUS_LABELS[Status.UNKNOWN])


def carrier_name(slug: str) -> str:
    """The carrier's name as its client spells it; the slug itself for a carrier we do not know."""
    return CARRIER_NAMES.get(slug, slug)


# --- The answer a parcel page opens with: the status in words with its "when" -------------------------------------
# %(day)s is day words: today, tomorrow, yesterday, else the day with its date; a range's %(first)s and %(last)s
# are dates ("Thursday 10", "Saturday 12 December").
ARRIVING = _("%(status)s: arriving %(day)s")
LIKELY_ON = _("%(status)s: likely %(day)s")
LIKELY_BETWEEN = _("%(status)s: likely %(first)s to %(last)s")
SLOWER_THAN_USUAL = _("%(status)s: taking longer than usual")
LATE = _("Late: was expected %(day)s")
OUT_FOR_DELIVERY_TODAY = _("Out for delivery: arriving today")
OUT_FOR_DELIVERY_SINCE = _("Out for delivery since %(day)s")
DELIVERED_ON = _("Delivered %(day)s %(time)s")
WAITING_FOR_YOU = _("Waiting for you at the pickup point")
WAITING_AT = _("Waiting for you at the pickup point, %(place)s")
WAITING_AT_UNTIL = _("Waiting for you at the pickup point, %(place)s, until %(day)s")
WAITING_UNTIL = _("Waiting for you at the pickup point until %(day)s")
MISSED_YOU_NEXT_ATTEMPT = _("Missed you: next attempt %(day)s")
RETURNED_BECAUSE = _("Returned: %(reason)s")
NOT_SCANNED_YET = _("The sender has created a label; %(carrier)s has not scanned it yet")
# Statuses whose answer is a fixed phrase rather than the label with a "when".
HEADLINE_WORDS: dict[Status, Promise] = {
    Status.OUT_FOR_DELIVERY: OUT_FOR_DELIVERY_TODAY,
    Status.AWAITING_PICKUP: WAITING_FOR_YOU,
    Status.EXCEPTION: _("Held up on the way"),
    Status.UNKNOWN: STATUS_LABELS[Status.UNKNOWN],
}

# The line under the answer: who to ask, or the day a label's parcel is expected (dates, never "tomorrow").
ASK_THE_SENDER_FIRST = _(
    "Ask the sender what happens now: a new delivery or a refund. %(carrier)s can tell you where the parcel is."
)
EXPECTED_ON = _("Expected %(day)s")
WAS_EXPECTED = _("It was expected %(day)s")
# Said only where the visitor's own day is another (the page's script shows it): the page's days are the parcel's.
PARCEL_DAY_NOTE = _("“Today” on this page is the parcel's day: %(day)s where it is.")
CARDS_DAY_NOTE = _("“Today” on these cards is each parcel's own day, where the parcel is.")

TODAY, TOMORROW, YESTERDAY = _("today"), _("tomorrow"), _("yesterday")

# --- Who delivers the last stretch: "Now with X" only once a scan shows X has it -----------------------------------
DELIVERED_BY = _("Delivered by %(carrier)s")
NOW_WITH = _("Now with %(carrier)s")
DELIVERS_IN = _("%(carrier)s delivers it in %(country)s")
WILL_DELIVER = _("%(carrier)s will deliver it")

# --- What to do now, for the statuses that need the recipient -------------------------------------------------------
WHAT_NOW_ADVICE: dict[Status, Promise] = {
    Status.AWAITING_PICKUP: _("Collect it in person: take the tracking number and some photo ID with you."),
    Status.DELIVERY_FAILED: _(
        "The carrier could not deliver it. It usually tries again or takes it to a pickup point; its own page "
        "lets you choose a new day or place."
    ),
    Status.EXCEPTION: _(
        "Something is holding it up. The carrier's own page may say what it needs from you; if nothing changes "
        "in a few days, ask the sender."
    ),
    # The answer above already says to ask the sender first; the box is for the carrier's side.
    Status.RETURNED: _("If the sender cannot help, ask the carrier where the parcel is now."),
}
# A late parcel's box, shown only under a brand (it then offers the operator's contact first).
LATE_ADVICE = _("It is later than the carrier said. Parcels often move again within a day or two.")
# The link to the carrier's own page, worded for what the visitor goes there to do.
WHAT_NOW_LINK: dict[Status, Promise] = {
    Status.AWAITING_PICKUP: _("See the pickup details on the %(name)s website"),
    Status.DELIVERY_FAILED: _("Choose a new delivery on the %(name)s website"),
    Status.EXCEPTION: _("Ask %(name)s on its website"),
    Status.RETURNED: _("Ask %(name)s on its website"),
}
