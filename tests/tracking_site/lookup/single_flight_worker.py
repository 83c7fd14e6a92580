"""A worker process for the cross-process single-flight test: looks one parcel up in N threads at once.

Prints "ready" once set up, waits for a line on stdin, then prints one word per lookup ("found" or the result's type).
"""

import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracking_site.settings")
django.setup()

from carriers.model import Found  # noqa: E402
from tracking_site.lookup.service import lookup_parcels  # noqa: E402

number, count = sys.argv[1], int(sys.argv[2])
words = [""] * count


def lookup(index: int) -> None:
    result = lookup_parcels([number], "postplus")[0].result
    words[index] = "found" if isinstance(result, Found) else type(result).__name__


threads = [threading.Thread(target=lookup, args=(index,)) for index in range(count)]
print("ready", flush=True)
sys.stdin.readline()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(" ".join(words), flush=True)
