"""Carrier text as a page shows it: ALL-CAPS scans in sentence case, places in title case, and its language."""

from __future__ import annotations

import re

# Words an ALL-CAPS scan keeps as they are spelled (acronyms and names), keyed by their lower case.
KEPT_SPELLINGS = {
    word.casefold(): word
    for word in (
        "DHL",
        "eCommerce",
        "USPS",
        "UPS",
        "FedEx",
        "NZ",
        "ID",
        "PO",
        "UK",
        "EU",
        "USA",
        "PostPlus",
        "PostNord",
        "PostShop",
        "CourierPost",
        # Days and months are names in English (not "May": it is also a verb).
        *("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        *("January", "February", "March", "April", "June", "July", "August"),
        *("September", "October", "November", "December"),
    )
}
# The language each carrier writes its scans in, so a Dutch page marks them as English for screen readers.
CARRIER_TEXT_LANGUAGES = {"dhl-ecommerce": "en", "nzpost": "en", "postplus": "en"}
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# A part of a place this short in capitals is a code (IL, US, NSW), not a name.
CODE_LENGTH = 3


def shouts(text: str) -> bool:
    """Whether the text is written in capitals only (and has enough letters to tell)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 3 and all(c.isupper() for c in letters)


SENTENCE_START = re.compile(r"(^|[.!?]\s+)([^\W\d_])", re.UNICODE)


def sentence_case(text: str, names: str = "") -> str:
    """'ARRIVAL DHL ECOMMERCE FACILITY' -> 'Arrival DHL eCommerce facility'; text in mixed case is left alone.

    Words of `names` (the scan's place, say) keep the spelling they have there.
    """
    if not shouts(text):
        return text
    kept = {**KEPT_SPELLINGS, **{word.casefold(): word for word in WORD.findall(names) if not shouts(word)}}
    lowered = WORD.sub(lambda word: kept.get(word.group(0).casefold(), word.group(0).lower()), text)
    return SENTENCE_START.sub(lambda match: match.group(1) + match.group(2).upper(), lowered)


def place_case(label: str) -> str:
    """'MELROSE PARK, IL, US' -> 'Melrose Park, IL, US'; places in mixed case are left alone."""
    if not shouts(label):
        return label
    parts = []
    for part in label.split(","):
        name = part.strip()
        parts.append(name if _is_code(name) else WORD.sub(lambda word: _title(word.group(0)), name))
    return ", ".join(parts)


def _is_code(name: str) -> bool:
    """'IL', 'NSW', 'GB-LHR-CUS': a state, country or facility code, not a name to title-case."""
    pieces = re.split(r"[-_/]", name)
    return " " not in name and all(len(piece) <= CODE_LENGTH and piece.isalnum() for piece in pieces)


def _title(word: str) -> str:
    return KEPT_SPELLINGS.get(word.casefold(), word[:1].upper() + word[1:].lower())


def carrier_language(carrier: str) -> str:
    """The language the carrier writes its scans in, "" where we do not know it."""
    return CARRIER_TEXT_LANGUAGES.get(carrier, "")


def foreign_language(carrier: str, page_language: str) -> str:
    """The `lang` a carrier's text needs on this page: its own language where it differs, else ""."""
    own = carrier_language(carrier)
    return own if own and own != page_language.split("-")[0] else ""


def says_the_same(ours: str, theirs: str) -> bool:
    """Whether the carrier's words repeat ours ("DELIVERED" beside "Delivered"): then ours alone are enough."""
    return WORD.findall(ours.casefold()) == WORD.findall(theirs.casefold())
