"""The settings the suite runs under: the site's own, with the demo's DJANGO_DEBUG=1 unless a test says otherwise.

DJANGO_DEBUG defaults to off (production); the test client speaks plain HTTP to `testserver` and serves static
files from the finders, as `make run` does. Tests of the production configuration start their own processes
with DJANGO_DEBUG=0. Tests change tuning the way an operator does, through TRACKING_TUNING (tests/conftest.py's
`tune`).
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
# The test client speaks to http://testserver: links to our own pages name that address.
os.environ.setdefault("SITE_URL", "http://testserver")

from tracking_site.settings import *  # noqa: E402, F403
from tracking_site.settings import HUEY, TRACKING_TUNING  # noqa: E402

HUEY = {**HUEY, "immediate": True}  # tasks run inline; the Huey services test runs a real consumer
TRACKING_TUNING = {
    **TRACKING_TUNING,
    # Tests ask for rebuilds themselves: no thread races a test database.
    "estimates": {"background_rebuild": False, **TRACKING_TUNING.get("estimates", {})},
    # Rate limits are off in tests; tests of the limits themselves switch them on (in process, or in a child's
    # TRACKING_TUNING).
    "rate_limits": {"enabled": False, **TRACKING_TUNING.get("rate_limits", {})},
}
