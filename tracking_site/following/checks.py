"""The deploy check following needs: links that leave the site are built from SITE_URL, never the Host header."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.SITE_URL.startswith("https://"):
        return []
    return [
        checks.Error(
            "SITE_URL is not an https address: feeds, calendar entries, emails and notifications link to it.",
            id="following.E001",
        )
    ]
