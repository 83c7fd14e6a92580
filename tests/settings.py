"""The settings the suite runs under: the site's own, with the demo's DJANGO_DEBUG=1 unless a test says otherwise.

DJANGO_DEBUG defaults to off (production); the test client speaks plain HTTP to `testserver` and serves static
files from the finders, as `make run` does. Tests of the production configuration start their own processes
with DJANGO_DEBUG=0.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
# The test client speaks to http://testserver: links to our own pages name that address.
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("HUEY_IMMEDIATE", "1")  # tasks run inline; the Huey services test runs a real consumer

from tracking_site.settings import *  # noqa: E402, F403

ESTIMATES_BACKGROUND_REBUILD = False  # tests ask for rebuilds themselves; no thread races a test database
