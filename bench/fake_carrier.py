"""One fake carrier in its own process, as real carriers are separate servers: `python -m bench.fake_carrier
postplus 0.150 [--budget 5] [--parcels 2000]` prints its URL, then serves until stdin closes.

Three fakes in one process would answer a fan-out's parallel calls one after another (one interpreter lock),
and that queueing would be charged to the site. With `--budget` the fake enforces the carrier's own rate limit
as the real one does: PostPlus and DHL eCommerce answer 429 over it, NZ Post queues the call until it fits.
With `--parcels` it also knows that many generated parcels (`bench_numbers`), so a benchmark can ask for
hundreds of distinct parcels that exist. With `--faults` it hangs or fails when the benchmark says so
(`bench/carrier_faults.py`).
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
from carriers.fakes.loopback import LoopbackServer

from .carrier_faults import FaultSwitch

# The carriers' documented rates (DHL publishes none: the site's default), enforced over any 1 s window.
CARRIER_BUDGETS = {"postplus": 5, "dhl-ecommerce": 10, "nzpost": 15}
QUEUES_OVER_BUDGET = {"nzpost"}
# Query parameters that carry tracking numbers (comma-separated or repeated).
NUMBER_PARAMETERS = {"parcelnrs", "packageid", "dhlpackageid", "trackingid", "tracking_reference"}


def bench_numbers(slug: str, count: int, start: int = 0) -> list[str]:
    """Generated parcels the fakes know when started with --parcels; shapes each carrier would issue."""
    shape = {"postplus": "LB{:09d}EE", "dhl-ecommerce": "GM{:018d}", "nzpost": "BN{:09d}NZ"}[slug]
    return [shape.format(900_000_000 + index) for index in range(start, start + count)]


def _postplus(latency: float, parcels: int) -> Any:
    now = datetime.now(UTC)
    records = fake_postplus.demo_records(now)
    template = [item for item in records if item["parcel"]["parcelNr"] == fake_postplus.DEMO_NUMBERS[1][0]]
    for number in bench_numbers("postplus", parcels):
        for item in template:
            clone = copy.deepcopy(item)
            clone["parcel"].update(parcelNr=number, senderParcelNr=f"S{number}", carrierParcelNr=number)
            clone["event"]["eventId"] = f"{number}-{clone['event']['eventId']}"
            records.append(clone)
    return fake_postplus.FakePostPlus(records if parcels else None, latency_seconds=latency)


def _dhl(latency: float, parcels: int) -> Any:
    records = fake_dhl.demo_records(datetime.now(UTC))
    for index, number in enumerate(bench_numbers("dhl-ecommerce", parcels)):
        clone = copy.deepcopy(records[2])
        clone["package"].update(dhlPackageId=number, packageId=f"BENCH-{index}", trackingId=f"9{index:021d}")
        records.append(clone)
    return fake_dhl.FakeDhlEcommerce(records if parcels else None, latency_seconds=latency)


def _nzpost(latency: float, parcels: int) -> Any:
    records = fake_nzpost.demo_records(datetime.now(UTC))
    for number in bench_numbers("nzpost", parcels):
        clone = copy.deepcopy(records[1])
        clone["tracking_reference"] = number
        records.append(clone)
    return fake_nzpost.FakeNzPost(records if parcels else None, latency_seconds=latency)


FAKES: dict[str, Callable[[float, int], Any]] = {"postplus": _postplus, "dhl-ecommerce": _dhl, "nzpost": _nzpost}


class BudgetedCarrier:
    """WSGI middleware: the carrier's rate limit (429 or a queue over it) and, at /__bench, what each call carried.

    Token fetches count against the budget like any other request, as they may at a real carrier.
    """

    def __init__(self, app: Any, *, calls: int, queues: bool, window: float = 1.0) -> None:
        self.app = app
        self.calls = calls
        self.queues = queues
        self.window = window
        self._recent: deque[float] = deque()
        self._log: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO") or "/")
        if path == "/__bench":
            with self._lock:
                body = json.dumps({"calls": self._log}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path == "/__bench/reset":
            with self._lock:
                self._log.clear()
            start_response("204 No Content", [])
            return [b""]
        arrived = time.time()
        entry: dict[str, Any] = {"at": arrived, "path": path, "numbers": _numbers(environ), "status": 0, "queued": 0.0}
        over = False
        if self.calls:
            with self._lock:
                while self._recent and self._recent[0] <= arrived - self.window:
                    self._recent.popleft()
                if len(self._recent) >= self.calls:
                    over = True
                    if self.queues:
                        slot = self._recent[-self.calls] + self.window
                        entry["queued"] = slot - arrived
                        self._recent.append(slot)
                else:
                    self._recent.append(arrived)
                self._log.append(entry)
        else:
            with self._lock:
                self._log.append(entry)
        if over and not self.queues:
            entry["status"] = 429
            body = b'{"status": 429, "title": "Too Many Requests"}'
            start_response("429 Too Many Requests", [("Content-Type", "application/json"), ("Retry-After", "1")])
            return [body]
        if entry["queued"]:
            time.sleep(entry["queued"])

        def recording(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            entry["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        return self.app(environ, recording)


def _numbers(environ: dict[str, Any]) -> int:
    pairs = parse_qsl(str(environ.get("QUERY_STRING") or ""), keep_blank_values=False)
    return sum(len(value.split(",")) for name, value in pairs if name.lower() in NUMBER_PARAMETERS)


class FakeCarrierProcess:
    """The parent's handle: the fake's URL and its call logs, read over HTTP (GET /__calls, /__bench)."""

    def __init__(
        self, slug: str, latency: float, *, budget: bool = False, parcels: int = 0, faults: bool = False
    ) -> None:
        command = [sys.executable, "-m", "bench.fake_carrier", slug, str(latency), "--parcels", str(parcels)]
        if budget:
            command += ["--budget", str(CARRIER_BUDGETS[slug])]
        if faults:
            command.append("--faults")
        self.slug = slug
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None  # noqa: S101 - set by PIPE
        self.url = self._process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            raise RuntimeError(f"the {slug} fake did not start")
        self._http = httpx.Client(base_url=self.url, timeout=10)

    def calls(self) -> list[tuple[float, str]]:
        return [(float(at), str(path)) for at, path in self._http.get("/__calls").json()["calls"]]

    def carried(self) -> list[dict[str, Any]]:
        """Every request since the last reset: arrival time, path, numbers carried, status, seconds queued."""
        return list(self._http.get("/__bench").json()["calls"])

    def reset(self) -> None:
        self._http.post("/__calls/reset")
        self._http.post("/__bench/reset")

    def fault(self, mode: str, scope: str = "all") -> None:
        """Started with `faults`: "hang", "fail" or "recover" (bench/carrier_faults.py)."""
        self._http.post(f"/__faults/{mode}", params={"scope": scope}).raise_for_status()

    def close(self) -> None:
        self._http.close()
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("slug", choices=sorted(FAKES))
    parser.add_argument("latency", type=float)
    parser.add_argument("--budget", type=int, default=0, help="calls per second; 0: no limit")
    parser.add_argument("--parcels", type=int, default=0, help="generated parcels to know besides the demo ones")
    parser.add_argument("--faults", action="store_true", help="hang or fail on request (bench/carrier_faults.py)")
    args = parser.parse_args()
    app: Any = BudgetedCarrier(
        FAKES[args.slug](args.latency, args.parcels), calls=args.budget, queues=args.slug in QUEUES_OVER_BUDGET
    )
    if args.faults:
        app = FaultSwitch(app)
    with LoopbackServer(app) as server:
        print(server.url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or dies)


if __name__ == "__main__":
    main()
