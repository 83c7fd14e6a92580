"""The performance figures, measured on loopback. Prints figures; asserts nothing.

The demo carriers run as threaded HTTP servers with an injected latency; the site runs under gunicorn
(gunicorn.conf.py, DJANGO_DEBUG=0) with Redis, configured like production through the carriers' base-URL
settings and the fakes' demo credentials. Usage: `python -m bench.run [--quick]` (or `make bench`).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import redis

from carriers.demo import build_demo_carriers
from carriers.detect import candidate_carriers
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus

from .fake_carrier import FakeCarrierProcess
from .gunicorn_server import free_port, gunicorn_serving
from .load import one_visit, throughput

BASE_DIR = Path(__file__).resolve().parent.parent
LATENCY = 0.150
# Enough unmeasured searches that every gunicorn worker (gunicorn.conf.py: 2 × cores + 1, at most 8) most
# likely served one before measuring.
WARM_UP_SEARCHES = 8
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
LOOKUP_PATHS = ("/get-many", "/tracking/v4/package/open", "/parceltrack/v4/parcels")

# A mixed 25-number search: every number's shape routes it to carriers that hold it (a DHL-shaped number
# DHL does not know is retried with its other identifier kinds, a second round trip by design).
KNOWN_NUMBERS = (
    [n for n, _ in fake_postplus.DEMO_NUMBERS if candidate_carriers(n) == ("postplus",)]
    + [n for n, _ in fake_dhl.DEMO_NUMBERS]
    + [n for n, _ in fake_nzpost.DEMO_NUMBERS if not n.isdigit()]
)
# CourierPost tickets no carrier knows fill the search up to 25, however many demo parcels the fakes hold.
NZ_UNKNOWN_TICKETS = [f"{6640213398700200 + index}AKL007CP" for index in range(25 - len(KNOWN_NUMBERS))]
MIXED_25 = KNOWN_NUMBERS + NZ_UNKNOWN_TICKETS
assert len(MIXED_25) == 25, len(MIXED_25)


class Carriers:
    """The three fake carriers on loopback, each in its own process, with their call logs.

    Each enforces its carrier's own budget (bench/fake_carrier.py: PostPlus and DHL answer 429 over it, NZ Post
    queues), as the real ones do, and knows `parcels` generated parcels besides the demo ones.
    """

    def __init__(self, parcels: int = 0) -> None:
        self.postplus = FakeCarrierProcess("postplus", LATENCY, budget=True, parcels=parcels)
        self.dhl = FakeCarrierProcess("dhl-ecommerce", LATENCY, budget=True, parcels=parcels)
        self.nzpost = FakeCarrierProcess("nzpost", LATENCY, budget=True, parcels=parcels)
        self.all = (self.postplus, self.dhl, self.nzpost)
        self.by_slug = {server.slug: server for server in self.all}

    def reset(self) -> None:
        for server in self.all:
            server.reset()

    def lookups(self) -> list[tuple[float, str]]:
        """Tracking calls (not token fetches) every fake has seen since the last reset."""
        calls = [call for server in self.all for call in server.calls()]
        return sorted(call for call in calls if call[1].endswith(LOOKUP_PATHS))

    def env(self) -> dict[str, str]:
        return {
            "TRACKING_DEMO": "0",
            "POSTPLUS_API_KEY": fake_postplus.DEMO_API_KEY,
            "POSTPLUS_BASE_URL": self.postplus.url,
            "DHL_ECOMMERCE_CLIENT_ID": fake_dhl.DEMO_CLIENT_ID,
            "DHL_ECOMMERCE_CLIENT_SECRET": fake_dhl.DEMO_CLIENT_SECRET,
            "DHL_ECOMMERCE_BASE_URL": self.dhl.url,
            "NZPOST_CLIENT_ID": fake_nzpost.DEMO_CLIENT_ID,
            "NZPOST_CLIENT_SECRET": fake_nzpost.DEMO_CLIENT_SECRET,
            "NZPOST_BASE_URL": self.nzpost.url,
            "NZPOST_TOKEN_URL": f"{self.nzpost.url}/as/token.oauth2",
        }

    def close(self) -> None:
        for server in self.all:
            server.close()


@contextmanager
def gunicorn_site(carriers: Carriers, **extra: str) -> Iterator[str]:
    """The site under gunicorn with its own config file, DEBUG off, Redis, after collectstatic."""
    port = free_port()
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = {
        **os.environ,
        **carriers.env(),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": static_root,
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": DATABASE_URL,
        # Plain HTTP on loopback; and the visitors' own rate limits would stop a load generator from one address
        # long before the site does.
        "TRACKING_TUNING": "security.ssl_redirect=0 rate_limits.enabled=0",
        **extra,
    }
    log_path = os.environ.get("BENCH_SERVER_LOG", os.devnull)
    access_log = ["--access-logfile", os.devnull]
    with open(log_path, "w") as server_log, gunicorn_serving(env, port, server_log, options=access_log) as base:
        yield base


def forget_parcels() -> None:
    """Drop cached parcels, finished pages and the gatherer's state; OAuth tokens and budget slots stay."""
    store = redis.Redis.from_url(REDIS_URL)
    for pattern in ("*parcel:v2:*", "*gather:v1:*", "*answer:v1:*"):
        keys = list(store.scan_iter(match=pattern, count=1000))
        if keys:
            store.delete(*keys)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def minimum_calls(numbers: list[str]) -> int:
    """The fewest tracking calls the carriers' batch limits allow for the carriers each number's shape needs."""
    clients = build_demo_carriers()
    asked: dict[str, list[str]] = {}
    for number in numbers:
        for slug in candidate_carriers(number):
            asked.setdefault(slug, []).append(number)
    return sum(len(clients[slug].plan_batches(group)) for slug, group in asked.items())


# --- The six figures ------------------------------------------------------------------------------------------


def cold_single_lookup(site: str, http: httpx.Client, samples: int) -> dict[str, float]:
    """(1) One parcel page, nothing cached: the site's time minus the carrier's injected latency.

    Cycles through every found demo parcel of the three carriers, so a number comes back only after the
    workers' own brief copies of finished pages (answer_cache.LOCAL_SECONDS) have lapsed; counts only
    lookups that took one carrier call (a DHL number tried under a second identifier kind takes two).
    """
    numbers = [
        *(("postplus", n) for n, _ in fake_postplus.DEMO_NUMBERS if candidate_carriers(n) == ("postplus",)),
        *(("dhl-ecommerce", n) for n, _ in fake_dhl.DEMO_NUMBERS),
        *(("nzpost", n) for n, _ in fake_nzpost.DEMO_NUMBERS),
    ]
    overheads: list[float] = []
    direct: list[float] = []
    index = 0
    while len(overheads) < samples and index < samples * 4:
        carrier, number = numbers[index % len(numbers)]
        index += 1
        forget_parcels()
        CARRIERS.reset()
        started = time.perf_counter()
        response = http.get(f"{site}/track/{carrier}/{number}/")
        elapsed = time.perf_counter() - started
        if response.status_code == 200 and len(CARRIERS.lookups()) == 1:
            overheads.append(elapsed - LATENCY)
        time.sleep(0.25)  # stay well under PostPlus's 5 calls/s: this figure is about overhead, not queueing
    # The fake itself, asked directly over the same loopback, for scale.
    fake = fake_postplus.DEMO_NUMBERS[1][0]
    for _ in range(10):
        started = time.perf_counter()
        http.get(
            f"{CARRIERS.postplus.url}/api/v1/tracking/parcel-nrs/get-many?ParcelNrs={fake}",
            headers={"X-API-KEY": fake_postplus.DEMO_API_KEY},
        )
        direct.append(time.perf_counter() - started - LATENCY)
        time.sleep(0.25)
    return {
        "median": statistics.median(overheads),
        "p95": percentile(overheads, 0.95),
        "direct_median": statistics.median(direct),
    }


def mixed_search(site: str, http: httpx.Client, samples: int) -> dict[str, float]:
    """(2) and (3): a cold 25-number search across the three carriers: wall time / latency, and calls made."""
    query = ",".join(MIXED_25)
    ratios: list[float] = []
    calls: list[int] = []
    # Unmeasured searches first: a worker's first fan-out starts its threads and their database
    # connections, a once-per-process cost a running site has long paid.
    for _ in range(WARM_UP_SEARCHES):
        forget_parcels()
        http.get(f"{site}/track/", params={"q": query})
        time.sleep(1.1)
    for _ in range(samples):
        forget_parcels()
        CARRIERS.reset()
        started = time.perf_counter()
        response = http.get(f"{site}/track/", params={"q": query})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        ratios.append(elapsed / LATENCY)
        calls.append(len(CARRIERS.lookups()))
        time.sleep(1.1)  # one search every ~1.3 s keeps PostPlus's budget (5/s) out of the figure
    return {
        "numbers": len(MIXED_25),
        "ratio_median": statistics.median(ratios),
        "ratio_p95": percentile(ratios, 0.95),
        "calls_median": statistics.median(calls),
        "calls_max": max(calls),
        "calls_minimum": minimum_calls(MIXED_25),
    }


def cached_throughput(site: str, http: httpx.Client, seconds: float) -> dict[str, float]:
    """(4) A cached parcel page's requests/s over the bare Django view's, same server, same load generator."""
    page = f"{site}/track/nzpost/{fake_nzpost.DEMO_NUMBERS[1][0]}/"
    assert http.get(page).status_code == 200  # now cached (fresh for 60 s, plenty for the run)
    bare = throughput(f"{site}/__bench/bare", seconds=seconds)
    cached = throughput(page, seconds=seconds)
    return {"bare_rps": bare, "cached_rps": cached, "ratio": cached / bare}


def thundering_herd(site: str, requests: int) -> dict[str, float]:
    """(5) Many concurrent requests for one uncached parcel: how many calls reach the carrier."""
    number = fake_postplus.DEMO_NUMBERS[2][0]
    forget_parcels()
    time.sleep(1.1)  # an empty PostPlus budget window, so no request is slowed by an earlier figure
    CARRIERS.reset()
    start = threading.Barrier(requests, timeout=30)
    statuses: list[int] = []

    def one() -> None:
        start.wait()
        statuses.append(one_visit(f"{site}/track/postplus/{number}/")[0])

    threads = [threading.Thread(target=one) for _ in range(requests)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "requests": requests,
        "ok": statuses.count(200),
        "upstream_calls": len(CARRIERS.lookups()),
        "wall": time.perf_counter() - started,
    }


def sustained_over_limit(site: str, seconds: float, limit: int = 5) -> dict[str, float]:
    """(6) Cold PostPlus lookups offered at twice its limit: calls per second the fake sees, in any 1 s window."""
    rate = 2 * limit
    count = int(seconds * rate)
    numbers = [f"LB{secrets.randbelow(10**9):09d}EE" for _ in range(count)]
    forget_parcels()
    time.sleep(1.1)
    CARRIERS.reset()
    statuses: list[int] = []
    t0 = time.monotonic() + 0.2

    def one(index: int) -> None:
        delay = t0 + index / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)  # open loop: request i leaves at i/rate whatever the others do
        statuses.append(one_visit(f"{site}/api/v1/parcels/postplus/{numbers[index]}")[0])

    with ThreadPoolExecutor(max_workers=count) as pool:
        list(pool.map(one, range(count)))
    times = [at for at, path in CARRIERS.lookups() if path.endswith("/get-many")]
    windows = [sum(1 for other in times if at <= other < at + 1.0) for at in times]
    span = times[-1] - times[0] if len(times) > 1 else 1.0
    return {
        "offered_per_s": rate,
        "limit_per_s": limit,
        "calls": len(times),
        "max_in_any_1s_window": max(windows) if windows else 0,
        "mean_calls_per_s": (len(times) - 1) / span if span else 0.0,
        "answered": sum(1 for status in statuses if status in (200, 404)),
        "rate_limited_503": statuses.count(503),
    }


CARRIERS: Carriers


def main() -> None:
    global CARRIERS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer samples, shorter runs")
    args = parser.parse_args()
    samples, seconds = (9, 3.0) if args.quick else (30, 8.0)

    redis.Redis.from_url(REDIS_URL).flushdb()
    CARRIERS = Carriers()
    try:
        with gunicorn_site(CARRIERS) as site, httpx.Client(timeout=30) as http:
            print(
                f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
                f"{platform.python_version()}, {platform.system()} {platform.release()}"
            )
            print(f"carrier latency injected: {ms(LATENCY)}; site: gunicorn (gunicorn.conf.py), DEBUG off, Redis")
            for carrier, number in (
                ("dhl-ecommerce", fake_dhl.DEMO_NUMBERS[0][0]),
                ("nzpost", fake_nzpost.DEMO_NUMBERS[0][0]),
            ):
                http.get(f"{site}/track/{carrier}/{number}/")  # OAuth tokens fetched once, as in production

            single = cold_single_lookup(site, http, samples)
            print(
                f"(1) cold single-parcel page (one carrier call), overhead over the carrier latency: "
                f"median {ms(single['median'])}, "
                f"p95 {ms(single['p95'])} (the fake alone, asked directly: {ms(single['direct_median'])})"
            )
            mixed = mixed_search(site, http, max(samples // 2, 5))
            print(
                f"(2) cold {mixed['numbers']}-number mixed search, wall time / carrier latency: median "
                f"{mixed['ratio_median']:.2f}, p95 {mixed['ratio_p95']:.2f} (target < 1.3)"
            )
            print(
                f"(3) tracking calls per search: median {mixed['calls_median']:.0f}, max {mixed['calls_max']}, "
                f"minimum possible {mixed['calls_minimum']} (target: equal)"
            )
            cached = cached_throughput(site, http, seconds)
            print(
                f"(4) cached parcel page {cached['cached_rps']:.0f} req/s, bare Django view {cached['bare_rps']:.0f} "
                f"req/s: ratio {cached['ratio']:.2f} (target > 0.5)"
            )
            herd = thundering_herd(site, 200)
            print(
                f"(5) {herd['requests']} concurrent requests for one uncached parcel: {herd['upstream_calls']} "
                f"carrier call(s), {herd['ok']} answered 200 in {herd['wall']:.2f} s (target 1 call)"
            )
            load = sustained_over_limit(site, seconds)
            print(
                f"(6) PostPlus offered {load['offered_per_s']}/s for {seconds:.0f} s (limit {load['limit_per_s']}/s): "
                f"max {load['max_in_any_1s_window']} calls in any 1 s window, mean {load['mean_calls_per_s']:.2f}/s; "
                f"{load['answered']} answered, {load['rate_limited_503']} told 'busy' (503)"
            )
    finally:
        CARRIERS.close()


if __name__ == "__main__":
    main()
