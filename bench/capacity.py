"""The capacity figures: many visitors of parcels nobody asked about lately, against carriers that ration calls.

The fakes enforce their carriers' budgets (PostPlus 5 and NZ Post 15 calls a second, DHL eCommerce 10; PostPlus
and DHL answer 429 over budget, NZ Post queues), answer after 150 ms, and each knows a few thousand generated
parcels. The site runs under gunicorn with 2 workers (gunicorn.conf.py otherwise), Redis and PostgreSQL, as in
bench/run.py. Prints figures; asserts nothing.

(A) a burst per carrier: 100 visitors open 100 different uncached parcel pages at once;
(B) sustained: 40 new PostPlus parcel pages a second for 10 s, each from its own visitor.

Usage: `python -m bench.capacity [--runs 3] [--workers 2]` (median of the runs last).
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis

from . import run as bench
from .fake_carrier import CARRIER_BUDGETS, bench_numbers
from .load import one_visit

BURST = 100
RATE = 40
SECONDS = 10.0
PARCELS = 4000  # per carrier: enough distinct parcels for every run


def tracking_calls(carrier: Any) -> list[dict[str, Any]]:
    return [call for call in carrier.carried() if call["path"].endswith(bench.LOOKUP_PATHS)]


def quiet_budget() -> None:
    """An empty budget window for the next figure, nothing cached."""
    bench.forget_parcels()
    time.sleep(1.2)
    bench.CARRIERS.reset()


def burst(site: str, slug: str, numbers: list[str]) -> dict[str, Any]:
    """(A) len(numbers) visitors at once, each opening one uncached parcel page."""
    quiet_budget()
    start = threading.Barrier(len(numbers), timeout=30)
    results: list[tuple[int, float]] = [(0, 0.0)] * len(numbers)

    def visit(index: int) -> None:
        start.wait()
        results[index] = one_visit(f"{site}/track/{slug}/{numbers[index]}/")

    threads = [threading.Thread(target=visit, args=(index,)) for index in range(len(numbers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    carrier = bench.CARRIERS.by_slug[slug]
    calls = tracking_calls(carrier)
    latencies = [seconds for _, seconds in results]
    return {
        "carrier": slug,
        "answered": sum(1 for status, _ in results if status == 200) / len(results),
        "busy": sum(1 for status, _ in results if status == 503),
        "calls": len(calls),
        "numbers_per_call": [call["numbers"] for call in calls],
        "over_budget": sum(1 for call in carrier.carried() if call["status"] == 429 or call["queued"]),
        "p50": statistics.median(latencies),
        "p99": bench.percentile(latencies, 0.99),
        "max": max(latencies),
    }


def sustained(site: str, numbers: list[str]) -> dict[str, Any]:
    """(B) RATE new PostPlus parcel pages a second for SECONDS, open loop: visitor i arrives at i / RATE."""
    quiet_budget()
    results: list[tuple[int, float]] = [(0, 0.0)] * len(numbers)
    t0 = time.monotonic() + 0.2

    def visit(index: int) -> None:
        delay = t0 + index / RATE - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        results[index] = one_visit(f"{site}/track/postplus/{numbers[index]}/")

    with ThreadPoolExecutor(max_workers=len(numbers)) as pool:
        list(pool.map(visit, range(len(numbers))))
    carrier = bench.CARRIERS.postplus
    calls = tracking_calls(carrier)
    times = sorted(call["at"] for call in calls)
    windows = [sum(1 for other in times if at <= other < at + 1.0) for at in times]
    span = times[-1] - times[0] if len(times) > 1 else 1.0
    latencies = [seconds for _, seconds in results]
    return {
        "answered": sum(1 for status, _ in results if status == 200) / len(results),
        "busy": sum(1 for status, _ in results if status == 503),
        "calls": len(calls),
        "calls_per_s": (len(times) - 1) / span if span else 0.0,
        "max_in_any_1s": max(windows) if windows else 0,
        "over_budget": sum(1 for call in carrier.carried() if call["status"] == 429),
        "p50": statistics.median(latencies),
        "p99": bench.percentile(latencies, 0.99),
        "max": max(latencies),
    }


def show_burst(figure: dict[str, Any]) -> str:
    sizes = figure["numbers_per_call"]
    return (
        f"{figure['carrier']:>13}: {figure['answered']:.1%} answered ({figure['busy']} busy), "
        f"{figure['calls']} calls (numbers each: {sizes}), over budget {figure['over_budget']}, "
        f"p50 {figure['p50']:.2f} s, p99 {figure['p99']:.2f} s, max {figure['max']:.2f} s"
    )


def show_sustained(figure: dict[str, Any]) -> str:
    return (
        f"     postplus: {figure['answered']:.1%} answered ({figure['busy']} busy), {figure['calls']} calls, "
        f"{figure['calls_per_s']:.2f} calls/s, max {figure['max_in_any_1s']} in any 1 s (budget "
        f"{CARRIER_BUDGETS['postplus']}), over budget {figure['over_budget']}, p50 {figure['p50']:.2f} s, "
        f"p99 {figure['p99']:.2f} s, max {figure['max']:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="2")
    parser.add_argument("--threads", default="", help="GUNICORN_THREADS (default: gunicorn.conf.py's)")
    args = parser.parse_args()
    redis.Redis.from_url(bench.REDIS_URL).flushdb()
    bench.CARRIERS = bench.Carriers(parcels=PARCELS)
    extra = {"WEB_CONCURRENCY": args.workers, **({"GUNICORN_THREADS": args.threads} if args.threads else {})}
    bursts: dict[str, list[dict[str, Any]]] = {}
    steady: list[dict[str, Any]] = []
    try:
        with bench.gunicorn_site(bench.CARRIERS, **extra) as site:
            print(f"site: gunicorn, {args.workers} workers, threads {args.threads or 'per gunicorn.conf.py'}")
            print(f"carriers: {bench.LATENCY * 1000:.0f} ms latency, budgets {CARRIER_BUDGETS} calls/s enforced")
            offset = 0
            for run in range(1, args.runs + 1):
                print(f"run {run}:")
                for slug in ("postplus", "dhl-ecommerce", "nzpost"):
                    figure = burst(site, slug, bench_numbers(slug, BURST, offset))
                    bursts.setdefault(slug, []).append(figure)
                    print(f"  (A) burst of {BURST} {show_burst(figure)}")
                offset += BURST
                figure = sustained(site, bench_numbers("postplus", int(RATE * SECONDS), offset))
                offset += int(RATE * SECONDS)
                steady.append(figure)
                print(f"  (B) {RATE}/s for {SECONDS:.0f} s {show_sustained(figure)}")
    finally:
        bench.CARRIERS.close()
    print(f"medians of {args.runs} runs:")
    for slug, figures in bursts.items():
        print(
            f"  (A) {slug}: answered {statistics.median(f['answered'] for f in figures):.1%}, "
            f"calls {statistics.median(f['calls'] for f in figures):.0f}, "
            f"p50 {statistics.median(f['p50'] for f in figures):.2f} s, "
            f"p99 {statistics.median(f['p99'] for f in figures):.2f} s, "
            f"max {statistics.median(f['max'] for f in figures):.2f} s"
        )
    print(
        f"  (B) postplus: answered {statistics.median(f['answered'] for f in steady):.1%}, "
        f"{statistics.median(f['calls_per_s'] for f in steady):.2f} calls/s, "
        f"max in any 1 s {max(f['max_in_any_1s'] for f in steady)}, "
        f"over budget {sum(f['over_budget'] for f in steady)}, "
        f"p99 {statistics.median(f['p99'] for f in steady):.2f} s"
    )


if __name__ == "__main__":
    main()
