"""What a visitor is told when a carrier has no parcel with a number, and when the number itself looks mistyped."""

from __future__ import annotations

from django.utils.translation import gettext

from carriers.detect import s10_check_digit_fails
from tracking_site.presentation.status_words import carrier_name


def mistyped_words(number: str) -> str:
    """For a UPU S10 number whose check digit does not verify, the sentence saying so; else ''.

    Such numbers are looked up all the same (carriers' own samples fail the check), so this only ever adds to a
    not-found answer.
    """
    if not s10_check_digit_fails(number):
        return ""
    return gettext("The number's check digit does not match the rest of it: one character may be mistyped.")


def not_found_message(carrier: str, number: str) -> str:
    """The JSON API's not-found message: the carrier has no such parcel, and why the number may be wrong."""
    found_none = gettext("%(carrier)s has no parcel with this number.") % {"carrier": carrier_name(carrier)}
    return f"{found_none} {mistyped_words(number)}".strip()
