"""System checks for a production configuration (run by `manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

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
    return problems
