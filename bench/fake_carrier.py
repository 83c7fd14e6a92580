"""One fake carrier in its own process, as real carriers are separate servers: `python -m bench.fake_carrier
postplus 0.150` prints its URL, then serves until stdin closes.

Three fakes in one process would answer a fan-out's parallel calls one after another (one interpreter lock),
and that queueing would be charged to the site.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
from carriers.fakes.loopback import LoopbackServer

from .carrier_faults import FaultSwitch

FAKES: dict[str, Callable[[float], Any]] = {
    "postplus": lambda latency: fake_postplus.FakePostPlus(latency_seconds=latency),
    "dhl-ecommerce": lambda latency: fake_dhl.FakeDhlEcommerce(latency_seconds=latency),
    "nzpost": lambda latency: fake_nzpost.FakeNzPost(latency_seconds=latency),
}


class FakeCarrierProcess:
    """The parent's handle: the fake's URL and its call log, read over HTTP (GET /__calls)."""

    def __init__(self, slug: str, latency: float, *, faults: bool = False) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.fake_carrier", slug, str(latency), *(["--faults"] if faults else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None  # noqa: S101 - set by PIPE
        self.url = self._process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            raise RuntimeError(f"the {slug} fake did not start")
        self._http = httpx.Client(base_url=self.url, timeout=10)

    def calls(self) -> list[tuple[float, str]]:
        return [(float(at), str(path)) for at, path in self._http.get("/__calls").json()["calls"]]

    def reset(self) -> None:
        self._http.post("/__calls/reset")

    def fault(self, mode: str, scope: str = "all") -> None:
        """Started with `faults`: "hang", "fail" or "recover" (bench/carrier_faults.py)."""
        self._http.post(f"/__faults/{mode}", params={"scope": scope}).raise_for_status()

    def close(self) -> None:
        self._http.close()
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait(10)


def main() -> None:
    slug, latency = sys.argv[1], float(sys.argv[2])
    app = FAKES[slug](latency)
    if "--faults" in sys.argv[3:]:
        app = FaultSwitch(app)
    with LoopbackServer(app) as server:
        print(server.url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or dies)


if __name__ == "__main__":
    main()
