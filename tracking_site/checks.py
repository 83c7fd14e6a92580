"""System checks: a configuration that cannot work stops the site at start; production's own with `--deploy`.

`manage.py` runs the checks before every command (migrate, run_huey, runserver); nothing runs them under
gunicorn, so wsgi.py calls `stop_on_configuration_errors` as a worker loads the site.
"""

from __future__ import annotations

import sys
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from carriers.base import DEFAULT_TIMEOUT
from tracking_site.estimates.figures import ESTIMATES
from tracking_site.following.policy import FOLLOWING
from tracking_site.lookup.event_codes import EVENT_CODES
from tracking_site.lookup.gatherer import GATHER, LOOKUP
from tracking_site.lookup.parcel_cache import PARCEL_CACHE
from tracking_site.postplus_feed.store import FEED
from tracking_site.protection.rate_limits import RATE_LIMITS
from tracking_site.resilience.carrier_guard import BULKHEAD
from tracking_site.resilience.circuit_breaker import BREAKER
from tracking_site.shared_state.call_budget import BUDGET
from tracking_site.tuning import DATABASE, EMAIL, QUEUE, REDIS, SECURITY, tuning_problems
from tracking_site.web.answer_cache import ANSWER_CACHE

# Every tuning section: an override names one of these, or it is a mistake.
SECTIONS = (
    LOOKUP,
    GATHER,
    PARCEL_CACHE,
    ANSWER_CACHE,
    BUDGET,
    BREAKER,
    BULKHEAD,
    REDIS,
    DATABASE,
    SECURITY,
    RATE_LIMITS,
    FEED,
    EVENT_CODES,
    FOLLOWING,
    ESTIMATES,
    QUEUE,
    EMAIL,
)

# gunicorn's arbiter stops the whole server, saying "App failed to load.", when a worker exits with this code.
APP_LOAD_ERROR = 4


@checks.register()
def check_environment(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Variables of the wrong type, and variables of ours the site does not read (environment.py)."""
    return [checks.Error(problem, id="tracking_site.E010") for problem in settings.TRACKING_ENVIRONMENT_PROBLEMS]


@checks.register()
def check_tuning(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """TRACKING_TUNING's sections, keys and values (tuning.py), then the values that contradict each other."""
    problems = [
        checks.Error(f"TRACKING_TUNING: {problem}.", id="tracking_site.E011")
        for problem in tuning_problems(settings.TRACKING_TUNING, SECTIONS)
    ]
    return problems or contradictions()


def contradictions() -> list[checks.CheckMessage]:
    lookup, gather = LOOKUP.current(), GATHER.current()
    read_timeout = DEFAULT_TIMEOUT.read or 0.0
    rules = [
        (
            lookup.search_deadline_seconds < lookup.wait_seconds,
            f"lookup.search_deadline_seconds ({lookup.search_deadline_seconds:g}) is shorter than lookup.wait_seconds "
            f"({lookup.wait_seconds:g}): a search would give up on numbers still waiting for their carrier's budget.",
        ),
        (
            lookup.deadline_seconds < read_timeout,
            f"lookup.deadline_seconds ({lookup.deadline_seconds:g}) is shorter than the carriers' read timeout "
            f"({read_timeout:g} s): lookups would give up on calls that are still allowed to answer.",
        ),
        (
            gather.linger_seconds < gather.quiet_seconds,
            f"gather.linger_seconds ({gather.linger_seconds:g}) is shorter than gather.quiet_seconds "
            f"({gather.quiet_seconds:g}): a call could never wait for a burst to go quiet.",
        ),
    ]
    return [checks.Error(f"TRACKING_TUNING: {text}", id="tracking_site.E012") for wrong, text in rules if wrong]


def stop_on_configuration_errors() -> None:
    """Run the system checks as `manage.py check` would; on an error print them all and stop the process."""
    errors = [message for message in checks.run_checks() if message.is_serious() and not message.is_silenced()]
    if not errors:
        return
    lines = [f"  {message.id}: {message.msg}" for message in errors]
    sys.stderr.write("The site's configuration has errors; it will not start:\n" + "\n".join(lines) + "\n")
    sys.stderr.flush()
    raise SystemExit(APP_LOAD_ERROR)


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
