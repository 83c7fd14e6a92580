"""The site's own settings plus one bare view, so the benchmark can compare a parcel page with Django's floor."""

from tracking_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
