"""System checks for a production configuration (run by `manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        problems.append(
            checks.Error("DJANGO_SECRET_KEY is not set: the development key is public.", id="tracking_site.E001")
        )
    if settings.TRACKING_DEMO:
        problems.append(
            checks.Warning("Demo mode is on: the site answers from built-in fake carriers.", id="tracking_site.W001")
        )
    problems.extend(site_url_problems(settings.SITE_URL))
    return problems


def site_url_problems(site_url: str) -> list[checks.CheckMessage]:
    """SITE_URL must name the public address (links and cache keys come from it), as https://host[:port]."""
    if not site_url:
        return [
            checks.Error(
                "SITE_URL is not set: share links, Open Graph URLs and staff customer links need the public "
                "address (e.g. https://track.example.com).",
                id="tracking_site.E002",
            )
        ]
    parts = urlsplit(site_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path or parts.query or parts.fragment:
        return [
            checks.Error(
                "SITE_URL must be a scheme and host only, e.g. https://track.example.com.", id="tracking_site.E003"
            )
        ]
    if parts.scheme != "https":
        return [
            checks.Error(
                "SITE_URL is not https: share links, feeds, calendar entries, emails and notifications would send "
                "people to plain HTTP.",
                id="tracking_site.E004",
            )
        ]
    return []
