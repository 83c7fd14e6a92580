"""Country names for "PostNord delivers it in Sweden", in the visitor's language, from a parcel's ISO country code.

Only the countries our carriers deliver in (PostPlus's European destinations, DHL eCommerce's United States, NZ
Post's New Zealand, and a few neighbours); a code not listed gives "" and the page words its sentence without it.
English names carry their article where the language needs one ("in the Netherlands").
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COUNTRY_NAMES: dict[str, Promise] = {
    "AT": _("Austria"),
    "AU": _("Australia"),
    "BE": _("Belgium"),
    "BG": _("Bulgaria"),
    "CA": _("Canada"),
    "CH": _("Switzerland"),
    "CY": _("Cyprus"),
    "CZ": _("the Czech Republic"),
    "DE": _("Germany"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "ES": _("Spain"),
    "FI": _("Finland"),
    "FR": _("France"),
    "GB": _("the United Kingdom"),
    "GR": _("Greece"),
    "HR": _("Croatia"),
    "HU": _("Hungary"),
    "IE": _("Ireland"),
    "IS": _("Iceland"),
    "IT": _("Italy"),
    "LT": _("Lithuania"),
    "LU": _("Luxembourg"),
    "LV": _("Latvia"),
    "MT": _("Malta"),
    "NL": _("the Netherlands"),
    "NO": _("Norway"),
    "NZ": _("New Zealand"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RO": _("Romania"),
    "SE": _("Sweden"),
    "SI": _("Slovenia"),
    "SK": _("Slovakia"),
    "US": _("the United States"),
}


def country_name(code: str) -> str:
    """'SE' -> 'Sweden' ('Zweden' on a Dutch page); "" for a code we have no name for."""
    name = COUNTRY_NAMES.get(code.strip().upper())
    return str(name) if name is not None else ""
