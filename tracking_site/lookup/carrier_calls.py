"""One upstream call of one identifier kind, and the kinds to try, for any carrier client.

The carrier interface (`CarrierClient.call_batch(numbers, kind)` and `identifier_kinds(number)`) is what the
gatherer builds on. A client that offers them is used as it is; for the clients of the older interface
(`fetch_batch` only, DHL's kinds inside its own `track_many`) this module gives the same two calls.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from carriers.base import CarrierClient, CarrierError, CarrierUnavailable
from carriers.dhl_ecommerce import DhlEcommerceClient, lookup_order
from carriers.model import CarrierFailure, FailureReason, Found, NotFound, TrackingResult
from carriers.nzpost import NzPostClient

logger = logging.getLogger("carriers")  # the same lines track_many logs, until call_batch is the clients' own


def identifier_kinds(client: CarrierClient, number: str) -> tuple[str, ...]:
    """The identifier kinds to try for `number`, in order; one upstream call per kind."""
    offered: Any = getattr(client, "identifier_kinds", None)
    if offered is not None:
        return tuple(offered(number))
    if isinstance(client, DhlEcommerceClient):
        return lookup_order(number)
    return ("",)


def next_kind(client: CarrierClient, number: str, kind: str) -> str | None:
    """The kind to try after `kind` did not find `number`, if any is left."""
    kinds = identifier_kinds(client, number)
    if kind not in kinds:
        return None
    position = kinds.index(kind)
    return kinds[position + 1] if position + 1 < len(kinds) else None


def call_batch(client: CarrierClient, numbers: Sequence[str], kind: str = "") -> dict[str, TrackingResult]:
    """One upstream call for at most `batch_size` numbers of one kind; Found, NotFound or CarrierFailure each."""
    offered: Any = getattr(client, "call_batch", None)
    if offered is not None:
        return dict(offered(numbers, kind))
    wanted = list(dict.fromkeys(numbers))
    if isinstance(client, DhlEcommerceClient):
        answered = client._track_batch(kind, wanted)
        return {number: answered.get(number) or NotFound(client.slug, number) for number in wanted}
    if isinstance(client, NzPostClient):
        return dict(client._track_batch(wanted))
    try:
        found = client.fetch_batch(wanted)
    except CarrierUnavailable as exc:
        logger.warning("carrier=%s outcome=%s numbers=%d", client.slug, exc.reason.value, len(wanted))
        return {number: CarrierFailure(client.slug, number, exc.reason) for number in wanted}
    except (CarrierError, LookupError, TypeError, ValueError, AttributeError) as exc:
        logger.error("carrier=%s outcome=unexpected_shape error=%s", client.slug, type(exc).__name__)
        return {number: CarrierFailure(client.slug, number, FailureReason.BAD_RESPONSE) for number in wanted}
    return {number: Found(found[number]) if number in found else NotFound(client.slug, number) for number in wanted}
