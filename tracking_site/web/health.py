"""Health checks for load balancers and monitoring, each dependency given its own short deadline.

A hanging database or Redis must not hold the probe: each check runs in a thread of its own while the request
waits at most HEALTH_CHECK_SECONDS for all of them. One check per dependency runs at a time in each process;
callers that arrive while it runs share its answer, so a hanging dependency holds one thread, not one per
probe. The database check opens its own connection (so it tests what a new request would meet, and leaves
nothing open) and cuts it off at the deadline; its connect is bounded by DATABASE_CONNECT_TIMEOUT.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, wait

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from tracking_site.tuning import DATABASE
from tracking_site.web.database_deadline import Watchdog, abort_database_call

logger = logging.getLogger("tracking_site")


class DeadlineProbe:
    """Runs `check(deadline)` in its own thread, one at a time; callers wait for its answer at most a deadline."""

    def __init__(self, name: str, check: Callable[[float], None]) -> None:
        self.name = name
        self._check = check
        self._lock = threading.Lock()
        self._running: Future[bool] | None = None

    def start(self, deadline: float) -> Future[bool]:
        """The check in progress, or a new one: its future says whether the dependency answered."""
        with self._lock:
            if self._running is None or self._running.done():
                self._running = Future()
                threading.Thread(
                    target=self._run, args=(self._running, deadline), name=f"probe-{self.name}", daemon=True
                ).start()
            return self._running

    def answers(self, deadline: float) -> bool:
        """Whether the dependency answered within `deadline` seconds."""
        running = self.start(deadline)
        wait([running], timeout=deadline)
        return running.done() and running.result()

    def idle(self, timeout: float) -> bool:
        """Wait at most `timeout` for the check in progress to end; True when none runs (shutdown, tests)."""
        with self._lock:
            running = self._running
        if running is not None:
            wait([running], timeout=timeout)
        return running is None or running.done()

    def _run(self, future: Future[bool], deadline: float) -> None:
        try:
            self._check(deadline)
        except Exception as exc:
            logger.error("health %s error=%s", self.name, type(exc).__name__)
            future.set_result(False)
        else:
            future.set_result(True)


def check_database(deadline: float) -> None:
    """`SELECT 1` on a connection of its own, closed afterwards; cut off once the deadline has passed."""
    started = time.monotonic()
    probe = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        probe.ensure_connection()  # libpq's connect_timeout bounds this part
        with Watchdog(deadline - (time.monotonic() - started), lambda: abort_database_call(probe)):
            with probe.cursor() as cursor:
                cursor.execute("SELECT 1")
    finally:
        probe.close()


def check_cache(deadline: float) -> None:
    """A round trip through the shared cache (Redis' own socket timeouts bound a paused server)."""
    cache.set("healthz", "ok", timeout=5)
    if cache.get("healthz") != "ok":
        raise LookupError("the cache did not keep a value")


database_probe = DeadlineProbe("database", check_database)
cache_probe = DeadlineProbe("cache", check_cache)
PROBES = (database_probe, cache_probe)
RETRY_AFTER_SECONDS = 10


# Read-only and cookie-free: other methods get 405 (with Allow), not a CSRF refusal.
@csrf_exempt
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the database and the cache answer, each within HEALTH_CHECK_SECONDS."""
    deadline = DATABASE.current().health_check_seconds
    running = {probe.name: probe.start(deadline) for probe in PROBES}
    wait(list(running.values()), timeout=deadline)
    checks = {name: "ok" if future.done() and future.result() else "error" for name, future in running.items()}
    for name, future in running.items():
        if not future.done():
            logger.error("health %s error=deadline", name)
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
    if not healthy:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
