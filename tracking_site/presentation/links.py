"""Links to our own pages that leave the site (feeds, calendar entries, emails, notifications, staff replies).

Built from the canonical SITE_URL setting, never from a request's Host header, so a forged Host never reaches
anything we send. Without SITE_URL, development (DEBUG) uses the demo's own address.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def site_url() -> str:
    """The site's canonical origin, without a trailing slash."""
    configured = getattr(settings, "SITE_URL", "")
    if configured:
        return str(configured).rstrip("/")
    if settings.DEBUG:
        return DEVELOPMENT_SITE_URL
    raise ImproperlyConfigured("SITE_URL must be set when DJANGO_DEBUG is off")


def absolute_url(path: str) -> str:
    """`path` (starting with "/") on the canonical site."""
    return site_url() + path
