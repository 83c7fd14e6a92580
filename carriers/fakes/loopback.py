"""The fake carriers as real HTTP servers on loopback, for cross-process tests and the benchmarks.

`CallLog` wraps a fake and remembers when each call arrived; `GET /__calls` answers those times as JSON
(and `POST /__calls/reset` forgets them), so a process that only sees the server can still count calls.
"""

from __future__ import annotations

import json
import socketserver
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class CallLog:
    """WSGI middleware: the arrival time (time.time) and path of every call, served at /__calls."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.calls: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO") or "/")
        if path == "/__calls":
            with self._lock:
                body = json.dumps({"calls": self.calls}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path == "/__calls/reset":
            with self._lock:
                self.calls.clear()
            start_response("204 No Content", [])
            return [b""]
        with self._lock:
            self.calls.append((time.time(), path))
        return self.app(environ, start_response)


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 256


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """No access log: paths carry tracking numbers."""


class LoopbackServer:
    """One WSGI app served by a threaded wsgiref server on 127.0.0.1, on a free port."""

    def __init__(self, app: WsgiApp) -> None:
        self.log = CallLog(app)
        self._server = make_server("127.0.0.1", 0, self.log, server_class=_ThreadingServer, handler_class=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # A short poll interval: shutdown() waits up to one interval for the serving loop to notice.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-carrier", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
