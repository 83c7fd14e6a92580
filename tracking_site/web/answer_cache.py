"""Finished parcel answers (page or JSON) kept for as long as asking again would give the very same answer.

A popular link then costs a cache read, not a lookup and a render. An answer is kept only while the parcel
entry it was made from is fresh (so it never outlives what the lookup itself would serve) and at most
RENDERED_PAGE_SECONDS; relative times on it ("5 minutes ago") may lag by as much, as in a browser's copy.
Two layers: a small copy in this process (no round trip at all) and the shared cache (one read, any worker).

Only plain GETs without a query string are kept (nobody can fill the cache with variants), only found,
non-stale 200 answers, and only answers that hand out no cookie: nothing personal is shared between visitors.
A kept answer is not free: the views charge the visitor's number budget before they ask for one.

Why not Django's cache helpers (`get_cache_key`/`learn_cache_key`, as the cache middleware uses them): they
key an entry on `request.build_absolute_uri()`, so on the Host header and port the client sent (twenty ports
would make twenty entries of one page), and on the raw value of every request header the answer varies on.
Our answers vary on `Accept-Language` and `Cookie` (`http_caching.LocaleMiddleware`), yet depend only on the
language Django negotiated from them: with the helpers every browser's own Accept-Language string and every
cookie jar would be a separate entry, and a visitor carrying any cookie would never share one. This key is the
build, the representation, the negotiated language and the canonical address (SITE_URL) of the path: exactly
what the body is made from (see http_caching's ETag). The Vary header itself is still Django's `patch_vary_headers`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language

from carriers.model import Found
from tracking_site.lookup.service import LookupOutcome
from tracking_site.presentation.links import absolute_url
from tracking_site.tuning import Count, Section
from tracking_site.web.http_caching import site_build

# Wall clock, the same on every worker; tests move it.
clock: Callable[[], float] = time.time
# The copy in this process: few entries, briefly (other workers' renders arrive through the shared cache).
LOCAL_ENTRIES = 256
LOCAL_SECONDS = 5.0


@dataclass(frozen=True)
class AnswerCacheTuning:
    # A finished parcel page or JSON answer is reused at most this long, and never past its parcel's freshness; 0
    # switches it off. Relative times on it ("5 minutes ago") may lag by as much, as in a browser's or CDN's copy.
    seconds: Count = 30


ANSWER_CACHE = Section("answer_cache", AnswerCacheTuning)


@dataclass(frozen=True)
class KeptAnswer:
    content: bytes
    content_type: str
    etag: str
    last_modified: int | None  # seconds since the epoch, as the Last-Modified header says
    cache_control: str
    valid_until: float

    def response(self, request: HttpRequest) -> HttpResponse:
        """The kept answer, or 304 Not Modified when the visitor's copy is this one."""
        response = get_conditional_response(request, etag=self.etag, last_modified=self.last_modified) or HttpResponse(
            self.content, content_type=self.content_type
        )
        response["ETag"] = self.etag
        if self.last_modified is not None:
            response["Last-Modified"] = http_date(self.last_modified)
        response["Cache-Control"] = self.cache_control
        return response


class LocalCopies:
    """A small, thread-safe, least-recently-used map of kept answers, each with its own expiry."""

    def __init__(self, entries: int = LOCAL_ENTRIES) -> None:
        self.entries = entries
        self._kept: OrderedDict[str, KeptAnswer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, now: float) -> KeptAnswer | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            if kept.valid_until <= now:
                del self._kept[key]
                return None
            self._kept.move_to_end(key)
            return kept

    def put(self, key: str, kept: KeptAnswer) -> None:
        with self._lock:
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self.entries:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


local_copies = LocalCopies()


def answer_key(request: HttpRequest, representation: str) -> str:
    """One key per build (code, templates, brand), representation, negotiated language and canonical address:
    whatever the Host header said. A deploy sharing the cache with the one before it never serves that one's pages."""
    asked = f"{site_build()}|{representation}|{get_language() or ''}|{absolute_url(request.get_full_path())}"
    return f"answer:v1:{hashlib.sha256(asked.encode()).hexdigest()[:40]}"


def _shareable(request: HttpRequest) -> bool:
    return ANSWER_CACHE.current().seconds > 0 and request.method == "GET" and not request.META.get("QUERY_STRING")


def kept_response(request: HttpRequest, representation: str) -> HttpResponse | None:
    """The kept answer for this request, if there is one still valid."""
    if not _shareable(request):
        return None
    key, now = answer_key(request, representation), clock()
    kept = local_copies.get(key, now)
    if kept is None:
        shared = cache.get(key)
        if isinstance(shared, KeptAnswer) and shared.valid_until > now:
            kept = shared
            local_copies.put(key, _locally(shared, now))
    return kept.response(request) if kept else None


def keep(request: HttpRequest, representation: str, outcome: LookupOutcome, response: HttpResponse) -> HttpResponse:
    """Keep a finished answer for the next visitors when it is safe to share; return it unchanged."""
    if not _shareable(request) or not _keepable(request, outcome, response):
        return response
    now = clock()
    assert outcome.fresh_until is not None  # noqa: S101 - checked by _keepable
    valid_until = min(outcome.fresh_until.timestamp(), now + ANSWER_CACHE.current().seconds)
    if valid_until <= now:
        return response
    kept = KeptAnswer(
        content=response.content,
        content_type=response["Content-Type"],
        etag=response["ETag"],
        last_modified=int(outcome.fetched_at.timestamp()) if outcome.fetched_at else None,
        cache_control=response["Cache-Control"],
        valid_until=valid_until,
    )
    key = answer_key(request, representation)
    cache.set(key, kept, timeout=max(int(valid_until - now), 1))
    local_copies.put(key, _locally(kept, now))
    return response


def _keepable(request: HttpRequest, outcome: LookupOutcome, response: HttpResponse) -> bool:
    personal = bool(response.cookies) or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
    return (
        isinstance(outcome.result, Found)
        and not outcome.stale
        and outcome.fresh_until is not None
        and response.status_code == 200
        and not response.streaming
        and response.has_header("ETag")
        and not personal
    )


def _locally(kept: KeptAnswer, now: float) -> KeptAnswer:
    """This process's copy lives briefly: a shared entry may be replaced by a newer render elsewhere."""
    if kept.valid_until <= now + LOCAL_SECONDS:
        return kept
    return KeptAnswer(
        kept.content, kept.content_type, kept.etag, kept.last_modified, kept.cache_control, now + LOCAL_SECONDS
    )
