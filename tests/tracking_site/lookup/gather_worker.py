"""A worker process for the cross-process gathering test: looks up its numbers, one thread each, all at once.

Prints "ready" once set up, waits for a line on stdin, then prints one word per number ("found", "notfound" or
the failure's reason).
"""

import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracking_site.settings")
django.setup()

from carriers.model import CarrierFailure, Found  # noqa: E402
from tracking_site.lookup.clients import get_carriers  # noqa: E402
from tracking_site.lookup.service import lookup_parcels  # noqa: E402

numbers = sys.argv[1:]
words = [""] * len(numbers)


def lookup(index: int) -> None:
    result = lookup_parcels([numbers[index]], "postplus")[0].result
    if isinstance(result, Found):
        words[index] = "found"
    elif isinstance(result, CarrierFailure):
        words[index] = result.reason.value
    else:
        words[index] = "notfound"


get_carriers()  # built before the start: the test times the lookups, not the set-up
threads = [threading.Thread(target=lookup, args=(index,)) for index in range(len(numbers))]
print("ready", flush=True)
sys.stdin.readline()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(" ".join(words), flush=True)
