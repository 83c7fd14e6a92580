"""The process's carrier clients (one pooled httpx client per carrier), its gatherer and the local stores asked
before the carriers (sources.py), built once from settings."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from carriers.base import CarrierClient
from carriers.registry import CarrierConfig, build_carriers
from tracking_site.lookup import parcel_cache
from tracking_site.lookup.event_codes import extra_code_statuses
from tracking_site.lookup.gatherer import Gatherer, Timing
from tracking_site.lookup.sources import ParcelSource, offered_sources
from tracking_site.resilience.carrier_guard import guard_from_settings
from tracking_site.resilience.redis_outage import outage_for
from tracking_site.shared_state.call_budget import CallBudget, budget_from_settings, transport_reserve
from tracking_site.shared_state.gather_store import LocalGatherStore
from tracking_site.shared_state.gather_store_redis import RedisGatherStore
from tracking_site.shared_state.redis_client import blocking_redis, shared_redis
from tracking_site.shared_state.token_store import CacheTokenStore


@dataclass(frozen=True)
class LookupParts:
    carriers: dict[str, CarrierClient]
    gatherer: Gatherer
    sources: tuple[ParcelSource, ...]  # asked before their carrier (the PostPlus event feed, while fresh)


_lock = threading.Lock()
_parts: LookupParts | None = None
_installed: tuple[dict[str, CarrierClient], tuple[ParcelSource, ...]] | None = None  # what tests put in place


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


def carriers_from_settings(budget: CallBudget) -> dict[str, CarrierClient]:
    """The carriers settings enable: the real APIs, or in demo mode the built-in fakes."""
    token_store = CacheTokenStore()
    if settings.TRACKING_DEMO:
        from carriers.demo import build_demo_carriers  # demo mode only: production never loads the fakes

        # The demo's in-process fakes have no rate to respect; real carriers share one budget.
        return build_demo_carriers(0.0, token_store=token_store, postplus_code_statuses=extra_code_statuses)
    # One budget: the gatherer reserves each batch's slot; every other request reserves its own at the transport.
    timing = Timing.tuned()
    reserve = transport_reserve(
        budget,
        timing.wait_seconds,
        background_wait_seconds=timing.background_wait_seconds,
        keep_free_share=timing.background_keep_free,
    )
    return build_carriers(
        carrier_config_from_settings(),
        token_store=token_store,
        reserve=reserve,
        postplus_code_statuses=extra_code_statuses,
    )


def _parts_from_settings() -> LookupParts:
    budget = budget_from_settings()
    return _assembled(carriers_from_settings(budget), offered_sources(), budget)


def _assembled(
    carriers: dict[str, CarrierClient], sources: Sequence[ParcelSource], budget: CallBudget | None = None
) -> LookupParts:
    budget = budget or budget_from_settings()
    timing = Timing.tuned()
    client, blocking = shared_redis(), blocking_redis()
    outage = outage_for(settings.REDIS_URL) if client is not None else None
    guard = guard_from_settings(client, outage)  # one per process: both gatherers count the same calls
    local = Gatherer(carriers, LocalGatherStore(), budget, parcel_cache.put_many, timing=timing, guard=guard)
    if client is None or blocking is None or outage is None:
        return LookupParts(carriers, local, tuple(sources))
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
    return LookupParts(carriers, shared, tuple(sources))


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


def install_carriers(carriers: dict[str, CarrierClient] | None, *, sources: Sequence[ParcelSource] = ()) -> None:
    """Replace the process's carriers, and the stores asked before them (tests inject fakes this way; None
    rebuilds everything from settings)."""
    global _parts, _installed
    with _lock:
        _installed = None if carriers is None else (carriers, tuple(sources))
        _parts = None if carriers is None else _assembled(carriers, sources)


@receiver(setting_changed)
def _rebuild_on_settings_change(*, setting: str, **kwargs: object) -> None:
    if setting == "TRACKING_TUNING" and _installed is not None:
        carriers, sources = _installed
        install_carriers(carriers, sources=sources)  # the same carriers, under the new tuning
    elif setting.startswith(("TRACKING_", "POSTPLUS_", "DHL_", "NZPOST_", "REDIS_")):
        install_carriers(None)
