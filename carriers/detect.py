"""Tracking-number shapes: what a valid number looks like, and which carriers could have issued it.

Every user input passes `normalize_number` before it gets near a carrier URL (a search box's text is read into
entries first, the way people paste numbers: `carriers/search_text.py`).
"""

from __future__ import annotations

import re
import unicodedata

from .base import InvalidNumber

POSTPLUS = "postplus"
DHL_ECOMMERCE = "dhl-ecommerce"
NZPOST = "nzpost"
ALL_CARRIERS = (POSTPLUS, DHL_ECOMMERCE, NZPOST)

MIN_LENGTH = 5
MAX_LENGTH = 40

# Letters, digits and the hyphen/underscore some shops put in their own package ids. Nothing else ever
# reaches a carrier: no slash, dot, percent, space or control character.
VALID_NUMBER = re.compile(r"[A-Z0-9](?:[A-Z0-9_-]*[A-Z0-9])?")

# UPU S10: two letters, eight digits, a check digit, an ISO country code. The check digit is not
# required: NZ Post's own samples do not all carry a valid one (`s10_check_digit_fails` says when).
S10 = re.compile(r"[A-Z]{2}\d{9}([A-Z]{2})")
COURIERPOST_TICKET = re.compile(r"\d{16}[A-Z]{3}\d{3}[A-Z]{2}")
PACE_JOB = re.compile(r"\d{5,8}")
DHL_PACKAGE_ID = re.compile(r"GM\d{10,}")
# GS1 SSCC, 18 digits, as NZ Post prints them on domestic parcels with their "00" application identifier in front
# (NZ Post's v3 sample `00393311680005810444`; a public capture of its tracking tool `00794210392715622565`).
SSCC = re.compile(r"(?:00)?\d{18}")
# USPS Intelligent Mail package barcodes (IMpb) that DHL eCommerce hands to USPS: 20-34 digits, usually 22.
IMPB = re.compile(r"(?:\d{20}|\d{22}|\d{26}|\d{30}|\d{34})")

SEPARATORS = re.compile(r"[\s,;]+")
MAX_NUMBERS_PER_SEARCH = 25

# UPU S10's weights for the eight serial digits: the check digit is 11 minus their weighted sum mod 11
# (10 gives 0, 11 gives 5).
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def normalize_number(raw: str) -> str:
    """The canonical form of one tracking number, or InvalidNumber.

    NFKC folds full-width and other compatibility look-alikes to ASCII; anything still outside
    [A-Z0-9_-] is rejected rather than cleaned, so a look-alike never reaches a carrier as something else.
    """
    if not isinstance(raw, str) or len(raw) > 200:
        raise InvalidNumber("That is not a tracking number.")
    number = unicodedata.normalize("NFKC", raw).strip().upper()
    if not MIN_LENGTH <= len(number) <= MAX_LENGTH:
        raise InvalidNumber(f"A tracking number has {MIN_LENGTH} to {MAX_LENGTH} characters.")
    if not number.isascii() or not VALID_NUMBER.fullmatch(number):
        raise InvalidNumber("A tracking number has only letters, digits and hyphens.")
    return number


def split_numbers(text: str) -> list[str]:
    """Split text on spaces, commas, semicolons and new lines (not yet validated), for lists of shop references."""
    return [part for part in SEPARATORS.split(text or "") if part]


def is_dhl_package_id(number: str) -> bool:
    return bool(DHL_PACKAGE_ID.fullmatch(number))


def is_long_digits(number: str) -> bool:
    return number.isdigit() and len(number) >= 20


def s10_check_digit_fails(number: str) -> bool:
    """A normalized UPU S10 number whose check digit does not verify: one character may be mistyped.

    Such numbers are still looked up (carriers' own samples fail the check); only the not-found answer says so.
    """
    if not S10.fullmatch(number):
        return False
    remainder = 11 - sum(int(digit) * weight for digit, weight in zip(number[2:10], S10_WEIGHTS, strict=True)) % 11
    expected = {10: 0, 11: 5}.get(remainder, remainder)
    return int(number[10]) != expected


def candidate_carriers(number: str) -> tuple[str, ...]:
    """The carriers that could have issued a normalized number, most likely first.

    Where a shape fits several carriers, the lookup service asks them all in parallel.
    """
    s10 = S10.fullmatch(number)
    if s10:
        # An S10 ending in NZ is NZ Post's; other S10s are postal items PostPlus consolidates.
        return (NZPOST, POSTPLUS) if s10.group(1) == "NZ" else (POSTPLUS,)
    if COURIERPOST_TICKET.fullmatch(number):
        return (NZPOST,)
    if SSCC.fullmatch(number):
        # Twenty digits are also an IMpb's length: DHL eCommerce is asked beside NZ Post.
        return (NZPOST, DHL_ECOMMERCE)
    if is_dhl_package_id(number) or IMPB.fullmatch(number):
        return (DHL_ECOMMERCE,)
    if PACE_JOB.fullmatch(number):
        return (NZPOST, DHL_ECOMMERCE, POSTPLUS)
    # Shop-assigned ids (DHL packageId) and PostPlus parcel numbers have no fixed shape.
    return (POSTPLUS, DHL_ECOMMERCE)
