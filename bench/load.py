"""A small closed-loop load generator: keep-alive connections in threads, in a few processes (no wrk here)."""

from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import urlsplit


def _hammer(url: str, seconds: float, connections: int) -> int:
    """Requests answered 200 by `connections` keep-alive connections in `seconds`."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    counts = [0] * connections
    deadline = time.monotonic() + seconds

    def loop(index: int) -> None:
        conn = http.client.HTTPConnection(host, parts.port, timeout=10)
        while time.monotonic() < deadline:
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, parts.port, timeout=10)
                continue
            if response.status == 200:
                counts[index] += 1
        conn.close()

    threads = [threading.Thread(target=loop, args=(index,)) for index in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts)


def one_visit(url: str, timeout: float = 30.0) -> tuple[int, float]:
    """One visitor's request on its own connection: (status, seconds); status 0 when it failed.

    http.client rather than an httpx.Client per visitor: building an httpx client (its TLS context) costs tens of
    milliseconds of CPU, which a burst of visitors would charge to the site on a 2-core machine.
    """
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        conn.close()
    return status, time.perf_counter() - started


def throughput(url: str, *, seconds: float = 5.0, processes: int = 2, connections: int = 8) -> float:
    """Successful requests per second against `url`."""
    with ProcessPoolExecutor(processes) as pool:
        futures = [pool.submit(_hammer, url, seconds, connections) for _ in range(processes)]
        return sum(future.result() for future in futures) / seconds
