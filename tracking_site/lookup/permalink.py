"""A permalink's carrier and number, read one way for every page, feed, calendar and JSON answer of a parcel.

First checked without asking any carrier (is the carrier on this site, is the number a tracking number), then
looked up; each caller turns the outcome into its own kind of answer (a page, plain text, JSON).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from carriers.base import InvalidNumber
from carriers.detect import normalize_number
from carriers.model import CarrierFailure, Found, Parcel
from tracking_site.lookup.clients import get_carriers
from tracking_site.lookup.service import LookupOutcome, lookup_parcels


class Problem(enum.Enum):
    """Why a permalink shows no parcel."""

    CARRIER = "carrier"  # no such carrier on this site
    NUMBER = "number"  # not a tracking number
    PARCEL = "parcel"  # the carrier has no parcel with that number
    FAILURE = "failure"  # the carrier did not answer


@dataclass(frozen=True)
class Permalink:
    """The permalink's carrier and number (normalized once valid), and once looked up, its outcome."""

    carrier: str
    number: str
    problem: Problem | None = None
    error: str = ""  # why the number is not a tracking number, in the words of carriers/detect.py
    outcome: LookupOutcome | None = None

    @property
    def found(self) -> Found | None:
        result = self.outcome.result if self.outcome else None
        return result if isinstance(result, Found) else None

    @property
    def parcel(self) -> Parcel | None:
        return self.found.parcel if self.found else None

    @property
    def failure(self) -> CarrierFailure | None:
        result = self.outcome.result if self.outcome else None
        return result if isinstance(result, CarrierFailure) else None


def read_permalink(carrier: str, number: str) -> Permalink:
    """The permalink's segments checked, without asking any carrier."""
    if carrier not in get_carriers():
        return Permalink(carrier, number, Problem.CARRIER)
    try:
        return Permalink(carrier, normalize_number(number))
    except InvalidNumber as exc:
        return Permalink(carrier, number, Problem.NUMBER, error=str(exc))


def look_up(permalink: Permalink) -> Permalink:
    """The permalink's parcel, asked of its own carrier only (the caller has charged the visitor for it)."""
    if permalink.problem is not None:
        return permalink
    outcome = lookup_parcels([permalink.number], permalink.carrier)[0]
    if isinstance(outcome.result, Found):
        return replace(permalink, outcome=outcome)
    problem = Problem.FAILURE if isinstance(outcome.result, CarrierFailure) else Problem.PARCEL
    return replace(permalink, outcome=outcome, problem=problem)
