"""Why a parcel went back to its sender, in our words: 'Returned: address not found'.

No carrier publishes a code for the reason (the three documents have none), but their scans say it in words: on
the return scan itself ("returned to sender: customs clearance not completed") or on the failed attempt or hold
before it ("the address could not be found", "ADDRESSEE UNKNOWN"). The answer names the reason in the visitor's
language and never repeats the carrier's text, which is untrusted and may name people.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from carriers.model import Parcel, Status

# Only scans where something went wrong say why: "customs cleared" on the way must not read as a customs return.
SAYS_WHY = (Status.RETURNED, Status.DELIVERY_FAILED, Status.EXCEPTION, Status.AWAITING_PICKUP)

# Each reason, after "Returned: ", and the carrier words that say it (first match wins, newest scan first).
RETURN_REASONS: tuple[tuple[Promise, re.Pattern[str]], ...] = tuple(
    (words, re.compile(pattern, re.IGNORECASE))
    for words, pattern in (
        (
            _("address not found"),
            r"address\s+(?:could\s*n[o']t|can\s*n[o']t|was\s+not|is\s+not|not)\s+(?:be\s+)?(?:found|located)"
            r"|address\s+(?:unknown|incomplete|insufficient|incorrect|invalid|not\s+known)"
            r"|(?:unknown|incomplete|insufficient|incorrect|invalid|wrong|bad)\s+address"
            r"|undeliverable\s+as\s+addressed|no\s+such\s+(?:address|street|number)",
        ),
        (
            _("recipient not known at the address"),
            r"(?:addressee|recipient)\s+(?:unknown|not\s+known|moved|has\s+moved)|moved,?\s+left\s+no\s+address"
            r"|no\s+longer\s+(?:lives\s+)?at",
        ),
        (_("refused at delivery"), r"\brefused\b|\brejected\s+by\b|\bdeclined\s+by\b"),
        (
            _("not collected in time"),
            r"\bnot\s+(?:collected|picked\s+up|claimed)\b|\bunclaimed\b|\buncollected\b"
            r"|(?:storage|collection|holding)\s+(?:period|time)\s+(?:has\s+)?(?:expired|ended)",
        ),
        (
            _("customs clearance not completed"),
            r"held\s+(?:by|at|in)\s+customs|customs\s+(?:hold|clearance\s+(?:not|failed|refused))"
            r"|customs\b[^.]*\b(?:not\s+completed|refused|failed|missing|unpaid|not\s+paid)",
        ),
        (_("damaged on the way"), r"\bdamaged\b"),
    )
)


def return_reason(parcel: Parcel) -> str:
    """Why it was returned, in the visitor's language; "" when no scan says."""
    for event in parcel.events:
        if event.status not in SAYS_WHY or not event.description:
            continue
        for words, pattern in RETURN_REASONS:
            if pattern.search(event.description):
                return str(words)
    return ""
