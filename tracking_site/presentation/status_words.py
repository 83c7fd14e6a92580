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
    # Translators: a parcel's status: something holds it up on the way (customs, damage, a wrong address).
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
# Translators: the answer a parcel page opens with. %(status)s is a status ("In transit"); %(day)s is "today",
# "tomorrow" or a date ("Thursday 10 December", in the date format you chose): word it so either fits as it is.
ARRIVING = _("%(status)s: arriving %(day)s")
# Translators: an estimate's single day; %(status)s and %(day)s as in "%(status)s: arriving %(day)s".
LIKELY_ON = _("%(status)s: likely %(day)s")
# Translators: an estimate's days: %(first)s is "Thursday 10" (or with its month where the months differ),
# %(last)s "Saturday 12 December".
LIKELY_BETWEEN = _("%(status)s: likely %(first)s to %(last)s")
SLOWER_THAN_USUAL = _("%(status)s: taking longer than usual")
# Translators: %(day)s is "yesterday" or a date ("Sunday 6 December").
LATE = _("Late: was expected %(day)s")
OUT_FOR_DELIVERY_TODAY = _("Out for delivery: arriving today")
# Translators: %(day)s is "yesterday" or a date: the parcel has been out for delivery since then.
OUT_FOR_DELIVERY_SINCE = _("Out for delivery since %(day)s")
# Translators: %(day)s is "today", "yesterday" or a date; %(time)s the time of day there ("14:31").
DELIVERED_ON = _("Delivered %(day)s %(time)s")
# Translators: %(place)s is the city or depot of the delivery scan ("Phoenix", "PostShop Lambton Quay").
DELIVERED_ON_IN = _("Delivered %(day)s %(time)s, %(place)s")
DELIVERED_IN = _("Delivered, %(place)s")
WAITING_FOR_YOU = _("Waiting for you at the pickup point")
# Translators: %(place)s is the pickup point's name ("PostShop Lambton Quay").
WAITING_AT = _("Waiting for you at the pickup point, %(place)s")
# Translators: %(place)s is the pickup point's name; %(day)s the last day to collect it ("tomorrow" or a date).
WAITING_AT_UNTIL = _("Waiting for you at the pickup point, %(place)s, until %(day)s")
# Translators: %(day)s is the last day to collect it ("tomorrow" or a date).
WAITING_UNTIL = _("Waiting for you at the pickup point until %(day)s")
# Translators: after a failed delivery; %(day)s is "today", "tomorrow" or a date.
MISSED_YOU_NEXT_ATTEMPT = _("Missed you: next attempt %(day)s")
# Translators: %(reason)s is one of the return reasons ("address not found", "refused at delivery"), in lower case.
RETURNED_BECAUSE = _("Returned: %(reason)s")
# Translators: %(carrier)s is a carrier's name (never translated: "DHL eCommerce", "NZ Post", "PostPlus").
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
# Translators: %(day)s is a date ("Thursday 10 December").
EXPECTED_ON = _("Expected %(day)s")
# Translators: %(day)s is a date ("Thursday 10 December").
WAS_EXPECTED = _("It was expected %(day)s")
# Said only where the visitor's own day is another (the page's script shows it): the page's days are the parcel's.
# Translators: shown where the visitor's own day is another; %(day)s is a date ("Tuesday 1 December").
PARCEL_DAY_NOTE = _("“Today” on this page is the parcel's day: %(day)s where it is.")
CARDS_DAY_NOTE = _("“Today” on these cards is each parcel's own day, where the parcel is.")

# Translators: a day inside sentences ("arriving today", "Delivered yesterday 14:31") and beside a timeline's day
# heading; in lower case unless your language writes it otherwise.
TODAY = _("today")
# Translators: a day inside sentences ("arriving tomorrow", "next attempt tomorrow").
TOMORROW = _("tomorrow")
# Translators: a day inside sentences ("Delivered yesterday 14:31") and beside a timeline's day heading.
YESTERDAY = _("yesterday")

# --- Who delivers the last stretch: "Now with X" only once a scan shows X has it -----------------------------------
# Translators: %(carrier)s is the carrier that delivered the last stretch ("Latvijas Pasts", "USPS").
DELIVERED_BY = _("Delivered by %(carrier)s")
# Translators: %(carrier)s is the carrier that has the parcel now ("PostNord", "USPS").
NOW_WITH = _("Now with %(carrier)s")
# Translators: %(carrier)s is a carrier's name; %(country)s a country's name (translated here too: "Sweden").
DELIVERS_IN = _("%(carrier)s delivers it in %(country)s")
# Translators: %(carrier)s is a carrier's name.
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
    # Translators: a link's words; %(name)s is the carrier's name ("NZ Post", "PostNord").
    Status.AWAITING_PICKUP: _("See the pickup details on the %(name)s website"),
    Status.DELIVERY_FAILED: _("Choose a new delivery on the %(name)s website"),
    Status.EXCEPTION: _("Ask %(name)s on its website"),
    Status.RETURNED: _("Ask %(name)s on its website"),
}
