"""A worker process for the shared-rate-limit test: sends N API requests from one client IP, prints the statuses."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracking_site.settings")
django.setup()

from django.test import Client  # noqa: E402

ip, count = sys.argv[1], int(sys.argv[2])
client = Client(REMOTE_ADDR=ip)
print(" ".join(str(client.get("/api/v1/parcels/unknown-carrier/CL092594238NZ").status_code) for _ in range(count)))
