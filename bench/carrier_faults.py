"""Fault modes for a fake carrier process (`python -m bench.fake_carrier nzpost 0.150 --faults`).

`FaultSwitch` wraps a fake carrier's WSGI app; the benchmark flips it over HTTP:

    POST /__faults/hang?scope=lookups    tracking calls are accepted and never answered (until recovered)
    POST /__faults/fail?scope=token      token fetches answer 503 at once
    POST /__faults/recover               every call answered normally again; hung calls go on and are answered

`scope` is `lookups` (tracking calls), `token` (OAuth token fetches) or `all` (the default).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost

OK, HANG, FAIL = "ok", "hang", "fail"
TOKEN_PATHS = frozenset({fake_dhl.AUTH_PATH, fake_nzpost.OAUTH_PATH})
SCOPES = ("lookups", "token", "all")


class FaultSwitch:
    """WSGI middleware: answer normally, hang, or fail, per scope, as the benchmark says at /__faults."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.modes = {"lookups": OK, "token": OK}
        self._recovered = threading.Event()
        self.hanging = threading.Event()  # set once a call hangs (tests wait for it)
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO") or "/")
        if path.startswith("/__faults/"):
            return self._switch(path.removeprefix("/__faults/"), environ, start_response)
        with self._lock:
            mode = self.modes["token" if path in TOKEN_PATHS else "lookups"]
            recovered = self._recovered
        if mode == HANG:
            self.hanging.set()
            recovered.wait()  # as a carrier that accepted the connection and went silent
        elif mode == FAIL:
            body = b'{"message": "Service Unavailable"}'
            start_response("503 Service Unavailable", [("Content-Type", "application/json")])
            return [body]
        return self.app(environ, start_response)

    def _switch(self, mode: str, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        scope = parse_qs(str(environ.get("QUERY_STRING") or "")).get("scope", ["all"])[0]
        if mode not in ("hang", "fail", "recover") or scope not in SCOPES:
            start_response("400 Bad Request", [])
            return [b""]
        with self._lock:
            if mode == "recover":
                self.modes = {"lookups": OK, "token": OK}
                self._recovered.set()
                self._recovered = threading.Event()
            else:
                for name in ("lookups", "token") if scope == "all" else (scope,):
                    self.modes[name] = mode
        start_response("204 No Content", [])
        return [b""]
