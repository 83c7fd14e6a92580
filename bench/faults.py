"""The fault figures, measured on loopback: how fast the site answers while a carrier hangs. Prints; asserts nothing.

The site runs as in `bench/run.py` (gunicorn with gunicorn.conf.py, DEBUG off, Redis, PostgreSQL, the three fake
carriers each in its own process with 150 ms latency), the fakes started with their fault switch
(bench/carrier_faults.py). Every run starts from an empty Redis database (no breaker state, nothing cached) and
a recovered carrier. Usage: `python -m bench.faults [--runs 5]`, with BENCH_REDIS_URL / BENCH_DATABASE_URL.

(1) the 8th of eight lookups in a row of a hanging carrier (NZ Post)                      target < 0.2 s
(2) a cached DHL eCommerce page while 30 visitors wait on the hanging carrier (median)     target < 0.1 s
(3) a cold mixed search (PostPlus, DHL eCommerce, NZ Post numbers) with NZ Post hanging   target < 3.5 s
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import threading
import time
from collections import Counter

import httpx
import redis

from carriers.fakes import dhl_ecommerce as fake_dhl

from .fake_carrier import FakeCarrierProcess
from .run import LATENCY, MIXED_25, NZ_UNKNOWN_TICKETS, REDIS_URL, Carriers, gunicorn_site

VISITORS_WAITING = 30
CACHED_SAMPLES = 20
CLIENT_TIMEOUT = 60.0


class FaultyCarriers(Carriers):
    """The bench's three fake carriers, each with its fault switch."""

    def __init__(self) -> None:
        self.postplus = FakeCarrierProcess("postplus", LATENCY, faults=True)
        self.dhl = FakeCarrierProcess("dhl-ecommerce", LATENCY, faults=True)
        self.nzpost = FakeCarrierProcess("nzpost", LATENCY, faults=True)
        self.all = (self.postplus, self.dhl, self.nzpost)


def nzpost_numbers(count: int, offset: int) -> list[str]:
    """CourierPost tickets only NZ Post could have issued, distinct per run (nothing cached anywhere)."""
    first = int(NZ_UNKNOWN_TICKETS[0].removesuffix("AKL007CP")) + 1000 + offset
    return [f"{first + index}AKL007CP" for index in range(count)]


def fresh_start(carriers: FaultyCarriers) -> None:
    """A recovered carrier, and an empty Redis database: breakers closed, nothing cached, tokens fetched anew."""
    for server in carriers.all:
        server.fault("recover")
    time.sleep(1.0)  # calls the last run left hanging are answered now: their answers must not outlive the flush
    redis.Redis.from_url(REDIS_URL).flushdb()
    time.sleep(1.1)  # the workers' own copies of finished pages lapse; carriers' budget windows empty


def timed_get(http: httpx.Client, url: str, **params: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = http.get(url, params=params or None)
    return time.perf_counter() - started, response.status_code


def eighth_lookup(site: str, carriers: FaultyCarriers, run: int) -> tuple[float, list[int]]:
    """(1) Eight lookups in a row of distinct NZ Post parcels while NZ Post hangs: the 8th's time, every status."""
    fresh_start(carriers)
    carriers.nzpost.fault("hang")
    statuses: list[int] = []
    elapsed = 0.0
    with httpx.Client(timeout=CLIENT_TIMEOUT) as http:
        for number in nzpost_numbers(8, run * 100):
            elapsed, status = timed_get(http, f"{site}/track/nzpost/{number}/")
            statuses.append(status)
    return elapsed, statuses


def cached_page_while_visitors_wait(site: str, carriers: FaultyCarriers, run: int) -> tuple[float, Counter[str]]:
    """(2) A cached page's median time while VISITORS_WAITING visitors wait on the hanging carrier."""
    fresh_start(carriers)
    page = f"{site}/track/dhl-ecommerce/{fake_dhl.DEMO_NUMBERS[0][0]}/"
    with httpx.Client(timeout=CLIENT_TIMEOUT) as http:
        assert http.get(page).status_code == 200  # noqa: S101 - cached from now on
        carriers.nzpost.fault("hang")
        waiting_statuses: Counter[str] = Counter()
        lock = threading.Lock()

        def visitor(number: str) -> None:
            with httpx.Client(timeout=CLIENT_TIMEOUT) as own:
                try:
                    status = str(own.get(f"{site}/track/nzpost/{number}/").status_code)
                except httpx.TimeoutException:
                    status = f"no answer in {CLIENT_TIMEOUT:.0f} s"
            with lock:
                waiting_statuses[status] += 1

        visitors = [
            threading.Thread(target=visitor, args=(number,)) for number in nzpost_numbers(VISITORS_WAITING, run * 100)
        ]
        for thread in visitors:
            thread.start()
        time.sleep(0.3)  # the visitors reach the site and start waiting on NZ Post
        times = [timed_get(http, page)[0] for _ in range(CACHED_SAMPLES)]
        for thread in visitors:
            thread.join()
    return statistics.median(times), waiting_statuses


def mixed_search_with_one_hanging(site: str, carriers: FaultyCarriers) -> tuple[float, int]:
    """(3) A cold 25-number search over the three carriers while NZ Post hangs: wall time and status."""
    fresh_start(carriers)
    carriers.nzpost.fault("hang")
    with httpx.Client(timeout=CLIENT_TIMEOUT) as http:
        return timed_get(http, f"{site}/track/", q=",".join(MIXED_25))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs of each figure (the medians of the runs print)")
    args = parser.parse_args()
    redis.Redis.from_url(REDIS_URL).flushdb()
    carriers = FaultyCarriers()
    try:
        with gunicorn_site(carriers) as site:
            print(
                f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
                f"{platform.python_version()}, {platform.system()} {platform.release()}; carrier latency "
                f"{LATENCY * 1000:.0f} ms; site: gunicorn (gunicorn.conf.py), DEBUG off, Redis, PostgreSQL"
            )
            eighth = [eighth_lookup(site, carriers, run) for run in range(args.runs)]
            print(
                f"(1) 8th lookup of a hanging carrier: median {statistics.median(t for t, _ in eighth):.3f} s "
                f"(runs: {', '.join(f'{t:.3f}' for t, _ in eighth)}; statuses of the first run: {eighth[0][1]}) "
                f"(target < 0.2 s)"
            )
            cached = [cached_page_while_visitors_wait(site, carriers, run + 10) for run in range(args.runs)]
            waiting = sum((statuses for _, statuses in cached), Counter())
            print(
                f"(2) cached page while {VISITORS_WAITING} visitors wait on a hanging carrier: median "
                f"{statistics.median(t for t, _ in cached) * 1000:.1f} ms "
                f"(runs: {', '.join(f'{t * 1000:.1f}' for t, _ in cached)} ms; the visitors' answers: "
                f"{dict(sorted(waiting.items()))}) (target < 0.1 s)"
            )
            mixed = [mixed_search_with_one_hanging(site, carriers) for _ in range(args.runs)]
            print(
                f"(3) mixed {len(MIXED_25)}-number search with one carrier hanging: median "
                f"{statistics.median(t for t, _ in mixed):.2f} s (runs: {', '.join(f'{t:.2f}' for t, _ in mixed)}; "
                f"statuses {sorted({s for _, s in mixed})}) (target < 3.5 s)"
            )
            for server in carriers.all:
                server.fault("recover")
    finally:
        carriers.close()


if __name__ == "__main__":
    main()
