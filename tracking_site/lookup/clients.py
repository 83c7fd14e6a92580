"""The process's carrier clients (one pooled httpx client per carrier), its gatherer and feed lookup, built once
from settings."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from carriers.base import CarrierClient
from carriers.registry import CarrierConfig, build_carriers
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.gatherer import Gatherer, Linger, Timing
from tracking_site.postplus_feed.event_codes import extra_code_statuses
from tracking_site.resilience.carrier_guard import guard_from_settings
from tracking_site.resilience.redis_outage import outage_for
from tracking_site.shared_state.call_budget import CallBudget, budget_from_settings, transport_reserve
from tracking_site.shared_state.gather_store import LocalGatherStore
from tracking_site.shared_state.gather_store_redis import RedisGatherStore
from tracking_site.shared_state.redis_client import blocking_redis, shared_redis
from tracking_site.shared_state.token_store import CacheTokenStore

if TYPE_CHECKING:
    from tracking_site.postplus_feed.store import FeedLookup


@dataclass(frozen=True)
class LookupParts:
    carriers: dict[str, CarrierClient]
    gatherer: Gatherer
    feed: FeedLookup | None  # PostPlus answered from its stored event feed while fresh


_lock = threading.Lock()
_parts: LookupParts | None = None


def carrier_config_from_settings() -> CarrierConfig:
    return CarrierConfig(
        postplus_api_key=settings.POSTPLUS_API_KEY,
        postplus_base_url=settings.POSTPLUS_BASE_URL,
        dhl_client_id=settings.DHL_ECOMMERCE_CLIENT_ID,
        dhl_client_secret=settings.DHL_ECOMMERCE_CLIENT_SECRET,
        dhl_base_url=settings.DHL_ECOMMERCE_BASE_URL,
        dhl_pickup=settings.DHL_ECOMMERCE_PICKUP,
        nzpost_client_id=settings.NZPOST_CLIENT_ID,
        nzpost_client_secret=settings.NZPOST_CLIENT_SECRET,
        nzpost_base_url=settings.NZPOST_BASE_URL,
        nzpost_token_url=settings.NZPOST_TOKEN_URL,
    )


def timing_from_settings() -> Timing:
    return Timing(
        wait_seconds=float(settings.CARRIER_RATE_MAX_WAIT_SECONDS),
        background_wait_seconds=float(settings.LOOKUP_BACKGROUND_WAIT_SECONDS),
        deadline_seconds=float(settings.LOOKUP_DEADLINE_SECONDS),
        linger=Linger(
            quiet_seconds=float(settings.GATHER_QUIET_SECONDS), max_seconds=float(settings.GATHER_LINGER_SECONDS)
        ),
        background_keep_free=float(settings.GATHER_BACKGROUND_KEEP_FREE),
    )


def carriers_from_settings(budget: CallBudget) -> dict[str, CarrierClient]:
    """The carriers settings enable: the real APIs, or in demo mode the built-in fakes."""
    token_store = CacheTokenStore()
    if settings.TRACKING_DEMO:
        from carriers.demo import build_demo_carriers  # demo mode only: production never loads the fakes

        # The demo's in-process fakes have no rate to respect; real carriers share one budget.
        latency = getattr(settings, "TRACKING_DEMO_LATENCY", 0.0)
        return build_demo_carriers(latency, token_store=token_store, postplus_code_statuses=extra_code_statuses)
    # One budget: the gatherer reserves each batch's slot; every other request reserves its own at the transport.
    reserve = transport_reserve(
        budget,
        float(settings.CARRIER_RATE_MAX_WAIT_SECONDS),
        background_wait_seconds=float(settings.LOOKUP_BACKGROUND_WAIT_SECONDS),
        keep_free_share=float(settings.GATHER_BACKGROUND_KEEP_FREE),
    )
    return build_carriers(
        carrier_config_from_settings(),
        token_store=token_store,
        reserve=reserve,
        postplus_code_statuses=extra_code_statuses,
    )


def _parts_from_settings() -> LookupParts:
    budget = budget_from_settings()
    carriers = carriers_from_settings(budget)
    from tracking_site.postplus_feed.store import FeedLookup  # imports the models: only once apps are ready

    return _assembled(carriers, FeedLookup(read_seconds=float(settings.POSTPLUS_FEED_READ_SECONDS)), budget)


def _assembled(
    carriers: dict[str, CarrierClient], feed: FeedLookup | None, budget: CallBudget | None = None
) -> LookupParts:
    budget = budget or budget_from_settings()
    timing = timing_from_settings()
    client, blocking = shared_redis(), blocking_redis()
    outage = outage_for(settings.REDIS_URL) if client is not None else None
    guard = guard_from_settings(client, outage)  # one per process: both gatherers count the same calls
    local = Gatherer(carriers, LocalGatherStore(), budget, parcel_cache.put_many, timing=timing, guard=guard)
    if client is None or blocking is None or outage is None:
        return LookupParts(carriers, local, feed)
    # Every worker's numbers share calls through Redis; while Redis is down, this process gathers its own.
    shared = Gatherer(
        carriers,
        RedisGatherStore(client, blocking),
        budget,
        parcel_cache.put_many,
        timing=timing,
        outage=outage,
        guard=guard,
        fallback=local,
    )
    return LookupParts(carriers, shared, feed)


def lookup_parts() -> LookupParts:
    global _parts
    if _parts is None:
        with _lock:
            if _parts is None:
                _parts = _parts_from_settings()
    return _parts


def get_carriers() -> dict[str, CarrierClient]:
    """The enabled carriers, keyed by slug."""
    return lookup_parts().carriers


def get_gatherer() -> Gatherer:
    return lookup_parts().gatherer


def install_carriers(carriers: dict[str, CarrierClient] | None, *, feed: FeedLookup | None = None) -> None:
    """Replace the process's carriers, and the feed in front of PostPlus (tests inject fakes this way; None
    rebuilds everything from settings)."""
    global _parts
    with _lock:
        _parts = None if carriers is None else _assembled(carriers, feed)


@receiver(setting_changed)
def _rebuild_on_settings_change(*, setting: str, **kwargs: object) -> None:
    if setting.startswith(("TRACKING_", "POSTPLUS_", "DHL_", "NZPOST_", "CARRIER_", "GATHER_", "LOOKUP_", "REDIS_")):
        install_carriers(None)
