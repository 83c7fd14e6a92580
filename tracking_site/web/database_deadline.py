"""Deadlines for database calls that a hanging network would otherwise never end.

PostgreSQL's statement_timeout ends slow queries, but only a server that receives the query can apply it; a
partitioned or paused server leaves the client waiting on its socket (psycopg has no read timeout of its own).
A watchdog thread ends such a wait by shutting the connection's socket down: the call in progress fails at
once with OperationalError, and Django throws the broken connection away at the end of the request.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper


class Watchdog:
    """Calls `on_expiry` once, from its own thread, unless the `with` block ends within `seconds`."""

    def __init__(self, seconds: float, on_expiry: Callable[[], None]) -> None:
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._on_expiry = on_expiry
        self._lock = threading.Lock()
        self._finished = False
        self.expired = False

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        with self._lock:
            self._finished = True
        self._timer.cancel()

    def _expire(self) -> None:
        # Under the lock: a call that has just finished must never have its (healthy) connection cut.
        with self._lock:
            if self._finished:
                return
            self.expired = True
            self._on_expiry()


def abort_database_call(wrapper: BaseDatabaseWrapper) -> None:
    """Make the call in progress on this connection fail now; callable from any thread."""
    raw: Any = wrapper.connection
    if raw is None:
        return
    with contextlib.suppress(Exception):  # a connection already closed or broken has nothing left to abort
        if wrapper.vendor == "postgresql":
            # shutdown() acts on the socket itself, so a duplicate descriptor reaches psycopg's connection.
            with socket.socket(fileno=os.dup(raw.pgconn.socket)) as duplicate:
                duplicate.shutdown(socket.SHUT_RDWR)
        elif wrapper.vendor == "sqlite":
            raw.interrupt()


@contextlib.contextmanager
def query_deadline(seconds: float, alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within the block, every query on this thread's connection gets `seconds` to answer, or fails."""
    wrapper = connections[alias]

    def bounded(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        with Watchdog(seconds, lambda: abort_database_call(wrapper)) as watchdog:
            try:
                return execute(sql, params, many, context)
            except DatabaseError as exc:
                if watchdog.expired:
                    raise OperationalError(f"no answer from the database within {seconds:g} s") from exc
                raise

    with wrapper.execute_wrapper(bounded):
        yield
