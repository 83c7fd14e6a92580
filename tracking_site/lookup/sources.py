"""Local stores that answer for a carrier's parcels while they are fresh, asked before the carrier is.

The interface is lookup's own: a feature that keeps such a store (the PostPlus event feed) offers it here when
its app is ready, so the lookup layer imports no feature app. A source answers what it holds, quickly, or
nothing; whatever it leaves out is asked of the carrier as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from carriers.base import CarrierClient
from carriers.model import Parcel


class ParcelSource(Protocol):
    """Answers for one carrier's numbers from a store of our own, while that store is fresh."""

    carrier: str  # the slug of the carrier whose numbers it may answer

    def parcels(self, client: CarrierClient, numbers: Sequence[str]) -> Mapping[str, Parcel]:
        """The parcels it holds, keyed by the asked number; {} when stale, unreadable or too slow."""
        ...

    def warm_up(self) -> None:
        """Read now what the first lookup would (a fresh worker calls it before its first visitor)."""
        ...


_offered: list[Callable[[], ParcelSource]] = []


def offer_source(make: Callable[[], ParcelSource]) -> None:
    """Put a source in front of its carrier; `make` builds it whenever the lookup parts are built from settings."""
    if make not in _offered:
        _offered.append(make)


def offered_sources() -> tuple[ParcelSource, ...]:
    return tuple(make() for make in _offered)
