"""The two things the gatherer asks of a carrier client beyond `call_batch`: the identifier kinds to try, in order,
and the kind to try next for a number the last kind did not find."""

from __future__ import annotations

from carriers.base import CarrierClient


def first_kind(client: CarrierClient, number: str) -> str:
    return (client.identifier_kinds(number) or ("",))[0]


def next_kind(client: CarrierClient, number: str, kind: str) -> str | None:
    """The kind to try after `kind` did not find `number`, if any is left."""
    kinds = client.identifier_kinds(number) or ("",)
    if kind not in kinds:
        return None
    position = kinds.index(kind)
    return kinds[position + 1] if position + 1 < len(kinds) else None
