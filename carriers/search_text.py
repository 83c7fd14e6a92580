"""Reading a search box: tracking numbers as people paste them from emails, receipts, labels and our own pages.

`LB 123 456 785 EE`, `9261 2903 5731 …` in fours, `Tracking number: LB123456785EE`, `RR204817360LV.`: each is one
number. What comes out is a list of entries, each still to pass `detect.normalize_number`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .base import InvalidNumber
from .detect import COURIERPOST_TICKET, DHL_PACKAGE_ID, IMPB, MAX_LENGTH, S10, normalize_number

# The shapes spaced or dashed groups are joined into. Pace job numbers (any 5 to 8 digits) are left out on purpose:
# any two short groups of digits would fit, so a grouped IMpb could be read as three Pace jobs.
GROUPED_SHAPES = (S10, COURIERPOST_TICKET, DHL_PACKAGE_ID, IMPB)
GROUPED_SHAPE = re.compile("|".join(f"(?:{shape.pattern})" for shape in GROUPED_SHAPES))
# A label before a colon ("Tracking number:", "Track & Trace:", "Zendingnummer:"): words with no digit.
COLON_LABEL = re.compile(r"^[^\W\d_][^\d:]*:")
# Words that name a number rather than being one, in English and Dutch, dropped beside a number.
LABEL_WORDS = frozenset(
    "TRACKING TRACK TRACE NUMBER NUMBERS NO NR NUM ID REF REFERENCE CODE BARCODE PARCEL PACKAGE SHIPMENT "
    "TRACKINGNUMBER TRACKINGNUMMER NUMMER ZENDING ZENDINGNUMMER PAKKET BARCODENUMMER TRACK&TRACE".split()
)
# The longest group people write a number in (fours); dashes between groups no longer make a word a number.
GROUP_MAX = 4
LINE_SEPARATORS = re.compile(r"[,;]")
DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63]")  # hyphens, en and em dashes, minus: a typed hyphen


@dataclass(frozen=True)
class Piece:
    """One entry read from a line: `is_number` when it is a valid number with a digit (labels beside it are
    dropped); `cost` 1 when it is not a number on its own (not one, or short groups between dashes, `123-456`)."""

    entry: str
    is_number: bool
    cost: int


def search_entries(text: str) -> list[str]:
    """The entries of a search box, as people paste numbers: each a number or something to name as not one.

    Entries are separated by new lines, commas and semicolons, and by spaces within a line. Within a line, spaced or
    dashed groups are joined when the joined text fits a known number shape, a label before a colon and label words
    beside a number are dropped, and punctuation around a word is dropped when what is left is a number. Nothing
    else changes what was typed: an entry with inner dashes that fits no shape stays as typed (`ORDER-58213-B`), and
    two numbers on one line stay two numbers.
    """
    folded = DASHES.sub("-", unicodedata.normalize("NFKC", text or ""))
    entries: list[str] = []
    for line in folded.splitlines():
        for segment in LINE_SEPARATORS.split(line):
            entries += _segment_entries(COLON_LABEL.sub("", segment.strip(), count=1))
    return entries


def _segment_entries(segment: str) -> list[str]:
    words = [word for word in segment.split() if _stripped(word)]  # a lone "#" or "—" is no entry
    pieces = _best_reading(words)
    if not any(piece.is_number for piece in pieces):
        return [piece.entry for piece in pieces]
    return [piece.entry for piece in pieces if piece.is_number or _stripped(piece.entry).upper() not in LABEL_WORDS]


def _best_reading(words: list[str]) -> list[Piece]:
    """The best reading of a line's words, by these in turn: the fewest words left that are not numbers; the fewest
    words glued that are numbers on their own; the fewest groups shorter than both their neighbours inside a joined
    number; the most entries; the longest number first.

    The second, third and fourth keep two numbers apart (an IMpb in fours ends in a short group, so one that swallowed
    the next one's first group would have a dip inside it); the last keeps a grouped number whole where a shorter
    prefix would also fit a shape (DHL's `GM` in fours, then an IMpb in fours).
    """
    singles = [_single_piece(word) for word in words]
    keys = [_dashless(_stripped(word)).upper() for word in words]
    # best[i]: the rank of the best reading of words[i:], its first piece and where the next piece starts; built
    # from the end.
    best: list[tuple[tuple[int, int, int, int, int], Piece | None, int]] = [((0, 0, 0, 0, 0), None, 0)] * (
        len(words) + 1
    )
    for start in range(len(words) - 1, -1, -1):
        single = singles[start]
        (cost, glued, dips, entries, _), _, _ = best[start + 1]
        best[start] = ((cost + single.cost, glued, dips, entries - 1, -len(single.entry)), single, start + 1)
        joined = keys[start]
        numbers_in_run = 1 - single.cost
        dips_in_run = 0
        for end in range(start + 1, len(words)):
            joined += keys[end]
            numbers_in_run += 1 - singles[end].cost
            if end - 1 > start and len(keys[end - 1]) < min(len(keys[end - 2]), len(keys[end])):
                dips_in_run += 1
            if len(joined) > MAX_LENGTH:
                break
            (cost, glued, dips, entries, _), _, _ = best[end + 1]
            rank = (cost, glued + numbers_in_run, dips + dips_in_run, entries - 1, -len(joined))
            if rank < best[start][0] and _fits_grouped_shape(joined):
                best[start] = (rank, Piece(joined, True, 0), end + 1)
    pieces: list[Piece] = []
    position = 0
    while (piece := best[position][1]) is not None:
        pieces.append(piece)
        position = best[position][2]
    return pieces


def _single_piece(word: str) -> Piece:
    """One word read on its own: its dashes dropped if that fits a shape, its surrounding punctuation if that leaves
    a number, else as typed."""
    stripped = _stripped(word)
    dashless = _dashless(stripped).upper()
    if dashless != stripped.upper() and _fits_grouped_shape(dashless):
        return Piece(dashless, True, 0)
    entry = stripped if _is_number(stripped) else word
    is_number = _is_number(entry) and any(character.isdigit() for character in entry)
    grouped = "-" in entry and all(len(group) <= GROUP_MAX for group in entry.split("-"))
    return Piece(entry, is_number, 0 if is_number and not grouped else 1)


def _stripped(word: str) -> str:
    """The word without the punctuation around it (Unicode letters and digits stay: a look-alike stays rejected)."""
    start, end = 0, len(word)
    while start < end and not word[start].isalnum():
        start += 1
    while end > start and not word[end - 1].isalnum():
        end -= 1
    return word[start:end]


def _dashless(word: str) -> str:
    return word.replace("-", "")


def _fits_grouped_shape(text: str) -> bool:
    return bool(GROUPED_SHAPE.fullmatch(text))


def _is_number(text: str) -> bool:
    try:
        normalize_number(text)
    except InvalidNumber:
        return False
    return True
