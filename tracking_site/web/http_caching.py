"""HTTP caching of parcel answers, so browsers and CDNs revalidate cheaply instead of asking again.

The ETag is a hash of everything the body is made from: the public data it shows, the site build, the
language and, for pages, the canonical address (SITE_URL and the path asked) that its links name. It is
computed before rendering: a matching If-None-Match costs a cache lookup, not a render. Nothing else of the
request (scheme, Host, cookies other than the language's) reaches the body, so equal ETags mean equal bodies
and different bodies different ETags, over http or https and whatever the Host header said.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware import locale
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from carriers.model import Found, Status
from tracking_site.brand.current import current_brand
from tracking_site.lookup.service import LookupOutcome
from tracking_site.presentation.links import absolute_url
from tracking_site.presentation.local_times import parcel_today
from tracking_site.presentation.parcel_json import parcel_to_json

# Browsers and CDNs reuse a parcel answer this long, then may show it while revalidating this much longer.
MAX_AGE_SECONDS = 30
DELIVERED_MAX_AGE_SECONDS = 300
STALE_WHILE_REVALIDATE_SECONDS = 30
# The files whose content shapes a rendered page: a deploy that changes any of them changes every ETag.
BUILD_FOLDERS = ("templates", "static", "locale", "tracking_site", "carriers")
BUILD_SUFFIXES = {".html", ".css", ".js", ".py", ".mo", ".svg", ".txt"}


@functools.cache
def site_build() -> str:
    """A fingerprint of this deploy's code, templates and static files and of its brand, the same in every worker."""
    digest = hashlib.sha256()
    brand = current_brand()
    digest.update(brand.fingerprint.encode() if brand else b"")
    base = Path(settings.BASE_DIR)
    for folder in BUILD_FOLDERS:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in BUILD_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@receiver(setting_changed)
def _forget_build(*, setting: str, **kwargs: object) -> None:
    if setting == "SITE_BRAND":  # tests change brands; a running site never does
        site_build.cache_clear()


def parcel_etag(request: HttpRequest, outcome: LookupOutcome, representation: str) -> str:
    """A strong ETag for one representation ("page", "api") of a found parcel, as asked at this path."""
    assert isinstance(outcome.result, Found)  # noqa: S101 - only found parcels are cacheable
    shown = {
        "representation": representation,
        "build": site_build(),
        "language": get_language() or "",
        # A page names its own address (share link, og:url) and path (the language form returns there);
        # the JSON does not, so its ETag does not change with either.
        "address": absolute_url(request.get_full_path()) if representation == "page" else "",
        # A page says "today", "tomorrow" or "late" from the parcel's own day: a new day is a new page.
        "today": parcel_today(outcome.result.parcel, timezone.now()).isoformat() if representation == "page" else "",
        "parcel": parcel_to_json(outcome.result.parcel),
        "incomplete": outcome.result.incomplete,
        "stale": outcome.stale,
        "fetched_at": outcome.fetched_at.isoformat() if outcome.fetched_at else None,
    }
    encoded = json.dumps(shown, sort_keys=True, default=str).encode()
    return f'"{hashlib.sha256(encoded).hexdigest()[:32]}"'


def cache_control(outcome: LookupOutcome) -> str:
    """Short public lifetimes; a stale answer (the carrier is failing) must be revalidated every time."""
    if outcome.stale or not isinstance(outcome.result, Found):
        return "no-cache"
    delivered = outcome.result.parcel.status is Status.DELIVERED
    max_age = DELIVERED_MAX_AGE_SECONDS if delivered else MAX_AGE_SECONDS
    return f"public, max-age={max_age}, stale-while-revalidate={STALE_WHILE_REVALIDATE_SECONDS}"


def conditional_parcel_response(
    request: HttpRequest, outcome: LookupOutcome, representation: str, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """304 Not Modified when the client's copy is current, else the rendered answer; validators on both."""
    etag = parcel_etag(request, outcome, representation)
    last_modified = int(outcome.fetched_at.timestamp()) if outcome.fetched_at else None
    response = get_conditional_response(request, etag=etag, last_modified=last_modified) or render()
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    control = cache_control(outcome)
    # A page that hands this visitor a cookie (a CSRF token for a form) is theirs alone, never a CDN's.
    if control.startswith("public") and (request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or response.cookies):
        control = control.replace("public", "private", 1)
    response["Cache-Control"] = control
    return response


def errors_not_cached(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Errors (not found, carrier failures, bad numbers, rate limits) are never reused without asking again."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code >= 400 and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-cache"
        return response

    return wrapper


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware, saying all it goes by: the language cookie chooses the language as well.

    Django adds `Vary: Accept-Language` only; a shared cache would then hand a page whose language came from
    the `django_language` cookie to everyone with that browser language. `Vary: Cookie` keeps visitors who
    carry cookies apart; visitors without cookies still share one copy per language.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        patch_vary_headers(response, ("Cookie",))
        return response
