"""A worker process for the shared carrier budget test: reserves N slots in Redis, prints each one's wait."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracking_site.settings")
django.setup()

from carriers.throttle import RateLimit  # noqa: E402
from tracking_site.shared_state.call_budget import RedisBudget  # noqa: E402
from tracking_site.shared_state.redis_client import shared_redis  # noqa: E402

carrier, calls, count, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
budget = RedisBudget(shared_redis(), {carrier: RateLimit(calls, 1.0)}, clock=lambda: now)
print(" ".join(f"{now + budget.reserve(carrier, 3600).wait_seconds:.6f}" for _ in range(count)), flush=True)
