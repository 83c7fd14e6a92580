"""Cache writes Django's cache API has no single call for, through its public API only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.cache import BaseCache


def set_many_each(store: BaseCache, entries: Mapping[str, tuple[Any, int]]) -> None:
    """`set_many` where every key has its own lifetime ({key: (value, seconds)}): one round trip per lifetime."""
    by_lifetime: dict[int, dict[str, Any]] = {}
    for key, (value, seconds) in entries.items():
        by_lifetime.setdefault(max(seconds, 1), {})[key] = value
    for seconds, batch in by_lifetime.items():
        store.set_many(batch, timeout=seconds)
