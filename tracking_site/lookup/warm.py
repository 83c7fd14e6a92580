"""A fresh worker made ready before its first visitor (gunicorn.conf.py's `post_worker_init` calls `warm_up`).

Without it a worker's first request imports the views, compiles templates, loads translations, builds the
carrier clients and connection pools, loads the Redis scripts and waits a whole OAuth round trip for a token:
tens of milliseconds and a carrier round trip charged to whoever comes first after a deploy or `max_requests`.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

from tracking_site.lookup.clients import lookup_parts
from tracking_site.resilience.redis_outage import REDIS_ERRORS
from tracking_site.shared_state import call_budget, gather_store_redis
from tracking_site.shared_state.redis_client import blocking_redis, shared_redis

logger = logging.getLogger("tracking_site.lookup")

PUBLIC_TEMPLATES = (
    "home.html",
    "parcel.html",
    "results.html",
    "not_found.html",
    "bad_number.html",
    "carrier_failure.html",
    "rate_limited.html",
    "404.html",
    "500.html",
)


def warm_up(deadline_seconds: float = 3.0) -> bool:
    """Import, build, connect and fetch what a first request would; True when all of it was ready in time.

    Never raises: a carrier or a store that is down now is the first request's problem, as it would be anyway,
    and must not keep the worker from serving the others.
    """
    started = time.monotonic()
    try:
        _load_code()
        parts = lookup_parts()
    except Exception:
        logger.exception("outcome=warm_up_failed")
        return False
    stores_ready = True
    try:
        _connect_stores()
        for source in parts.sources:
            source.warm_up()
    except (*REDIS_ERRORS, DatabaseError) as error:  # a store that is down: one line, the site falls back
        logger.warning("outcome=warm_up_store_unavailable error=%s", type(error).__name__)
        stores_ready = False
    except Exception:
        logger.exception("outcome=warm_up_failed")
        stores_ready = False
    fetched = _fetch_tokens(parts.carriers, started + deadline_seconds)  # tokens do not need Redis
    logger.info(
        "outcome=warmed_up seconds=%.3f tokens=%d/%d stores=%s",
        time.monotonic() - started,
        sum(fetched.values()),
        len(fetched),
        "ready" if stores_ready else "unavailable",
    )
    return stores_ready and all(fetched.values())


def _load_code() -> None:
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    for name in PUBLIC_TEMPLATES:
        get_template(name)
    for language, _name in settings.LANGUAGES:  # every catalogue read once, before the first visitor in it
        with translation.override(language):
            translation.gettext("Track")


def _connect_stores() -> None:
    cache.get("warm-up")
    client = shared_redis()
    if client is None:
        return
    for source in (call_budget.RESERVE_SCRIPT, *gather_store_redis.SCRIPTS):
        client.script_load(source)
    blocking = blocking_redis()
    if blocking is not None:
        blocking.ping()


def _fetch_tokens(carriers: dict[str, Any], deadline: float) -> dict[str, bool]:
    """Each OAuth carrier's token, fetched in parallel (or read from the shared cache), within the deadline."""
    fetched: dict[str, bool] = {}
    threads: list[threading.Thread] = []
    for slug, client in carriers.items():
        credentials = getattr(client, "credentials", None) or getattr(client.http, "auth", None)
        token = getattr(credentials, "token", None)
        if token is None:
            continue
        fetched[slug] = False

        def fetch(slug: str = slug, token: Any = token) -> None:
            try:
                token()
                fetched[slug] = True
            except Exception as exc:  # the first request will try again, under its own deadline
                logger.warning("carrier=%s outcome=warm_up_token_failed error=%s", slug, type(exc).__name__)

        thread = threading.Thread(target=fetch, name=f"warm-{slug}", daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.0))
    return fetched
