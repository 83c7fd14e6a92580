"""Whether Redis is worth asking right now, shared by every part of this process that uses it.

Redis is a helper: when it fails, the cache is skipped and counters are kept in this process (see
`redis_cache.py` and `shared_or_local.py`). A paused Redis costs each caller a socket timeout, so after a failure
nobody asks it for `retry_seconds`; then one caller tries again, and its success ends the outage for everyone.
The outage is logged when it starts, at most once every `notice_seconds` while it lasts, and when it ends: never
once per request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

import redis

from tracking_site.tuning import REDIS

logger = logging.getLogger("tracking_site.resilience")

# Refused, reset, timed out, and the server's own refusals (out of memory, a read-only replica, loading).
REDIS_ERRORS: tuple[type[BaseException], ...] = (redis.RedisError,)

Answer = TypeVar("Answer")

RETRY_SECONDS = 5.0
NOTICE_SECONDS = 60.0


class RedisOutage:
    """One Redis server's state as this process sees it: up, or down since a moment and tried again when."""

    def __init__(
        self,
        name: str = "redis",
        *,
        retry_seconds: float = RETRY_SECONDS,
        notice_seconds: float = NOTICE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.retry_seconds = retry_seconds
        self.notice_seconds = notice_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._next_try = 0.0
        self._next_notice = 0.0
        self._unlogged = 0  # errors since the last notice

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def should_ask(self) -> bool:
        """True while Redis is up; while it is down, True for one caller every `retry_seconds`."""
        if self._down_since is None:
            return True
        with self._lock:
            if self._down_since is None:
                return True
            now = self.clock()
            if now < self._next_try:
                return False
            self._next_try = now + self.retry_seconds  # this caller is the one trial; the others keep skipping
            return True

    def guard(self, operation: Callable[[], Answer], otherwise: Callable[[], Answer]) -> Answer:
        """`operation` (something that talks to Redis), or `otherwise` when it fails or Redis is known to be down."""
        if self.should_ask():
            try:
                answer = operation()
            except REDIS_ERRORS as error:
                self.failed(error)
            else:
                self.succeeded()
                return answer
        return otherwise()

    def failed(self, error: BaseException) -> None:
        """A call to Redis failed: skip it for a while, and say so (once a minute at most)."""
        with self._lock:
            now = self.clock()
            if self._down_since is None:
                self._down_since = now
                self._next_notice = now
            self._next_try = now + self.retry_seconds
            self._unlogged += 1
            if now < self._next_notice:
                return
            errors, self._unlogged = self._unlogged, 0
            self._next_notice = now + self.notice_seconds
            down_for = now - self._down_since
        logger.warning(
            "shared_store=%s outcome=unavailable error=%s errors=%d down_seconds=%.0f "
            "fallback=caches_skipped_counters_in_process retry_seconds=%.0f",
            self.name,
            type(error).__name__,
            errors,
            down_for,
            self.retry_seconds,
        )

    def succeeded(self) -> None:
        """A call to Redis worked: an outage, if there was one, is over."""
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            down_for = self.clock() - self._down_since
            self._down_since = None
            self._unlogged = 0
        logger.warning("shared_store=%s outcome=recovered down_seconds=%.0f", self.name, down_for)


_lock = threading.Lock()
_outages: dict[str, RedisOutage] = {}


def outage_for(url: str) -> RedisOutage:
    """The one outage record of the server `url` names (its databases share the server's fate)."""
    parts = urlsplit(url)
    server = f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"
    with _lock:
        outage = _outages.get(server)
        if outage is None:
            outage = _outages[server] = RedisOutage(server, retry_seconds=REDIS.current().retry_seconds)
        return outage
