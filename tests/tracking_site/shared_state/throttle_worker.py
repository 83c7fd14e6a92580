"""A worker process for the shared carrier rate limit test: reserves N slots in Redis, prints them (server clock)."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracking_site.settings")
django.setup()

from django.core.cache import caches  # noqa: E402

from carriers.throttle import RateLimit  # noqa: E402
from tracking_site.shared_state.call_budget import RedisSlots  # noqa: E402

carrier, calls, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
slots = RedisSlots(caches["default"], {carrier: RateLimit(calls, 1.0)}, max_wait_seconds=3600)
print(" ".join(f"{slots.reserve_slot(carrier)[2]:.6f}" for _ in range(count)), flush=True)
