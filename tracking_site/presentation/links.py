"""Absolute links to our own pages, from the canonical SITE_URL setting, never from the Host header.

A Host header is whatever the client (or a misconfigured proxy) sent: taken from it, share links would carry
`localhost:6666` and every host or port a visitor tried would be a separate cached page.
"""

from __future__ import annotations

from django.conf import settings

# `make run`'s address: the only fallback, and only with DEBUG on (production must set SITE_URL; check --deploy).
DEBUG_SITE_URL = "http://127.0.0.1:8000"


def site_url() -> str:
    """The canonical scheme and host, without a trailing slash; "" in production when SITE_URL is unset."""
    return settings.SITE_URL or (DEBUG_SITE_URL if settings.DEBUG else "")


def absolute_url(path: str) -> str:
    """`path` (an absolute path such as reverse() gives, query string allowed) on the canonical address.

    Without a SITE_URL in production the path is returned alone: a relative link, never someone else's host.
    """
    if not path.startswith("/"):
        raise ValueError(f"not an absolute path: {path!r}")
    return f"{site_url()}{path}"
