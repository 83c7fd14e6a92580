"""Single flight: when many requests want the same uncached answer at once, one of them asks the carrier.

The lock is a key in the shared cache, taken only where absent (SET NX on Redis, `add` in local memory, for
all of a search's numbers in one round trip), so it holds across threads, worker processes and machines. The
leader publishes its answer under a key named after its lock token and frees the lock only while it still
holds it (atomically on Redis); waiters poll for the answer, briefly and boundedly, and whoever is left
without one (leader gone, wait over) decides for itself what to do.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, cache

from tracking_site.shared_state.cache_ops import add_many, publish_and_release

FIRST_POLL_SECONDS = 0.005
MAX_POLL_SECONDS = 0.05
# Long enough for waiters to collect the answer, short enough that it is not a cache of its own.
RESULT_SECONDS = 15


@dataclass(frozen=True)
class Lease:
    """Held by the one caller doing the work for a key."""

    key: str
    token: str


class SingleFlight:
    """Cache-backed leases and published results, with an injectable clock and sleep for tests."""

    def __init__(
        self,
        store: BaseCache = cache,
        *,
        wait_seconds: float,
        lock_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.wait_seconds = wait_seconds
        self.lock_seconds = lock_seconds
        self.clock = clock
        self.sleep = sleep

    @classmethod
    def from_settings(cls) -> SingleFlight:
        wait = float(settings.SINGLE_FLIGHT_WAIT_SECONDS)
        # A leader that dies mid-call frees its lock by expiry; one that lives always releases it itself.
        return cls(cache, wait_seconds=wait, lock_seconds=wait + 20)

    def begin(self, key: str) -> Lease | None:
        """The lease on `key` if nobody holds it, else None (someone else is already asking)."""
        return self.begin_many([key]).get(key)

    def begin_many(self, keys: Sequence[str]) -> dict[str, Lease]:
        """Leases on the keys nobody holds (one round trip on Redis); the others are someone else's flights."""
        tokens = {key: secrets.token_hex(8) for key in keys}
        taken = add_many(
            self.store, {_lock_key(key): token for key, token in tokens.items()}, max(int(self.lock_seconds), 1)
        )
        return {key: Lease(key, token) for key, token in tokens.items() if _lock_key(key) in taken}

    def finish(self, lease: Lease, result: Any) -> None:
        """Publish the leader's result for its waiters, then free the lock for the next request."""
        self.finish_many([(lease, result)])

    def finish_many(self, finished: Sequence[tuple[Lease, Any]]) -> None:
        """`finish` for many leases in one round trip on Redis, whatever their number."""
        if not finished:
            return
        publish_and_release(
            self.store,
            {_result_key(lease.key, lease.token): result for lease, result in finished},
            RESULT_SECONDS,
            # Only locks still ours: one that expired may now be another request's.
            {_lock_key(lease.key): lease.token for lease, _ in finished},
        )

    def wait(self, keys: Sequence[str]) -> dict[str, Any]:
        """Results the current leaders publish for `keys`; a key is absent when its leader left none in time."""
        tokens = self.store.get_many([_lock_key(key) for key in keys])
        pending = {key: tokens[_lock_key(key)] for key in keys if _lock_key(key) in tokens}
        results: dict[str, Any] = {}
        deadline = self.clock() + self.wait_seconds
        pause = FIRST_POLL_SECONDS
        while pending:
            wanted = [_result_key(key, token) for key, token in pending.items()]
            wanted += [_lock_key(key) for key in pending]
            found = self.store.get_many(wanted)
            for key, token in list(pending.items()):
                if _result_key(key, token) in found:
                    results[key] = found[_result_key(key, token)]
                    del pending[key]
                elif found.get(_lock_key(key)) != token:
                    del pending[key]  # the leader is gone without a result: the caller decides
            if not pending or self.clock() + pause > deadline:
                break
            self.sleep(pause)
            pause = min(pause * 2, MAX_POLL_SECONDS)
        return results


def _lock_key(key: str) -> str:
    return f"flight:v1:{key}"


def _result_key(key: str, token: str) -> str:
    return f"flight:v1:{key}:result:{token}"
